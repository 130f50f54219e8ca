import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Makes sure OpenBLAS runs its AVX-512 kernel and a known number of threads.
///
/// Debian's OpenBLAS 0.3.21 does not recognise recent AMD EPYC CPUs and falls back to a slower
/// kernel (Haswell or Prescott: 2-8× slower sgemm). It honours `OPENBLAS_CORETYPE`, but reads it
/// only while the shared library initialises, i.e. before `main`. So the executable re-executes
/// itself once with the variable set (see `reexecWithFastKernelIfNeeded`).
public enum BLASRuntime {
    /// Set in the re-executed process so a failing kernel choice can never loop.
    static let guardVariable = "MAXIM_VIDEO_BLAS_REEXEC"

    /// The kernel requested on CPUs with AVX-512 F/BW/DQ/VL. Cooperlake only adds bf16 GEMM to
    /// SkylakeX's float32 kernels, so SkylakeX is chosen (measured equal for sgemm).
    static let fastCoreType = "SkylakeX"

    /// Kernels that already use AVX-512 and need no re-exec.
    static let avx512Kernels: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

    /// Set by a user who really wants the `OPENBLAS_CORETYPE` they exported, even a slower one.
    static let keepVariable = "MAXIM_VIDEO_KEEP_OPENBLAS_CORETYPE"

    /// Call first thing in `main`. Re-executes the current binary with `OPENBLAS_CORETYPE` set when
    /// that selects a faster kernel; returns normally when nothing is to be done or exec fails.
    ///
    /// A preset `OPENBLAS_CORETYPE` naming a slower kernel is overridden too: such settings linger in
    /// shell profiles and images (this project's own build machines export `Haswell`), and the user
    /// must get the fast kernel without knowing any of this. `MAXIM_VIDEO_KEEP_OPENBLAS_CORETYPE=1`
    /// keeps the preset value.
    public static func reexecWithFastKernelIfNeeded() {
        let preset = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        guard let request = coreTypeToRequest(
            cpuHasAVX512: cpuSupportsAVX512(), loadedCore: coreName,
            alreadyReexecuted: getenv(guardVariable) != nil, keepPreset: getenv(keepVariable) != nil)
        else { return }
        setenv("OPENBLAS_CORETYPE", request, 1)
        setenv(guardVariable, preset ?? "unset", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // exec failed: keep running with the slow kernel rather than fail.
        if let preset { setenv("OPENBLAS_CORETYPE", preset, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
        unsetenv(guardVariable)
    }

    /// The core type to re-execute with, or nil to keep the loaded kernel.
    static func coreTypeToRequest(
        cpuHasAVX512: Bool, loadedCore: String, alreadyReexecuted: Bool, keepPreset: Bool
    ) -> String? {
        guard !alreadyReexecuted, !keepPreset, cpuHasAVX512 else { return nil }
        return avx512Kernels.contains(loadedCore.lowercased()) ? nil : fastCoreType
    }

    /// Reads `/proc/cpuinfo` flags; false when unreadable.
    static func cpuSupportsAVX512() -> Bool {
        guard let file = fopen("/proc/cpuinfo", "r") else { return false }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let line else { break }
            let text = String(cString: line)
            guard text.hasPrefix("flags") else { continue }
            let flags = Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init))
            return ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
        }
        return false
    }

    /// The OpenBLAS kernel in use, e.g. "SkylakeX".
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Threads OpenBLAS itself uses per call (kept at 1: tensor kernels parallelise around it).
    public static var blasThreads: Int { Int(openblas_get_num_threads()) }

    /// Sets the compute thread budget of tensor operations and pins OpenBLAS to one thread per call,
    /// so the total number of busy threads is exactly `threads`.
    public static func configure(threads: Int) {
        precondition(threads >= 1, "Thread count must be at least 1, got \(threads)")
        openblas_set_num_threads(1)
        ComputeThreads.set(threads)
    }

    /// One line for `--verbose`.
    public static var description: String {
        let requested = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) } ?? "unset"
        let replaced = getenv(guardVariable).map { " set by maxim-video; was \(String(cString: $0))" } ?? ""
        return "OpenBLAS kernel \(coreName) (OPENBLAS_CORETYPE=\(requested)\(replaced)), \(blasThreads) BLAS thread per call, "
            + "\(ComputeThreads.count) compute thread(s); \(MatrixBackend.current)"
    }
}

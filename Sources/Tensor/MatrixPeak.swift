import CDNNL
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The machine's fp32 matrix-multiply rate as the engine can use it, so a benchmark can say how far a model is
/// from the hardware, measured in the same run under the same conditions (a busy machine lowers both).
///
/// One single-threaded OpenBLAS sgemm of `size`³ per compute thread, all at once: the engine's own thread plan
/// (BLAS single-threaded, work split across `ComputeThreads`), on matrices large enough for the kernel's peak.
public enum MatrixPeak {
    public struct Measurement: Sendable {
        public let size: Int
        public let threads: Int
        public let seconds: Double
        public var gflopsPerSecond: Double { 2 * Double(size * size * size) * Double(threads) / seconds / 1e9 }
    }

    /// The best of `repetitions` timed rounds after one warm-up round.
    public static func measureSGEMM(size: Int = 1024, repetitions: Int = 3) -> Measurement {
        let threads = ComputeThreads.count
        let a = Tensor(shape: [size, size]) { (i: Int) in Float(i % 7) * 0.25 - 0.75 }
        let b = Tensor(shape: [size, size]) { (i: Int) in Float(i % 5) * 0.5 - 1 }
        let outputs = (0..<threads).map { _ in Tensor(uninitializedShape: [size, size]) }
        let round = {
            ComputeThreads.forEach(chunks: threads) { t in
                sgemm(m: size, n: size, k: size, a: a.pointer, lda: size, b: b.pointer, ldb: size,
                      beta: 0, c: outputs[t].pointer, ldc: size)
            }
        }
        return Measurement(size: size, threads: threads, seconds: bestTime(of: round, repetitions: repetitions))
    }

    /// The fastest of `repetitions` timed calls of `round`, after one untimed warm-up call.
    private static func bestTime(of round: () -> Void, repetitions: Int) -> Double {
        round()
        var best = Double.infinity
        for _ in 0..<max(1, repetitions) {
            let start = OpProfiler.now()
            round()
            best = min(best, OpProfiler.now() - start)
        }
        return best
    }

    /// As ``measureSGEMM(size:repetitions:)`` for oneDNN's bf16 products (operands bfloat16, fp32 accumulation and
    /// output), the peak a `--precision bf16` model is measured against; nil where oneDNN has no bf16 kernels.
    public static func measureBF16(size: Int = 1024, repetitions: Int = 3) -> Measurement? {
        guard ProductPrecision.bf16.unavailableReason == nil, let onednn = OneDNN.shared else { return nil }
        let threads = ComputeThreads.count
        let operand = [UInt16](repeating: BF16.round(0.5), count: size * size)
        let outputs = (0..<threads).map { _ in Tensor(uninitializedShape: [size, size]) }
        let shape = OneDNN.MatmulShape(m: size, n: size, k: size, lda: size, ldb: size, ldc: size, transA: false,
                                       transB: false, accumulate: false, bf16: true)
        let failed = Atomic<Bool>(false)
        let round = {
            operand.withUnsafeBytes { bits in
                ComputeThreads.forEach(chunks: threads) { t in
                    if !onednn.multiply(shape, a: bits.baseAddress!, b: bits.baseAddress!, c: outputs[t].pointer) {
                        failed.store(true, ordering: .relaxed)
                    }
                }
            }
        }
        let seconds = bestTime(of: round, repetitions: repetitions)
        return failed.load(ordering: .relaxed) ? nil : Measurement(size: size, threads: threads, seconds: seconds)
    }

    /// The instruction set oneDNN's kernels use on this CPU, e.g. `avx512_core_amx` (AMX: where bf16 pays) or
    /// `avx512_core_bf16` (AVX512-BF16 only: bf16 products slower than fp32); nil without oneDNN.
    public static var oneDNNInstructionSet: String? {
        guard OneDNN.shared != nil else { return nil }
        let isa = dnnl_get_effective_cpu_isa()
        let names: [(dnnl_cpu_isa_t, String)] = [
            (dnnl_cpu_isa_avx512_core_amx, "avx512_core_amx"), (dnnl_cpu_isa_avx512_core_bf16, "avx512_core_bf16"),
            (dnnl_cpu_isa_avx512_core, "avx512_core"), (dnnl_cpu_isa_avx2, "avx2"),
        ]
        return names.first { $0.0 == isa }?.1 ?? "isa 0x\(String(isa.rawValue, radix: 16))"
    }

    /// This process's peak resident set so far, in bytes (Linux reports kilobytes).
    public static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }
}

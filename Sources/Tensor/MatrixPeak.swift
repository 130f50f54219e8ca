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
        round()
        var best = Double.infinity
        for _ in 0..<max(1, repetitions) {
            let start = OpProfiler.now()
            round()
            best = min(best, OpProfiler.now() - start)
        }
        return Measurement(size: size, threads: threads, seconds: best)
    }

    /// This process's peak resident set so far, in bytes (Linux reports kilobytes).
    public static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }
}

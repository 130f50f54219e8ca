#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Cheap per-operation-kind accounting for `maxim-video bench`: each top-level tensor operation
/// adds its wall time (and, for matrix work, its FLOPs) to one kind. Off by default; when off the
/// cost is one atomic load per operation.
public enum OpProfiler {
    public enum Kind: String, CaseIterable, Sendable {
        /// Everything whose time is dominated by a matrix product (dense, conv, spatial mixing).
        case gemm = "gemm-backed"
        /// Per-element maps: activations, sums, products, normalisation, reductions.
        case elementwise
        /// Data movement: resize, padding, cropping, splitting, concatenation, blocking.
        case layout = "layout/copy"
    }

    public struct Report: Sendable {
        public var seconds: [Kind: Double]
        public var calls: [Kind: Int]
        public var flops: Double
        /// Seconds, calls and seconds inside the matrix library per operation shape (e.g. `dense 12→24 LN gelu`),
        /// where the operation names one.
        public var shapes: [String: (seconds: Double, calls: Int, librarySeconds: Double)] = [:]
    }

    private static let enabled = Atomic<Bool>(false)
    private static let state = Mutex(Report(seconds: [:], calls: [:], flops: 0))

    public static var isEnabled: Bool { enabled.load(ordering: .relaxed) }

    public static func setEnabled(_ on: Bool) { enabled.store(on, ordering: .relaxed) }

    public static func reset() {
        blasNanoseconds.store(0, ordering: .relaxed)
        state.withLock { $0 = Report(seconds: [:], calls: [:], flops: 0) }
    }

    public static func snapshot() -> Report { state.withLock { $0 } }

    /// Counts FLOPs even when timing is off, so benchmarks can report GFLOP/s of un-instrumented runs.
    private static let flopCounter = Atomic<Int>(0)

    public static var totalFlops: Int { flopCounter.load(ordering: .relaxed) }

    public static func resetFlops() { flopCounter.store(0, ordering: .relaxed) }

    @inline(__always)
    static func addFlops(_ flops: Int) {
        flopCounter.wrappingAdd(flops, ordering: .relaxed)
    }

    /// CPU time inside OpenBLAS calls (summed over threads), to split "gemm-backed" into the matrix
    /// products themselves and the fused prologues/epilogues around them.
    private static let blasNanoseconds = Atomic<Int>(0)

    public static var blasCPUSeconds: Double { Double(blasNanoseconds.load(ordering: .relaxed)) * 1e-9 }

    @inline(__always)
    static func timeBLAS<R>(_ body: () -> R) -> R {
        guard isEnabled else { return body() }
        let start = now()
        let result = body()
        blasNanoseconds.wrappingAdd(Int((now() - start) * 1e9), ordering: .relaxed)
        return result
    }

    @inline(__always)
    static func measure<R>(_ kind: Kind, _ shape: @autoclosure () -> String? = nil, _ body: () -> R) -> R {
        guard isEnabled else { return body() }
        let start = now(), libraryStart = blasNanoseconds.load(ordering: .relaxed)
        let result = body()
        let elapsed = now() - start
        let library = Double(blasNanoseconds.load(ordering: .relaxed) - libraryStart) * 1e-9
        let label = shape()
        state.withLock {
            $0.seconds[kind, default: 0] += elapsed
            $0.calls[kind, default: 0] += 1
            if let label {
                let old = $0.shapes[label] ?? (0, 0, 0)
                $0.shapes[label] = (old.seconds + elapsed, old.calls + 1, old.librarySeconds + library)
            }
        }
        return result
    }

    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

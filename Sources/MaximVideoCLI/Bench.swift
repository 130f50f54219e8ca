import ArgumentParser
import Foundation
import MaximModel
import PipelineConfig
import Tensor

/// `maxim-video bench`: one official variant with random weights of the right shapes, timed on a
/// random square input. Reports the median, GFLOP/s of the counted matrix work, and a breakdown by
/// operation kind from one extra instrumented run.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark a MAXIM variant (random weights) on one input.")

    @Option(help: "Variant: S-1, S-2, S-3, M-1, M-2 or M-3.")
    var variant = "S-3"

    @Option(help: "Benchmark this .npz checkpoint (e.g. a shipped model) instead of a variant with random weights.")
    var checkpoint: String?

    @Option(help: "Input height, and width unless --width is given (a multiple of the model's input multiple: 64 for the variants, 32 for the shipped denoiser).")
    var size = 256

    @Option(help: """
        Input width, where it differs from --size (a multiple of the model's): e.g. 320 for the deblurrer's 320×256 tiles \
        of a 720p frame.
        """)
    var width: Int?

    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?

    @Option(help: "Timed runs after one warm-up.")
    var runs = 3

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(name: .customLong("save-checkpoint"), help: "Also write the random weights as a .npz checkpoint.")
    var saveCheckpoint: String?

    @Option(help: "fp32, or bf16: the model's library products in bfloat16 (then also measured against oneDNN's bf16 peak).")
    var precision: StagePrecision = .fp32

    @Flag(help: "Report BLAS kernel and threads.")
    var verbose = false

    @Flag(name: .customLong("by-shape"), help: "Also break the instrumented run down by operation and shape.")
    var byShape = false

    func validate() throws {
        guard MaximConfiguration.variant(variant) != nil else {
            throw ValidationError("unknown variant '\(variant)'; use S-1…S-3 or M-1…M-3")
        }
        guard size > 0 else { throw ValidationError("--size must be positive") }
        if let width, width <= 0 { throw ValidationError("--width must be positive") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let reason = ProductPrecision(precision).unavailableReason { throw ValidationError("--precision bf16 \(reason)") }
    }

    func run() throws {
        let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
        BLASRuntime.configure(threads: threadCount)
        if verbose && !json { print(BLASRuntime.description) }
        let model: Maxim
        let parameterCount: Int
        let name: String
        let products = ProductPrecision(precision)
        if let checkpoint {
            let parameters = try CheckpointParameters(contentsOf: URL(fileURLWithPath: checkpoint))
            model = try CheckpointLoader.load(parameters, precision: products)
            parameterCount = parameters.parameterCount
            name = URL(fileURLWithPath: checkpoint).lastPathComponent
        } else {
            let random = RandomParameters()
            model = try Maxim(configuration: MaximConfiguration.variant(variant)!,
                              parameters: PrecisionParameters(random, precision: products))
            parameterCount = random.arrays.values.reduce(0) { $0 + $1.count }
            name = "MAXIM-" + variant
            try saveRandom(random)
        }
        let inputWidth = width ?? size
        // Another size would be padded up to the multiple, and the numbers would be for that size.
        let multiple = model.configuration.sizeMultiple
        guard size % multiple == 0, inputWidth % multiple == 0 else {
            throw ValidationError("--size \(size) and --width \(inputWidth) must be multiples of \(multiple) for \(name)")
        }
        var seed: UInt64 = 42
        let input = Tensor(shape: [1, size, inputWidth, 3]) { _ in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Float(seed >> 40) / Float(1 << 24)
        }
        _ = model.restore(input)  // warm-up: page in weights, size allocator pools
        OpProfiler.resetFlops()
        var times: [Double] = []
        for _ in 0..<runs {
            let start = OpProfiler.now()
            _ = model.restore(input)
            times.append(OpProfiler.now() - start)
        }
        let flops = Double(OpProfiler.totalFlops) / Double(runs)
        times.sort()
        let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
        OpProfiler.reset()
        TensorMemory.resetPeak()
        let baseline = TensorMemory.liveBytes
        OpProfiler.setEnabled(true)
        let profiledStart = OpProfiler.now()
        _ = model.restore(input)
        let profiledTotal = OpProfiler.now() - profiledStart
        OpProfiler.setEnabled(false)
        let report = OpProfiler.snapshot()
        let peakActivationBytes = TensorMemory.peakBytes - baseline
        let gflops = flops / 1e9
        // Last, so the model's numbers are not taken on caches the 1024³ products just flushed.
        let peak = MatrixPeak.measureSGEMM()
        let fractionOfPeak = gflops / median / peak.gflopsPerSecond
        let bf16Peak = precision == .bf16 ? MatrixPeak.measureBF16() : nil
        let isa = MatrixPeak.oneDNNInstructionSet ?? "none (no oneDNN)"
        if json {
            var breakdown: [String: Any] = [:]
            for kind in OpProfiler.Kind.allCases {
                breakdown[kind.rawValue] = ["seconds": report.seconds[kind] ?? 0, "calls": report.calls[kind] ?? 0]
            }
            var object: [String: Any] = [
                "variant": name, "size": size, "width": inputWidth, "threads": threadCount, "runs": runs,
                "median_seconds": median, "min_seconds": times.first!, "gflop": gflops,
                "gflops_per_second": gflops / median, "parameters": parameterCount,
                "blas": BLASRuntime.description, "profiled_seconds": profiledTotal, "breakdown": breakdown,
                "peak_activation_bytes": peakActivationBytes, "blas_cpu_seconds": OpProfiler.blasCPUSeconds,
                "peak_rss_bytes": MatrixPeak.peakResidentBytes(),
                "sgemm_peak_gflops_per_second": peak.gflopsPerSecond, "fraction_of_sgemm_peak": fractionOfPeak,
                "precision": precision.rawValue, "onednn_isa": isa, "vector_kernels": ThinDense.instructionSet,
            ]
            if let bf16Peak {
                object["bf16_peak_gflops_per_second"] = bf16Peak.gflopsPerSecond
                object["fraction_of_bf16_peak"] = gflops / median / bf16Peak.gflopsPerSecond
            }
            if byShape {
                object["shapes"] = report.shapes.sorted { $0.value.seconds > $1.value.seconds }.map {
                    ["shape": $0.key, "seconds": $0.value.seconds, "calls": $0.value.calls,
                     "library_seconds": $0.value.librarySeconds] as [String: Any]
                }
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(name) \(size)×\(inputWidth) (height×width), \(parameterCount) parameters, "
                  + "\(threadCount) thread(s), products in \(precision) (oneDNN kernels: \(isa); "
                  + "own vector kernels: \(ThinDense.instructionSet))")
            print(String(format: "median %.3f s over %d run(s) (min %.3f s), %.1f GFLOP, %.1f GFLOP/s",
                         median, runs, times.first!, gflops, gflops / median))
            print(String(format: "fp32 matrix peak, same run: %.1f GFLOP/s (%d single-threaded OpenBLAS sgemm of %d³ at once); "
                         + "this model: %.0f %% of it", peak.gflopsPerSecond, peak.threads, peak.size,
                         100 * fractionOfPeak))
            if let bf16Peak {
                print(String(format: "bf16 matrix peak, same run: %.1f GFLOP/s (%d single-threaded oneDNN bf16 products "
                             + "of %d³ at once, %@ kernels); this model: %.0f %% of it", bf16Peak.gflopsPerSecond,
                             bf16Peak.threads, bf16Peak.size, isa as NSString,
                             100 * gflops / median / bf16Peak.gflopsPerSecond))
            }
            print(String(format: "peak tensor memory beyond weights: %.0f MiB; peak RSS %.0f MiB",
                         Double(peakActivationBytes) / 1048576, Double(MatrixPeak.peakResidentBytes()) / 1048576))
            print(String(format: "breakdown (one instrumented run, %.3f s):", profiledTotal))
            for kind in OpProfiler.Kind.allCases {
                let seconds = report.seconds[kind] ?? 0
                print(String(format: "  %-12@ %7.3f s  %5.1f%%  %5d ops", kind.rawValue as NSString, seconds,
                             100 * seconds / profiledTotal, report.calls[kind] ?? 0))
            }
            if byShape {
                print("by operation shape (one instrumented run; top 45 by time; library: time in OpenBLAS/oneDNN products):")
                for (shape, entry) in report.shapes.sorted(by: { $0.value.seconds > $1.value.seconds }).prefix(45) {
                    print(String(format: "  %7.4f s  %5.1f%%  %4d×  library %3.0f%%  %@", entry.seconds,
                                 100 * entry.seconds / profiledTotal, entry.calls,
                                 100 * entry.librarySeconds / max(entry.seconds, 1e-12), shape as NSString))
                }
            }
            print(String(format: "  (inside OpenBLAS sgemm: %.3f CPU-s over %d thread(s); the rest of gemm-backed is "
                         + "fused normalisation, im2col, gather/scatter and epilogues)", OpProfiler.blasCPUSeconds,
                         threadCount))
        }
    }

    private func saveRandom(_ random: RandomParameters) throws {
        guard let saveCheckpoint else { return }
        let arrays = Dictionary(uniqueKeysWithValues: random.arrays.map { ("opt/target/" + $0.key, $0.value) })
        try NPZArchive.write(arrays, to: URL(fileURLWithPath: saveCheckpoint))
    }
}

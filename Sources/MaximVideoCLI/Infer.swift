import ArgumentParser
import Foundation
import MaximModel
import Tensor

/// `maxim-video infer`: runs a checkpoint on one whole image (no tiling). `.npy` in and out is the
/// conformance interface: float32 NHWC with batch 1, or HWC; values as given, no clipping.
struct Infer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Run a MAXIM checkpoint on one image (whole, no tiling).")

    @Option(help: "MAXIM checkpoint (.npz, official format).")
    var checkpoint: String

    @Option(help: "Input image: float32 .npy, NHWC with batch 1 or HWC.")
    var input: String

    @Option(help: "Restored image (.npy; same layout as the input).")
    var output: String

    @Option(name: .customLong("all-outputs"), help: "Directory for every stage/scale output (stage_{s}_scale_{k}.npy).")
    var allOutputs: String?

    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?

    @Flag(help: "Report BLAS kernel, threads, configuration and timing.")
    var verbose = false

    func validate() throws {
        for path in [input, output] where !path.lowercased().hasSuffix(".npy") {
            throw ValidationError("\(path): only .npy images are supported by infer for now (image files come with MediaIO)")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        BLASRuntime.configure(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        if verbose { print(BLASRuntime.description) }
        let model = try CheckpointLoader.load(contentsOf: URL(fileURLWithPath: checkpoint))
        if verbose { print("model: \(model.configuration)") }
        let image = try NPYFormat.decode(Data(contentsOf: URL(fileURLWithPath: input)))
        let batched: Tensor
        switch image.rank {
        case 3: batched = image.reshaped([1] + image.shape)
        case 4 where image.shape[0] == 1: batched = image
        default: throw ValidationError("\(input): expected HWC or NHWC with batch 1, got shape \(image.shape)")
        }
        guard batched.shape[3] == 3 else {
            throw ValidationError("\(input): expected 3 channels (RGB), got \(batched.shape[3])")
        }
        let start = OpProfiler.now()
        let outputs = model(batched)
        if verbose {
            print(String(format: "inference: %.3f s, peak tensor memory %.0f MiB", OpProfiler.now() - start,
                         Double(TensorMemory.peakBytes) / 1048576))
        }
        let restored = outputs.last!.last!
        let final = image.rank == 3 ? restored.reshaped(Array(restored.shape.dropFirst())) : restored
        try NPYFormat.encode(final).write(to: URL(fileURLWithPath: output))
        if let allOutputs {
            let dir = URL(fileURLWithPath: allOutputs)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for (s, stage) in outputs.enumerated() {
                for (k, out) in stage.enumerated() {
                    try NPYFormat.encode(out).write(to: dir.appendingPathComponent("stage_\(s)_scale_\(k).npy"))
                }
            }
        }
    }
}

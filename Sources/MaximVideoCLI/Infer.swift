import ArgumentParser
import Foundation
import MaximModel
import MediaIO
import RestorationPipeline
import Tensor

/// `maxim-video infer`: runs a checkpoint on one whole image (no tiling). `.npy` in and out is the
/// conformance interface: float32 NHWC with batch 1, or HWC; values as given, no clipping. Picture files
/// (PNG, JPEG, TIFF, …) go through MediaIO and are clipped to [0, 1] when saved.
struct Infer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Run a MAXIM checkpoint on one image (whole, no tiling).")

    @Option(help: "MAXIM checkpoint (.npz, official format).")
    var checkpoint: String

    @Option(help: "Input image: float32 .npy (NHWC with batch 1, or HWC), or a picture file (PNG, JPEG, TIFF).")
    var input: String

    @Option(help: "Restored image: .npy (same layout as an .npy input) or a picture file (clipped to [0, 1]).")
    var output: String

    @Option(name: .customLong("all-outputs"), help: "Directory for every stage/scale output (stage_{s}_scale_{k}.npy).")
    var allOutputs: String?

    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?

    @Flag(help: "Report BLAS kernel, threads, configuration and timing.")
    var verbose = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        BLASRuntime.configure(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        LibavLog.configure(verbose: verbose)
        if verbose { print(BLASRuntime.description) }
        let model = try CheckpointLoader.load(contentsOf: URL(fileURLWithPath: checkpoint))
        if verbose { print("model: \(model.configuration)") }
        let (image, source, alpha) = try readInput()
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
        if Self.isNPY(output) {
            let final = image.rank == 3 ? restored.reshaped(Array(restored.shape.dropFirst())) : restored
            try NPYFormat.encode(final).write(to: URL(fileURLWithPath: output))
        } else {
            try StillImage.write(RGBImage(nhwc: restored), to: output, like: source, alpha: alpha)
        }
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

    static func isNPY(_ path: String) -> Bool { path.lowercased().hasSuffix(".npy") }

    /// The input as a tensor, plus the picture format it came in and its alpha (nil for `.npy`).
    func readInput() throws -> (Tensor, VideoFormat?, AlphaPlane?) {
        if Self.isNPY(input) { return (try NPYFormat.decode(Data(contentsOf: URL(fileURLWithPath: input))), nil, nil) }
        let (picture, format, alpha) = try StillImage.read(input)
        return (Tensor(planar: picture), format, alpha)
    }
}

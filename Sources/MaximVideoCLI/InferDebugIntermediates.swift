import ArgumentParser
import Foundation
import MaximModel
import Synchronization
import Tensor

/// Hidden `maxim-video debug-intermediates`: runs a checkpoint while recording every module output,
/// compares them in execution order with the reference's `intermediates.npz`, and names the first
/// module whose relative error exceeds the threshold — where a mismatch starts.
struct InferDebugIntermediates: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug-intermediates",
        abstract: "Compare per-module outputs with a reference intermediates.npz.",
        shouldDisplay: false)

    @Option var checkpoint: String
    @Option var input: String
    @Option var intermediates: String
    @Option(help: "Relative error max|a−r|/max|r| that counts as a mismatch.")
    var threshold = 1e-5

    final class Recording: Sendable {
        let entries = Mutex<[(String, Tensor)]>([])
    }

    func run() throws {
        BLASRuntime.configure(threads: ProcessInfo.processInfo.activeProcessorCount)
        let model = try CheckpointLoader.load(contentsOf: URL(fileURLWithPath: checkpoint))
        let image = try NPYFormat.decode(Data(contentsOf: URL(fileURLWithPath: input)))
        let reference = try NPZArchive.read(contentsOf: URL(fileURLWithPath: intermediates))
        let recording = Recording()
        ForwardProbe.withRecorder({ key, tensor in recording.entries.withLock { $0.append((key, tensor)) } }) {
            _ = model(image)
        }
        var compared = 0, skipped = 0, worst = 0.0, worstKey = ""
        var firstMismatch: String?
        for (key, tensor) in recording.entries.withLock({ $0 }) {
            guard let expected = reference[key], expected.shape == tensor.shape else { skipped += 1; continue }
            compared += 1
            let scale = Double(expected.maxAbs)
            let error = Double(tensor.maxAbsDifference(expected)) / max(scale, 1e-30)
            if error > worst { worst = error; worstKey = key }
            if error > threshold, firstMismatch == nil {
                firstMismatch = key
                print("first mismatch: \(key) relative error \(error) (max|ref| \(scale))")
            }
        }
        print("compared \(compared) module outputs (\(skipped) recorded outputs had no same-shaped reference)")
        print("worst: \(worstKey) relative error \(worst)")
        if firstMismatch != nil { throw ExitCode(1) }
    }
}

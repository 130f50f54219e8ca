import Foundation
import MaximModel
import MediaIO
import Testing
import Tensor

/// The engine on the weights users actually run: the shipped models' configurations (one stage, five
/// bottleneck blocks in the deblurrer, depth 2 in the denoiser) are not the golden fixtures' one, so
/// their outputs are checked against the training code's forward (`tools/train/shipped_reference.py`,
/// itself conformant to the reference: `tools/train/test_golden.py`) on a crop of a real degraded frame.
@Suite struct ShippedModelConformanceTests {
    @Test(arguments: ["deblur-small", "denoise-small"])
    func everyScaleMatchesTheTrainingCodesForward(model: String) throws {
        let checkpoint = Fixtures.model(model)
        let recorded = try String(contentsOf: Fixtures.shipped(model, "model.sha256"), encoding: .utf8)
        let digest = try #require(SHA256.hex(ofFile: checkpoint.path))
        try #require(recorded.hasPrefix(digest),
            "models/\(model).npz changed since its reference was made: rerun tools/train/shipped_reference.py")

        BLASRuntime.configure(threads: 2)
        let maxim = try Maxim(checkpoint: checkpoint)
        let input = try NPYFormat.decode(Data(contentsOf: Fixtures.shipped(model, "input.npy")))
        let reference = try NPZArchive.read(contentsOf: Fixtures.shipped(model, "outputs.npz"))
        let outputs = maxim(input)
        #expect(outputs.count == 1)
        let scales = try #require(outputs.last)
        #expect(scales.count == reference.count)
        var worst = 0.0
        for (k, output) in scales.enumerated() {
            let expected = try #require(reference["stage_0/scale_\(k)"])
            let tolerance = MaximConformanceTests.tolerance
            worst = max(worst, expectConforms(output, to: expected, tolerance: tolerance, "scale \(k)").maxRelative)
        }
        print("shipped \(model): worst max-rel \(worst)")
        // the restoration is not the input: a model that ignored its weights could not pass
        let restored = maxim.restore(input)
        #expect(Closeness(restored, input).maxRelative > 0.01)
    }
}

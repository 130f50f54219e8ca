import Foundation
import MaximModel
import MaximTestSupport
import Testing
@testable import Tensor

/// Issue 8's accuracy bar for `--precision bf16`: on a real degraded crop, each shipped model's bf16 restoration
/// stays within 45 dB PSNR of its fp32 one (images on the 0–1 scale, clipped as when encoded).
@Suite(.enabled(if: ProductPrecision.bf16.unavailableReason == nil, "oneDNN has no bf16 kernels on this CPU"))
struct ReducedPrecisionTests {
    static func psnr(_ a: Tensor, _ b: Tensor) -> Double {
        var squares = 0.0
        let x = a.scalars, y = b.scalars
        for i in 0..<x.count {
            let d = Double(min(max(x[i], 0), 1)) - Double(min(max(y[i], 0), 1))
            squares += d * d
        }
        return 10 * log10(Double(x.count) / max(squares, 1e-30))
    }

    @Test(arguments: ["deblur-small", "denoise-small"])
    func bf16RestorationStaysWithin45dBOfFP32(model: String) throws {
        let onednn = try #require(OneDNN.shared)
        BLASRuntime.configure(threads: 2)
        let input = try NPYFormat.decode(Data(contentsOf: Fixtures.shipped(model, "input.npy")))
        let fp32 = try CheckpointLoader.load(contentsOf: Fixtures.model(model)).restore(input)
        let before = onednn.bf16ConvolutionCount.load(ordering: .relaxed)
        let bf16 = try CheckpointLoader.load(contentsOf: Fixtures.model(model), precision: .bf16).restore(input)
        #expect(onednn.bf16ConvolutionCount.load(ordering: .relaxed) > before)
        let agreement = Self.psnr(bf16, fp32)
        print("\(model): bf16 vs fp32 \(agreement) dB")
        #expect(agreement >= 45)
        #expect(agreement < 120, "bf16 changed nothing: the bf16 kernels did not run")
    }
}

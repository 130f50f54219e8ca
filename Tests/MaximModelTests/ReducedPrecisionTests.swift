import Foundation
import MaximModel
import MaximTestSupport
import MediaIO
import Testing
@testable import Tensor

/// Issue 8's accuracy bar for `--precision bf16`: on a real degraded crop, each shipped model's bf16 restoration
/// stays within 45 dB PSNR of its fp32 one (images on the 0–1 scale, clipped as when encoded).
@Suite(.enabled(if: ProductPrecision.bf16.unavailableReason == nil, "oneDNN has no bf16 kernels on this CPU"))
struct ReducedPrecisionTests {
    /// The test support's PSNR (values clipped to [0, 1]) on a `[1, h, w, 3]` restoration; it sums over all values,
    /// so the NHWC order serves as well as the planar one.
    static func psnr(_ a: Tensor, _ b: Tensor) -> Double {
        let (_, h, w, _) = a.nhwc
        return MaximTestSupport.psnr(RGBImage(width: w, height: h, pixels: a.scalars),
                                     RGBImage(width: w, height: h, pixels: b.scalars))
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

import Foundation
import MediaIO
import Testing

@testable import QualityMetrics

func image(_ width: Int, _ height: Int, _ value: (Int, Int, Int) -> Float) -> RGBImage {
    var pixels = [Float](repeating: 0, count: 3 * width * height)
    for c in 0..<3 {
        for y in 0..<height {
            for x in 0..<width { pixels[(c * height + y) * width + x] = value(c, x, y) }
        }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
}

@Suite struct ImageQualityTests {
    @Test func psnrOfAUniformErrorMatchesTheFormula() {
        let a = image(20, 10) { _, x, y in Float((x * 7 + y * 3) % 200) / 255 }
        let b = image(20, 10) { _, x, y in Float((x * 7 + y * 3) % 200 + 4) / 255 }
        // Every value off by exactly 4 levels: MSE 16.
        #expect(abs(ImageQuality.psnr(a, b) - 10 * log10(255.0 * 255 / 16)) < 1e-9)
        #expect(ImageQuality.psnr(a, a) == .infinity)
    }

    @Test func psnrMeasuresWhatAn8BitFileStores() {
        // Overshoot beyond 1 is clipped, as when the restored frame is written.
        let a = image(8, 8) { _, _, _ in 1.3 }
        let b = image(8, 8) { _, _, _ in 1.0 }
        #expect(ImageQuality.psnr(a, b) == .infinity)
    }

    @Test func ssimIsOneForIdenticalImagesAndSymmetric() {
        let a = image(40, 30) { c, x, y in Float((x * x + 3 * y + 11 * c) % 256) / 255 }
        let b = image(40, 30) { c, x, y in Float((x * x + 3 * y + 11 * c + (x % 3)) % 256) / 255 }
        #expect(abs(ImageQuality.ssim(a, a) - 1) < 1e-12)
        #expect(abs(ImageQuality.ssim(a, b) - ImageQuality.ssim(b, a)) < 1e-12)
        #expect(ImageQuality.ssim(a, b) < 1)
    }

    @Test func ssimOfFlatImagesIsTheLuminanceTerm() {
        // No variance: SSIM = (2·μx·μy + C1) / (μx² + μy² + C1).
        let a = image(32, 32) { _, _, _ in 100.0 / 255 }
        let b = image(32, 32) { _, _, _ in 120.0 / 255 }
        let c1 = 2.55 * 2.55
        let expected = (2 * 100.0 * 120 + c1) / (100.0 * 100 + 120 * 120 + c1)
        #expect(abs(ImageQuality.ssim(a, b) - expected) < 1e-9)
    }

    @Test func ssimFallsAsNoiseGrows() {
        let clean = image(48, 48) { c, x, y in Float(64 + (x * 2 + y + c * 5) % 128) / 255 }
        var state: UInt64 = 3
        func noisy(_ amplitude: Float) -> RGBImage {
            var img = clean
            for i in img.pixels.indices {
                state = state &* 6364136223846793005 &+ 1
                img.pixels[i] += amplitude * (Float(state >> 40) / Float(1 << 24) - 0.5)
            }
            return img
        }
        let s1 = ImageQuality.ssim(clean, noisy(0.05)), s2 = ImageQuality.ssim(clean, noisy(0.2))
        #expect(s1 > s2 && s1 < 1)
    }
}

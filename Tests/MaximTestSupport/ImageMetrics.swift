import Foundation
import MediaIO

/// Peak signal-to-noise ratio in dB between two images of the same size, on values clipped to [0, 1].
public func psnr(_ a: RGBImage, _ b: RGBImage) -> Double {
    precondition(a.width == b.width && a.height == b.height, "psnr of different sizes")
    var sum = 0.0
    for i in a.pixels.indices {
        let d = Double(min(max(a.pixels[i], 0), 1) - min(max(b.pixels[i], 0), 1))
        sum += d * d
    }
    let mse = sum / Double(a.pixels.count)
    return mse == 0 ? .infinity : 10 * log10(1 / mse)
}

/// Largest absolute difference between two images of the same size.
public func maxAbsDifference(_ a: RGBImage, _ b: RGBImage) -> Float {
    precondition(a.pixels.count == b.pixels.count, "maxAbsDifference of different sizes")
    var worst: Float = 0
    for i in a.pixels.indices { worst = max(worst, abs(a.pixels[i] - b.pixels[i])) }
    return worst
}

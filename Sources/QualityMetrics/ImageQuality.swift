#if canImport(Glibc)
import Glibc
#endif
import MediaIO

/// PSNR and SSIM of restored images against references, on the 8-bit scale restoration papers report.
///
/// Both images are first quantised the way an 8-bit file stores them (clip to [0,1], ×255, round), so the
/// numbers match what a reader gets from the written PNGs or decoded video, not the unclipped float output.
public enum ImageQuality {
    /// Peak signal-to-noise ratio in dB over all three channels; `.infinity` for identical images.
    public static func psnr(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.width == b.width && a.height == b.height, "PSNR needs images of the same size")
        var sum = 0.0
        for i in 0..<a.pixels.count {
            let d = quantise(a.pixels[i]) - quantise(b.pixels[i])
            sum += d * d
        }
        let mse = sum / Double(a.pixels.count)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }

    /// Mean structural similarity (Wang et al. 2004): 11×11 Gaussian window, σ = 1.5, K1 = 0.01, K2 = 0.03,
    /// L = 255, computed per RGB channel over the window positions that fit inside the image ('valid'), then
    /// averaged over the channels. Images smaller than the window use a window clipped to the image.
    public static func ssim(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.width == b.width && a.height == b.height, "SSIM needs images of the same size")
        let plane = a.width * a.height
        var total = 0.0
        for c in 0..<3 {
            let x = (0..<plane).map { quantise(a.pixels[c * plane + $0]) }
            let y = (0..<plane).map { quantise(b.pixels[c * plane + $0]) }
            total += ssimPlane(x, y, width: a.width, height: a.height)
        }
        return total / 3
    }

    static func quantise(_ v: Float) -> Double {
        (Double(min(max(v, 0), 1)) * 255).rounded()
    }

    static func gaussianWindow(radius: Int, sigma: Double) -> [Double] {
        let w = (-radius...radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let s = w.reduce(0, +)
        return w.map { $0 / s }
    }

    /// SSIM of one plane: the separable Gaussian filter of x, y, x², y² and xy over the 'valid' region, fused into one
    /// horizontal pass and one row-at-a-time vertical pass that feeds the SSIM map directly, so a 1280×720 plane needs
    /// five row-filtered planes and five row buffers rather than ten full planes (eval runs this on every frame).
    static func ssimPlane(_ x: [Double], _ y: [Double], width: Int, height: Int) -> Double {
        let radius = max(0, min(5, (min(width, height) - 1) / 2))
        let window = gaussianWindow(radius: radius, sigma: 1.5)
        let c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255)
        let k = window.count, ow = width - k + 1, oh = height - k + 1
        // Horizontal pass: the five statistics, each ow × height, stored one after another.
        var rows = [Double](repeating: 0, count: 5 * ow * height)
        let stride = ow * height
        rows.withUnsafeMutableBufferPointer { r in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeBufferPointer { py in
                    // Tap-major loops over contiguous rows vectorise; each output still sums its taps in order.
                    for row in 0..<height {
                        let o = row * ow
                        for t in 0..<k {
                            let w = window[t], base = row * width + t
                            for col in 0..<ow {
                                let a = px[base + col], b = py[base + col]
                                r[o + col] += w * a
                                r[stride + o + col] += w * b
                                r[2 * stride + o + col] += w * (a * a)
                                r[3 * stride + o + col] += w * (b * b)
                                r[4 * stride + o + col] += w * (a * b)
                            }
                        }
                    }
                }
            }
        }
        // Vertical pass, one output row at a time, straight into the SSIM sum.
        var acc = [Double](repeating: 0, count: 5 * ow)
        var sum = 0.0
        rows.withUnsafeBufferPointer { r in
            acc.withUnsafeMutableBufferPointer { a in
                for row in 0..<oh {
                    for i in 0..<(5 * ow) { a[i] = 0 }
                    for t in 0..<k {
                        let w = window[t]
                        for s in 0..<5 {
                            let src = s * stride + (row + t) * ow, dst = s * ow
                            for col in 0..<ow { a[dst + col] += w * r[src + col] }
                        }
                    }
                    for col in 0..<ow {
                        let mx = a[col], my = a[ow + col]
                        let vx = a[2 * ow + col] - mx * mx, vy = a[3 * ow + col] - my * my
                        let cov = a[4 * ow + col] - mx * my
                        sum += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
                    }
                }
            }
        }
        return sum / Double(ow * oh)
    }
}

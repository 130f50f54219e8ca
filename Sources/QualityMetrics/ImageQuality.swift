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

    /// Separable Gaussian filtering of one plane, 'valid' region only.
    static func filterValid(_ p: [Double], width: Int, height: Int, window: [Double]) -> (values: [Double], width: Int, height: Int) {
        let k = window.count
        let ow = width - k + 1, oh = height - k + 1
        var rows = [Double](repeating: 0, count: ow * height)
        for y in 0..<height {
            for x in 0..<ow {
                var s = 0.0
                for t in 0..<k { s += window[t] * p[y * width + x + t] }
                rows[y * ow + x] = s
            }
        }
        var out = [Double](repeating: 0, count: ow * oh)
        for y in 0..<oh {
            for x in 0..<ow {
                var s = 0.0
                for t in 0..<k { s += window[t] * rows[(y + t) * ow + x] }
                out[y * ow + x] = s
            }
        }
        return (out, ow, oh)
    }

    static func ssimPlane(_ x: [Double], _ y: [Double], width: Int, height: Int) -> Double {
        let radius = max(0, min(5, (min(width, height) - 1) / 2))
        let window = gaussianWindow(radius: radius, sigma: 1.5)
        let c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255)
        let mx = filterValid(x, width: width, height: height, window: window).values
        let my = filterValid(y, width: width, height: height, window: window).values
        let xx = filterValid(zip(x, x).map(*), width: width, height: height, window: window).values
        let yy = filterValid(zip(y, y).map(*), width: width, height: height, window: window).values
        let xy = filterValid(zip(x, y).map(*), width: width, height: height, window: window).values
        var sum = 0.0
        for i in 0..<mx.count {
            let vx = xx[i] - mx[i] * mx[i], vy = yy[i] - my[i] * my[i], cov = xy[i] - mx[i] * my[i]
            sum += ((2 * mx[i] * my[i] + c1) * (2 * cov + c2)) / ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2))
        }
        return sum / Double(mx.count)
    }
}

#if canImport(Glibc)
import Glibc
#endif

import Foundation
import MediaIO

/// A per-frame PSNR line chart: restored in blue, input (when given) in red, on a white plot with dB and frame-number
/// ticks, so a drop in quality at a scene cut or a bad stretch of frames is visible at a glance.
///
/// Infinite PSNR (identical frames) is drawn at the top of the axis; NaN points are skipped.
public enum PSNRChart {
    static let white: RasterCanvas.Colour = (1, 1, 1)
    static let black: RasterCanvas.Colour = (0, 0, 0)
    static let grid: RasterCanvas.Colour = (0.88, 0.88, 0.88)
    public static let restoredColour: (r: Float, g: Float, b: Float) = (0.10, 0.35, 0.85)
    public static let inputColour: (r: Float, g: Float, b: Float) = (0.85, 0.20, 0.15)

    static let labelScale = 2
    static let left = 60, right = 16, top = 14, bottom = 32

    /// Renders the chart; `input`, when given, must have one value per frame like `restored`.
    public static func render(restored: [Double], input: [Double]? = nil, width: Int = 800, height: Int = 320) -> RGBImage {
        precondition(!restored.isEmpty, "a chart needs at least one frame")
        precondition(input == nil || input!.count == restored.count, "input and restored need one PSNR per frame")
        precondition(width >= left + right + 40 && height >= top + bottom + 40, "chart \(width)x\(height) is too small")
        var canvas = RasterCanvas(width: width, height: height, background: white)
        let plotW = width - left - right, plotH = height - top - bottom
        let (lo, hi, yStep) = valueAxis(restored + (input ?? []))
        let n = restored.count
        func px(_ i: Int) -> Int { left + (n == 1 ? plotW / 2 : Int((Double(i) * Double(plotW - 1) / Double(n - 1)).rounded())) }
        func py(_ v: Double) -> Int {
            let clamped = v.isInfinite ? (v > 0 ? hi : lo) : min(max(v, lo), hi)
            return top + Int(((hi - clamped) / (hi - lo) * Double(plotH - 1)).rounded())
        }

        // Horizontal grid and dB labels.
        let glyphH = DigitGlyphs.height * labelScale
        var v = lo
        while v <= hi + yStep / 1000 {
            let y = py(v)
            canvas.line(from: (left, y), to: (left + plotW - 1, y), grid)
            canvas.line(from: (left - 6, y), to: (left - 1, y), black)
            let label = yStep < 1 ? String(format: "%.1f", v) : String(format: "%.0f", v)
            let w = RasterCanvas.textWidth(label, scale: labelScale)
            canvas.text(label, x: left - 10 - w, y: y - glyphH / 2, scale: labelScale, black)
            v += yStep
        }
        // Frame ticks and labels.
        let xStep = frameStep(n)
        for i in stride(from: 0, to: n, by: xStep) {
            let x = px(i)
            canvas.line(from: (x, top + plotH), to: (x, top + plotH + 5), black)
            let label = String(i)
            let w = RasterCanvas.textWidth(label, scale: labelScale)
            canvas.text(label, x: x - w / 2, y: top + plotH + 9, scale: labelScale, black)
        }
        // Axes.
        canvas.line(from: (left - 1, top), to: (left - 1, top + plotH), black)
        canvas.line(from: (left - 1, top + plotH), to: (left + plotW - 1, top + plotH), black)

        if let input { series(input, into: &canvas, colour: inputColour, px, py) }
        series(restored, into: &canvas, colour: restoredColour, px, py)
        return canvas.image
    }

    /// One polyline with a dot per frame (dots only when frames are far enough apart to tell them apart).
    static func series(
        _ values: [Double], into canvas: inout RasterCanvas, colour: RasterCanvas.Colour, _ px: (Int) -> Int,
        _ py: (Double) -> Int
    ) {
        let dots = values.count == 1 || (px(1) - px(0)) >= 6
        var previous: (Int, Int)?
        for (i, v) in values.enumerated() {
            guard !v.isNaN else { previous = nil; continue }
            let p = (px(i), py(v))
            if let previous { canvas.line(from: previous, to: p, colour, thickness: 2) }
            if dots { canvas.fill(x: p.0 - 2, y: p.1 - 2, width: 5, height: 5, colour) }
            previous = p
        }
    }

    /// The dB axis: a round range covering the finite values, and a tick step giving at most about six ticks.
    static func valueAxis(_ values: [Double]) -> (lo: Double, hi: Double, step: Double) {
        let finite = values.filter(\.isFinite)
        var lo = finite.min() ?? 0, hi = finite.max() ?? 50
        if values.contains(.infinity) && finite.isEmpty { lo = 0; hi = 50 }
        if hi - lo < 1 { lo -= 0.5; hi += 0.5 }
        let step = [0.5, 1, 2, 5, 10, 20, 50, 100].first { (hi - lo) / $0 <= 6 } ?? 200
        lo = (lo / step).rounded(.down) * step
        hi = (hi / step).rounded(.up) * step
        return (lo, hi, step)
    }

    /// A round frame-number step giving at most about ten ticks.
    static func frameStep(_ count: Int) -> Int {
        [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000].first { (count - 1) / $0 <= 10 } ?? 10000
    }
}

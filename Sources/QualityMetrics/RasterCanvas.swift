import MediaIO

/// A tiny rasteriser over an `RGBImage`: pixels, rectangles, thick lines and digit labels; all the chart needs, so
/// the project does not take on a graphics library for one PNG.
struct RasterCanvas {
    typealias Colour = (r: Float, g: Float, b: Float)

    private(set) var image: RGBImage

    init(width: Int, height: Int, background: Colour) {
        var pixels = [Float](repeating: 0, count: 3 * width * height)
        let plane = width * height
        for i in 0..<plane {
            pixels[i] = background.r
            pixels[plane + i] = background.g
            pixels[2 * plane + i] = background.b
        }
        image = RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Sets one pixel; coordinates outside the canvas are ignored, so callers need not clip.
    mutating func plot(_ x: Int, _ y: Int, _ colour: Colour) {
        guard x >= 0, y >= 0, x < image.width, y < image.height else { return }
        let i = y * image.width + x, plane = image.planeSize
        image.pixels[i] = colour.r
        image.pixels[plane + i] = colour.g
        image.pixels[2 * plane + i] = colour.b
    }

    mutating func fill(x: Int, y: Int, width: Int, height: Int, _ colour: Colour) {
        for yy in y..<(y + max(0, height)) {
            for xx in x..<(x + max(0, width)) { plot(xx, yy, colour) }
        }
    }

    /// A Bresenham line, `thickness` pixels wide (a square pen).
    mutating func line(from a: (Int, Int), to b: (Int, Int), _ colour: Colour, thickness: Int = 1) {
        var (x, y) = a
        let dx = abs(b.0 - x), dy = -abs(b.1 - y)
        let sx = x < b.0 ? 1 : -1, sy = y < b.1 ? 1 : -1
        var err = dx + dy
        let lo = -(thickness - 1) / 2
        while true {
            fill(x: x + lo, y: y + lo, width: thickness, height: thickness, colour)
            if x == b.0 && y == b.1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Writes `text` (digits, '.', '-', '+') with its top-left corner at (x, y), each glyph cell `scale` pixels.
    mutating func text(_ text: String, x: Int, y: Int, scale: Int, _ colour: Colour) {
        var left = x
        for ch in text {
            if let rows = DigitGlyphs.rows(ch) {
                for (r, bits) in rows.enumerated() {
                    for c in 0..<DigitGlyphs.width where bits & (1 << (DigitGlyphs.width - 1 - c)) != 0 {
                        fill(x: left + c * scale, y: y + r * scale, width: scale, height: scale, colour)
                    }
                }
            }
            left += DigitGlyphs.advance * scale
        }
    }

    static func textWidth(_ text: String, scale: Int) -> Int {
        max(0, text.count * DigitGlyphs.advance - 1) * scale
    }
}

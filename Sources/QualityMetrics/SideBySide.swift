import MediaIO

/// Lays the same region of several frames next to each other (input | restored | reference), so a reader can judge
/// the restoration at 1:1 scale without an image viewer that syncs crops.
public enum SideBySide {
    /// The grey between panels: visible against both dark and bright content.
    static let gapLevel: Float = 0.25

    /// The panels' crops of `region`, left to right, separated by `gap` pixels of grey.
    public static func compose(_ panels: [RGBImage], region: PixelRegion, gap: Int) -> RGBImage {
        precondition(!panels.isEmpty, "a side-by-side needs at least one panel")
        precondition(gap >= 0, "gap must not be negative, got \(gap)")
        for p in panels {
            precondition(region.fits(width: p.width, height: p.height), "region \(region) outside \(p.width)x\(p.height)")
        }
        let width = panels.count * region.width + (panels.count - 1) * gap
        let height = region.height
        var pixels = [Float](repeating: gapLevel, count: 3 * width * height)
        for (n, panel) in panels.enumerated() {
            let left = n * (region.width + gap)
            for c in 0..<3 {
                for y in 0..<height {
                    let src = c * panel.planeSize + (region.y + y) * panel.width + region.x
                    let dst = c * width * height + y * width + left
                    for x in 0..<region.width { pixels[dst + x] = panel.pixels[src + x] }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}

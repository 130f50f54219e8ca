import MediaIO

/// Cuts tiles out of a frame and blends restored tiles back: accumulates `Σ w·out`, then divides by `Σ w`.
///
/// The accumulator is Double: a product of two Floats is exact in Double, so for a model that returns its
/// input the blend reproduces every input value bit for bit instead of drifting by an ulp where tiles meet.
/// Only the frame-sized accumulator is kept; tiles are added one at a time, so no whole-frame feature maps
/// ever exist. Not thread-safe: callers serialise `add`.
public struct TileBlender {
    public let tiler: Tiler
    private var sum: [Double]
    /// Per-axis weight sums; the weight of pixel (x, y) sums to `columnNorm[x] · rowNorm[y]`.
    private let columnNorm: [Double]
    private let rowNorm: [Double]
    private let columnWeights: [[Float]]
    private let rowWeights: [[Float]]

    public init(tiler: Tiler) {
        self.tiler = tiler
        sum = [Double](repeating: 0, count: 3 * tiler.width * tiler.height)
        columnWeights = tiler.columnWeights
        rowWeights = tiler.rowWeights
        columnNorm = Self.norm(origins: tiler.columns.map(\.origin), weights: columnWeights, length: tiler.width)
        rowNorm = Self.norm(origins: tiler.rows.map(\.origin), weights: rowWeights, length: tiler.height)
    }

    /// The input for `rect`; pixels beyond the frame (frames smaller than a tile) mirror back into it like numpy's
    /// 'reflect' padding.
    public static func extract(_ rect: TileRect, from image: RGBImage) -> RGBImage {
        let width = rect.width, height = rect.height
        let ys = (0..<height).map { reflect(rect.y + $0, image.height) }
        // A tile inside the frame's width reads each row as one run (most tiles of a video frame); only the others
        // need the reflected column indices.
        let contiguous = rect.x >= 0 && rect.x + width <= image.width
        let xs = contiguous ? [] : (0..<width).map { reflect(rect.x + $0, image.width) }
        let out = [Float](unsafeUninitializedCapacity: 3 * width * height) { dst, count in
            image.pixels.withUnsafeBufferPointer { src in
                for c in 0..<3 {
                    let srcPlane = c * image.width * image.height
                    let dstPlane = c * width * height
                    for (v, y) in ys.enumerated() {
                        let srcRow = srcPlane + y * image.width
                        let dstRow = dstPlane + v * width
                        if contiguous {
                            (dst.baseAddress! + dstRow).initialize(from: src.baseAddress! + srcRow + rect.x, count: width)
                        } else {
                            for (u, x) in xs.enumerated() { (dst.baseAddress! + dstRow + u).initialize(to: src[srcRow + x]) }
                        }
                    }
                }
            }
            count = 3 * width * height
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    /// Adds a restored tile, weighted; the part of the tile outside the frame is dropped.
    public mutating func add(_ restored: RGBImage, at rect: TileRect) {
        let tileWidth = rect.width, tileHeight = rect.height
        precondition(restored.width == tileWidth && restored.height == tileHeight, "restored tile must keep the tile size")
        let wx = columnWeights[rect.column], wy = rowWeights[rect.row]
        let width = tiler.width, height = tiler.height
        let uEnd = min(tileWidth, width - rect.x), vEnd = min(tileHeight, height - rect.y)
        restored.pixels.withUnsafeBufferPointer { src in
            sum.withUnsafeMutableBufferPointer { acc in
                for c in 0..<3 {
                    for v in 0..<vEnd {
                        let w = Double(wy[v])
                        let srcRow = (c * tileHeight + v) * tileWidth
                        let accRow = (c * height + rect.y + v) * width + rect.x
                        for u in 0..<uEnd { acc[accRow + u] += w * Double(wx[u]) * Double(src[srcRow + u]) }
                    }
                }
            }
        }
    }

    /// The blended frame: `Σ w·out / Σ w` at every pixel.
    public func finish() -> RGBImage {
        let width = tiler.width, height = tiler.height
        let out = [Float](unsafeUninitializedCapacity: 3 * width * height) { dst, count in
            for c in 0..<3 {
                for y in 0..<height {
                    let row = (c * height + y) * width
                    for x in 0..<width {
                        (dst.baseAddress! + row + x).initialize(to: Float(sum[row + x] / (columnNorm[x] * rowNorm[y])))
                    }
                }
            }
            count = 3 * width * height
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    static func norm(origins: [Int], weights: [[Float]], length: Int) -> [Double] {
        var norm = [Double](repeating: 0, count: length)
        for (origin, w) in zip(origins, weights) {
            for u in 0..<min(w.count, length - origin) { norm[origin + u] += Double(w[u]) }
        }
        return norm
    }

    /// numpy 'reflect' index: …2 1 | 0 1 2 … n−1 | n−2 n−3…, repeated for pads longer than the axis.
    static func reflect(_ i: Int, _ n: Int) -> Int {
        guard n > 1 else { return 0 }
        let period = 2 * (n - 1)
        let m = ((i % period) + period) % period
        return m < n ? m : period - m
    }
}

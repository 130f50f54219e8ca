/// A picture as planar float RGB: the unit every restoration stage consumes and produces.
///
/// Values are nominally in [0, 1] but are **not** clipped: restoration may overshoot, and clipping happens only when
/// converting back to the output pixel format. Layout: the whole R plane, then G, then B; each row-major.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [Float]

    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(width > 0 && height > 0, "RGBImage needs a positive size, got \(width)x\(height)")
        precondition(pixels.count == 3 * width * height, "RGBImage \(width)x\(height) needs \(3 * width * height) values, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Number of samples in one plane.
    public var planeSize: Int { width * height }
}

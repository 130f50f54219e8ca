/// Planar float RGB, values nominally in [0,1] but NOT clipped (restoration may overshoot; clip only when converting back).
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// R plane, then G plane, then B plane; each row-major, `width * height` values.
    public var pixels: [Float]

    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(pixels.count == 3 * width * height, "RGBImage needs 3·width·height values")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

/// The opacity of a picture that has an alpha channel (RGBA PNG/TIFF frames, `yuva420p` FFV1, …).
///
/// Restoration works on colour only, so the alpha plane travels beside the frame's ``RGBImage`` unchanged and is
/// written back where the output format has an alpha channel: a transparent logo stays transparent. Values are
/// opacity in [0, 1] (`sample / (2^depth − 1)`, which rounds back to the same integer at the same depth).
public struct AlphaPlane: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "AlphaPlane \(width)x\(height) needs \(width * height) values")
        self.width = width
        self.height = height
        self.values = values
    }

    /// The plane turned clockwise by `quarterTurns` × 90°, as its picture is (``RGBImage/rotatedClockwise(quarterTurns:)``).
    public func rotatedClockwise(quarterTurns: Int) -> AlphaPlane {
        let (w, h, turned) = rotatePlanes(values, planes: 1, width: width, height: height, quarterTurns: quarterTurns)
        return AlphaPlane(width: w, height: h, values: turned)
    }
}

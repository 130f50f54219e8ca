/// Which frame and region `VideoComparison` keeps for the side-by-side preview.
public struct PreviewRequest: Sendable, Equatable {
    /// 0-based frame index; nil picks the middle frame (by the reference's frame count estimate).
    public var frame: Int?
    /// The crop; nil picks a centred crop of at most 512×512.
    public var region: PixelRegion?
    /// Pixels between panels.
    public var gap: Int

    public init(frame: Int? = nil, region: PixelRegion? = nil, gap: Int = 4) {
        self.frame = frame
        self.region = region
        self.gap = gap
    }
}

/// What a finished segment file holds, for the job's journal.
public struct SegmentSummary: Sendable, Equatable {
    public let frameCount: Int
    public let byteCount: Int
    public let sha256: String
    /// Pts of the segment's last frame; a resumed job seeks to it to find the next frame.
    public let lastPTS: Int64
}

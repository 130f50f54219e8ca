/// The decoder's timestamps of one frame, carried unchanged to the encoder (variable frame rate survives).
public struct FrameTiming: Sendable, Equatable {
    /// Presentation timestamp in the stream's time base (``VideoFormat/timeBase``).
    public var pts: Int64
    /// Duration in the same time base; 0 when unknown.
    public var duration: Int64

    public init(pts: Int64, duration: Int64 = 0) {
        self.pts = pts
        self.duration = duration
    }
}

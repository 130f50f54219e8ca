/// How a segmented (resumable) job keeps its state.
public struct SegmentOptions: Sendable, Equatable {
    /// Directory holding the journal and the finished segments; created if missing, removed when the job is done.
    public var stateDirectory: String
    /// Frames per segment; nil picks about ten seconds of video from the stream's frame rate.
    public var segmentFrames: Int?
    /// Keep finished segments of an earlier run of the same job; false starts afresh.
    public var resume: Bool

    public init(stateDirectory: String, segmentFrames: Int? = nil, resume: Bool) {
        precondition(segmentFrames.map { $0 >= 1 } ?? true, "segmentFrames must be at least 1")
        self.stateDirectory = stateDirectory
        self.segmentFrames = segmentFrames
        self.resume = resume
    }

    /// About ten seconds of video: 10 × the frame rate, rounded; 250 when the rate is unknown.
    public static func defaultSegmentFrames(frameRate: Double?) -> Int {
        guard let frameRate, frameRate.isFinite, frameRate > 0 else { return 250 }
        return max(1, Int((10 * frameRate).rounded()))
    }
}

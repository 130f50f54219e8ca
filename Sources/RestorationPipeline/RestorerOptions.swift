import MediaIO

/// How a ``VideoRestorer`` runs: queue sizes, threads, stream copying and output policy.
public struct RestorerOptions: Sendable, Equatable {
    /// Frames each queue between two threads may hold. Small keeps memory low; 2 lets neighbours overlap.
    public var queueCapacity: Int
    /// Threads per restoration stage (frames are still delivered in order).
    public var workersPerStage: Int
    /// Decoder threads; 0 lets libavcodec choose.
    public var decoderThreads: Int
    /// Copy audio, subtitle and data streams packet-for-packet (`--no-audio` sets this false).
    public var copyOtherStreams: Bool
    /// Copy subtitle streams (and Matroska's fonts for them) with the other streams (`--no-subtitles` sets this false).
    public var copySubtitles: Bool
    /// Replace an existing output.
    public var overwrite: Bool
    /// The frame rate of an image-sequence input; nil for FFmpeg's 25.
    public var sequenceFrameRate: Rational?

    public init(
        queueCapacity: Int = 2, workersPerStage: Int = 1, decoderThreads: Int = 0, copyOtherStreams: Bool = true,
        copySubtitles: Bool = true, overwrite: Bool = false, sequenceFrameRate: Rational? = nil
    ) {
        precondition(queueCapacity >= 1, "queueCapacity must be at least 1")
        precondition(workersPerStage >= 1, "workersPerStage must be at least 1")
        self.queueCapacity = queueCapacity
        self.workersPerStage = workersPerStage
        self.decoderThreads = decoderThreads
        self.copyOtherStreams = copyOtherStreams
        self.copySubtitles = copySubtitles
        self.overwrite = overwrite
        self.sequenceFrameRate = sequenceFrameRate
    }

    /// The most frames that can exist at once between decoder and encoder with `stageCount` stages: one held by the
    /// decoder, every queue full, every stage worker busy, one in the encoder. Memory ≈ this × width × height × 12 B.
    public func framesInFlightBound(stageCount: Int) -> Int {
        1 + (stageCount + 1) * queueCapacity + stageCount * workersPerStage + 1
    }
}

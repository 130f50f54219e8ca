import MediaIO

/// What a finished ``VideoRestorer/run(cancellation:progress:)`` did.
public struct RestorationSummary: Sendable {
    /// Frames decoded, restored and encoded (always equal; a mismatch is an error).
    public let frames: Int
    /// Wall-clock seconds of the run.
    public let seconds: Double
    /// The pixel format the encoder received.
    public let outputPixelFormat: String
    /// The most frames that existed at once between decoder and encoder (decoded minus encoded, sampled at each decode).
    public let maxFramesInFlight: Int
    /// The bound the queues guarantee for ``maxFramesInFlight`` (``RestorerOptions/framesInFlightBound(stageCount:)``).
    public let framesInFlightBound: Int
    /// Damage found in the input (rejected packets, an early end); empty for a sound input.
    public var inputDamage = InputDamage()
    /// Input frames flagged interlaced: restored as progressive pictures (fields are not separated).
    public var interlacedFrames = 0
    /// Input frames whose size or pixel format changed mid-stream, scaled to the stream's, and the first described.
    public var rescaledFrames = 0
    public var firstRescaled = ""
    /// Input frames that carried closed captions.
    public var captionedFrames = 0
    /// Input frames whose timestamp was not after the previous frame's, moved one tick after it.
    public var retimedFrames = 0

    /// Takes what the reader found in the input (damage, interlacing) once it has been read.
    mutating func noteInput(of reader: VideoReader) {
        inputDamage = reader.damage
        interlacedFrames = reader.interlacedFrames
        (rescaledFrames, firstRescaled) = (reader.rescaledFrames, reader.firstRescaled)
        retimedFrames = reader.retimedFrames
        captionedFrames = reader.captionedFrames
    }
}

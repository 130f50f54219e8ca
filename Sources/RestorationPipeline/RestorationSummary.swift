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
    /// What reading the input noticed (interlacing, pictures scaled, timestamps moved, captions).
    public var inputNotes = InputNotes()

    /// Takes what the reader found in the input (damage, interlacing) once it has been read.
    mutating func noteInput(of reader: VideoReader) {
        inputDamage = reader.damage
        inputNotes = reader.notes
    }
}

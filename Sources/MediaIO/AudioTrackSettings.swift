/// An audio track to encode from samples the caller provides (used to build synthetic test clips).
public struct AudioTrackSettings: Sendable, Equatable {
    /// libavcodec encoder name, e.g. "aac" or "pcm_s16le".
    public var codec: String
    public var sampleRate: Int
    public var channels: Int

    public init(codec: String = "aac", sampleRate: Int = 48_000, channels: Int = 2) {
        self.codec = codec
        self.sampleRate = sampleRate
        self.channels = channels
    }
}

import CFFmpeg

/// An input stream (audio, subtitle, data) that is copied packet-for-packet to the output, with its time base.
public struct PassthroughStream: Sendable {
    /// Index of the stream in the input file.
    public let inputIndex: Int32
    /// "audio", "subtitle", "data", …
    public let mediaType: String
    /// Codec name, e.g. "aac".
    public let codec: String
    public let timeBase: Rational
    let parameters: CodecParameters
}

/// One packet of a ``PassthroughStream``, on its way from the demuxer to the muxer.
public struct PassthroughPacket: Sendable {
    public let inputIndex: Int32
    let packet: Packet
}

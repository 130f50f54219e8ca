import CFFmpeg

/// An input stream (audio, subtitle, data) that is copied packet-for-packet to the output, with its time base.
public struct PassthroughStream: Sendable {
    /// Index of the stream in the input file.
    public let inputIndex: Int32
    /// Codec name, e.g. "aac".
    public let codec: String
    public let timeBase: Rational
    /// The stream's tags (language, title, …), copied to the output stream.
    public let tags: [String: String]
    /// `AV_DISPOSITION_*` flags (default, forced, hearing impaired, …), copied too.
    let disposition: Int32
    let parameters: CodecParameters
}

/// The kinds of input stream a job copies beside the restored video (a second video stream is not one of them);
/// attachments are Matroska's fonts for its styled subtitles. `subtitles` false leaves subtitles and their fonts
/// out (`--no-subtitles`: an MP4 output cannot hold SubRip or ASS).
func isCopiedMediaType(_ type: AVMediaType, subtitles: Bool = true) -> Bool {
    if type == AVMEDIA_TYPE_SUBTITLE || type == AVMEDIA_TYPE_ATTACHMENT { return subtitles }
    return type == AVMEDIA_TYPE_AUDIO || type == AVMEDIA_TYPE_DATA
}

/// A libav dictionary as Swift key/value pairs.

func dictionaryEntries(_ dictionary: OpaquePointer?) -> [String: String] {
    var entries: [String: String] = [:]
    var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
    while let next = av_dict_get(dictionary, "", entry, AV_DICT_IGNORE_SUFFIX) {
        entries[String(cString: next.pointee.key)] = String(cString: next.pointee.value)
        entry = next
    }
    return entries
}

/// One packet of a ``PassthroughStream``, on its way from the demuxer to the muxer.
public struct PassthroughPacket: Sendable {
    public let inputIndex: Int32
    let packet: Packet
}

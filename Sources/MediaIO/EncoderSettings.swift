import CFFmpeg

/// How to encode the output video: any libavcodec encoder by name plus its common knobs.
///
/// `crf` and `preset` apply to encoders that have those options (libx264, libx265, …). Left `nil`, they default to
/// ``defaultCRF`` / ``defaultPreset`` on such encoders and are ignored elsewhere; set explicitly for an encoder without
/// them, opening the encoder fails with a message naming the option.
public struct EncoderSettings: Sendable, Equatable {
    public static let defaultCodec = "libx264"
    public static let defaultCRF = 16.0
    public static let defaultPreset = "medium"

    /// The encoder to use when none is named: an image sequence gets its format's own codec (`png`, `tiff`,
    /// `mjpeg`, …; PNG keeps 16-bit), a container that cannot hold H.264 its own default (WebM: VP9), any other
    /// video container ``defaultCodec``.
    public static func defaultCodec(forOutput name: String) -> String {
        guard let format = av_guess_format(nil, name, nil) else { return defaultCodec }
        let id: AVCodecID
        if Muxer.isImageFormat(format) {
            id = av_guess_codec(format, nil, name, nil, AVMEDIA_TYPE_VIDEO)
        } else if Muxer.holds(format, AV_CODEC_ID_H264) == false {
            id = format.pointee.video_codec
        } else {
            return defaultCodec
        }
        guard let encoder = avcodec_find_encoder(id) else { return defaultCodec }
        return String(cString: encoder.pointee.name)
    }

    /// Encoders without CRF whose rate control aims at libavcodec's default 200 kb/s (JPEG, MPEG-2, MPEG-4 Part 2,
    /// …): they code at a fixed quantiser of ``defaultQuantiser`` instead (`ffmpeg -q:v 2`), unless the options set a
    /// rate. At the default rate a JPEG sequence's first frame came out at 29 dB and the next at 35 dB.
    public static let fixedQuantiserEncoders: Set<String> = [
        "mjpeg", "mpeg1video", "mpeg2video", "mpeg4", "msmpeg4", "msmpeg4v2", "h263", "h263p", "flv", "wmv1", "wmv2",
    ]
    public static let defaultQuantiser: Int32 = 2

    public var codec: String
    public var crf: Double?
    public var preset: String?
    /// Output pixel format name; nil keeps the input's bit depth and chroma where the encoder supports it.
    public var pixelFormat: String?
    /// Further encoder options (`AVOption` names), e.g. `["qp": "0"]`.
    public var options: [String: String]
    /// Encoder threads; 0 lets the encoder choose.
    public var threads: Int

    public init(
        codec: String = EncoderSettings.defaultCodec, crf: Double? = nil, preset: String? = nil,
        pixelFormat: String? = nil, options: [String: String] = [:], threads: Int = 0
    ) {
        self.codec = codec
        self.crf = crf
        self.preset = preset
        self.pixelFormat = pixelFormat
        self.options = options
        self.threads = threads
    }
}

import CFFmpeg

/// How to encode the output video: any libavcodec encoder by name plus its common knobs.
///
/// `crf` and `preset` apply to encoders that have those options (libx264, libx265, …). Left `nil`, they default to
/// ``preferredCRF`` / ``preferredPreset`` on such encoders and are ignored elsewhere; set explicitly for an encoder
/// without them, opening the encoder fails with a message naming the option.
public struct EncoderSettings: Sendable, Equatable {
    public static let defaultCodec = "libx264"
    public static let defaultCRF = 16.0
    public static let defaultPreset = "medium"
    /// Default video codecs of containers without a codec table that hold H.264 as well (MPEG-TS, MPEG-PS, VOB).
    private static let mpegVideoDefaults: Set<AVCodecID> = [AV_CODEC_ID_MPEG1VIDEO, AV_CODEC_ID_MPEG2VIDEO]

    /// The encoder to use when none is named: an image sequence gets its format's own codec (`png`, `tiff`,
    /// `mjpeg`, …; PNG keeps 16-bit), a container that cannot hold H.264 its own default (WebM: VP9; and those that
    /// keep no codec table, which take only their own: WebP, GIF, APNG), any other video container ``defaultCodec``
    /// (MPEG-TS and MPEG-PS too, whose own default, MPEG-2, codes far worse).
    public static func defaultCodec(forOutput name: String) -> String {
        guard let format = av_guess_format(nil, name, nil) else { return defaultCodec }
        let id: AVCodecID
        if Muxer.isImageFormat(format) {
            id = av_guess_codec(format, nil, name, nil, AVMEDIA_TYPE_VIDEO)
        } else {
            switch Muxer.holds(format, AV_CODEC_ID_H264) {
            case true?: return defaultCodec
            case nil where mpegVideoDefaults.contains(format.pointee.video_codec): return defaultCodec
            default: id = format.pointee.video_codec  // it cannot, or keeps no table and takes only its own
            }
        }
        guard let encoder = avcodec_find_encoder(id) else { return defaultCodec }
        return String(cString: encoder.pointee.name)
    }

    /// `preferred` where the output's container holds it, else the output's own ``defaultCodec(forOutput:)``: a
    /// picture or frame sequence is always written in its format's codec (PNG data in a `.tiff` file would be
    /// wrong), WebM takes VP9 for H.264, WebP/GIF/APNG their own. Containers that keep no codec table and take
    /// H.264 (MPEG-TS) keep `preferred`; an unknown name too, for the encoder to refuse.
    public static func codec(preferring preferred: String, forOutput name: String) -> String {
        let fallback = defaultCodec(forOutput: name)
        guard let format = av_guess_format(nil, name, nil), let encoder = avcodec_find_encoder_by_name(preferred)
        else { return preferred }
        if Muxer.isImageFormat(format) { return fallback }
        switch Muxer.holds(format, encoder.pointee.id) {
        case true?: return preferred
        case false?: return fallback
        case nil: return fallback == defaultCodec ? preferred : fallback
        }
    }

    /// Encoders without CRF whose rate control aims at libavcodec's default 200 kb/s (JPEG, MPEG-2, MPEG-4 Part 2,
    /// …): they code at a fixed quantiser of ``defaultQuantiser`` instead (`ffmpeg -q:v 2`), unless the options set a
    /// rate. At the default rate a JPEG sequence's first frame came out at 29 dB and the next at 35 dB.
    public static let fixedQuantiserEncoders: Set<String> = [
        "mjpeg", "mpeg1video", "mpeg2video", "mpeg4", "msmpeg4", "msmpeg4v2", "h263", "h263p", "flv", "wmv1", "wmv2",
    ]
    public static let defaultQuantiser: Int32 = 2

    /// Whether a file-to-file job with this encoder can run in segments (``SegmentEncoder``, joined by
    /// ``SegmentConcatenator``): the encoders whose joined segments were checked to decode to every frame. Others
    /// carry state the segment files do not keep (APNG's headers travel as packet side data: joining them crashed
    /// libavformat; Theora and AV1 in Matroska lost frames or failed to mux) and run in one piece.
    public static func joinsSegments(_ codec: String) -> Bool { segmentJoiningEncoders.contains(codec) }

    private static let segmentJoiningEncoders: Set<String> = [
        "libx264", "libx264rgb", "libx265", "ffv1", "libvpx", "libvpx-vp9", "prores_ks", "prores", "mpeg4", "libxvid",
        "png", "huffyuv", "ffvhuff", "qtrle", "rawvideo", "gif", "mjpeg",
    ]

    public var codec: String
    public var crf: Double?
    public var preset: String?
    /// CRF and preset for encoders that have them, ignored by the others: a pipeline file's `crf`/`preset`, so that
    /// one file serves an inbox of videos and pictures (PNG has no CRF; libwebp's presets are numbers).
    public var preferredCRF = EncoderSettings.defaultCRF
    public var preferredPreset = EncoderSettings.defaultPreset
    /// A pipeline file's `pix_fmt`: used where the encoder takes it and it fits the picture, else the choice made
    /// without one (a `yuv420p` policy for videos must not fail a PNG or GIF output).
    public var preferredPixelFormat: String?
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

/// What a video stream looks like: everything the writer needs to reproduce its format and timing.
public struct VideoFormat: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// libav pixel format name, e.g. `"yuv420p10le"`.
    public var pixelFormat: String
    /// The time base of the frames' pts; the encoder uses the same one so pts pass through unchanged.
    public var timeBase: Rational
    /// Nominal (average) frame rate; unknown (0/0) for some variable-frame-rate inputs.
    public var frameRate: Rational
    /// Sample (pixel) aspect ratio; 0/1 when unknown.
    public var sampleAspectRatio: Rational
    public var colors: ColorTags
    /// The container's frame count, or an estimate from duration × frame rate; nil when neither is known.
    public var estimatedFrameCount: Int?
    /// Clockwise quarter turns the reader applied so the frames are upright (from the input's display matrix); the
    /// size and aspect ratio above are those of the turned frames, and the output carries no display matrix.
    public var quarterTurns = 0
    /// HDR10 static metadata of the input, carried to the output container (empty for SDR).
    public var hdr = HDRMetadata()
    /// The input video stream's tags that still describe the restored video: `language`, `title` and the start
    /// `timecode` (from the stream, the file, or a QuickTime `tmcd` track, which the output's muxer recreates).
    public var tags: [String: String] = [:]
    /// The input file's own tags (creation time, title, location, comment, …), copied to the output file as FFmpeg's
    /// tool copies them: a phone video keeps the date and place a photo library sorts it by. Tags that describe the
    /// input's container itself (brands, the encoder) are left out; each muxer writes the ones it knows.
    public var fileTags: [String: String] = [:]
    /// The input's chapter marks, copied to the output.
    public var chapters: [Chapter] = []

    public init(
        width: Int, height: Int, pixelFormat: String, timeBase: Rational, frameRate: Rational,
        sampleAspectRatio: Rational = Rational(0, 1), colors: ColorTags = .unspecified, estimatedFrameCount: Int? = nil
    ) {
        self.width = width
        self.height = height
        self.pixelFormat = pixelFormat
        self.timeBase = timeBase
        self.frameRate = frameRate
        self.sampleAspectRatio = sampleAspectRatio
        self.colors = colors
        self.estimatedFrameCount = estimatedFrameCount
    }
}

/// What reading an input noticed that the user should hear of though the job went on — interlaced pictures, a
/// picture that changed mid-stream, timestamps moved, closed captions — kept by the reader and said once, after
/// the job's summary.
public struct InputNotes: Sendable {
    /// Frames the decoder marked as interlaced (restored as progressive pictures).
    public var interlacedFrames = 0
    /// Frames whose size or pixel format differed from the stream's, scaled to it (``FrameRescaler``), and the first
    /// of them described.
    public var rescaledFrames = 0
    public var firstRescaled = ""
    /// Frames whose timestamp was not after the previous frame's, moved one tick after it.
    public var retimedFrames = 0
    /// Frames that carried closed captions (``FrameSideData``).
    public var captionedFrames = 0

    public init() {}

    /// The warnings, one line each, for a job that wrote its video with the encoder `codec` (which decides whether
    /// the captions were kept).
    public func warnings(encoder codec: String) -> [String] {
        var lines: [String] = []
        if interlacedFrames > 0 {
            lines.append("\(interlacedFrames) interlaced frame(s) were restored as progressive pictures; deinterlace "
                + "first for best results (e.g. ffmpeg -vf bwdif)")
        }
        if rescaledFrames > 0 {
            lines.append("the picture changed mid-stream (\(firstRescaled)); \(rescaledFrames) frame(s) were scaled to "
                + "the stream's size and format")
        }
        if captionedFrames > 0 && !FrameSideData.captionsCarried(by: codec) {
            lines.append("its closed captions were dropped: \(codec) cannot write them into the video (libx264 can)")
        }
        if retimedFrames > 0 {
            lines.append("\(retimedFrames) frame(s) had the previous frame's timestamp (or an earlier one) and were "
                + "moved one tick after it")
        }
        return lines
    }
}

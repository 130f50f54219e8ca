import CFFmpeg

/// Brings a picture whose size or pixel format changed mid-stream back to the stream's: a TV recording that
/// switches between an SD and an HD programme, clips joined without re-encoding. The encoder and the tiling are set up
/// once for the stream's size, so such frames are scaled to it (bicubic), as FFmpeg's own tool scales them, and every
/// frame still comes out — where the job used to stop at the first one.
final class FrameRescaler {
    let width: Int
    let height: Int
    let pixelFormat: AVPixelFormat
    private let file: String
    private var sws: OpaquePointer?
    /// The scaled picture, allocated at the first frame that needs it (most streams never change).
    private var output: Frame?

    init(width: Int, height: Int, pixelFormat: AVPixelFormat, file: String) {
        self.width = width
        self.height = height
        self.pixelFormat = pixelFormat
        self.file = file
    }

    deinit { sws_freeContext(sws) }

    /// Whether `frame` differs from the stream's size or pixel format.
    func needs(_ frame: Frame) -> Bool {
        let f = frame.pointer.pointee
        return Int(f.width) != width || Int(f.height) != height || f.format != pixelFormat.rawValue
    }

    /// `frame`'s picture at the stream's size and pixel format, valid until the next call.
    func rescale(_ frame: Frame) throws(MediaError) -> Frame {
        let f = frame.pointer.pointee
        sws = sws_getCachedContext(
            sws, f.width, f.height, AVPixelFormat(rawValue: f.format), Int32(width), Int32(height), pixelFormat,
            SWS_BICUBIC | SWS_ACCURATE_RND, nil, nil, nil)
        guard let sws else {
            throw MediaError(
                file: file, operation: "scale a frame whose size changed mid-stream",
                reason: "libswscale cannot convert \(f.width)x\(f.height) \(pixelFormatName(AVPixelFormat(rawValue: f.format))) "
                    + "to \(width)x\(height) \(pixelFormatName(pixelFormat))")
        }
        if self.output == nil {
            self.output = try Frame(width: width, height: height, pixelFormat: pixelFormat, file: file)
        }
        let output = self.output!
        try libavRequire(av_frame_make_writable(output.pointer), "scale a frame", file: file)
        try libavRequire(sws_scale_frame(sws, output.pointer, frame.pointer), "scale a frame", file: file)
        return output
    }
}

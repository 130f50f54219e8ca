import CFFmpeg
import Testing

@testable import MediaIO

@Suite struct EncoderSettingsTests {
    @Test(arguments: [
        ("frames/%04d.png", "png"), ("out/%06d.tiff", "tiff"), ("a/%03d.jpg", "mjpeg"),
        ("out.mp4", "libx264"), ("out.mkv", "libx264"), ("out.mov", "libx264"), ("out.ts", "libx264"),
        ("out.webm", "libvpx-vp9"),  // WebM cannot hold H.264: its own default
        ("out.webp", "libwebp_anim"), ("out.gif", "gif"), ("out.mpg", "libx264"),  // only their own; MPEG-PS holds H.264
    ])
    func defaultEncoderFollowsTheOutput(name: String, codec: String) {
        #expect(EncoderSettings.defaultCodec(forOutput: name) == codec)
    }

    /// A pipeline file's pixel format is used where the encoder takes it and it fits the picture; otherwise the
    /// choice made without one (the input's, or the closest the encoder has).
    @Test(arguments: [
        ("libx264", "yuv422p", 64, 48, "yuv422p"), ("libx264", "yuv420p", 65, 49, "yuv444p"),
        ("png", "yuv420p", 64, 48, "rgb24"), ("gif", "yuv420p", 64, 48, "rgb8"),
    ])
    func preferredPixelFormatWhereTheEncoderTakesIt(
        codec: String, preferred: String, width: Int, height: Int, chosen: String
    ) throws {
        let encoder = try #require(avcodec_find_encoder_by_name(codec))
        let format = try VideoEncoder.choosePixelFormat(
            codec: encoder, requested: nil, preferred: preferred, input: "rgb24", width: width, height: height,
            file: "out")
        #expect(pixelFormatName(format) == chosen)
    }

    @Test func anUnknownPreferredPixelFormatIsAnError() throws {
        let encoder = try #require(avcodec_find_encoder_by_name("libx264"))
        #expect(throws: MediaError.self) {
            _ = try VideoEncoder.choosePixelFormat(
                codec: encoder, requested: nil, preferred: "yuv42Op", input: "rgb24", width: 64, height: 48, file: "out")
        }
    }

    /// A pipeline file's codec is kept where the container holds it, else the output takes its own.
    @Test(arguments: [
        ("libx265", "out.mkv", "libx265"), ("prores_ks", "out.mov", "prores_ks"), ("libx264", "out.ts", "libx264"), ("ffv1", "out.ts", "libx264"),
        ("libx264", "photo.png", "png"), ("png", "frames/%04d.tiff", "tiff"), ("libx264", "out.webm", "libvpx-vp9"),
        ("libx264", "out.webp", "libwebp_anim"), ("libx264", "out.gif", "gif"),
        ("no-such-encoder", "out.mp4", "no-such-encoder"),
    ])
    func preferredCodecWhereTheContainerHoldsIt(preferred: String, output: String, codec: String) {
        #expect(EncoderSettings.codec(preferring: preferred, forOutput: output) == codec)
    }
}

import Foundation
import MaximTestSupport
import MediaIO
import Testing

@Suite("VideoWriter")
struct VideoWriterTests {
    let format = VideoFormat(width: 32, height: 32, pixelFormat: "yuv420p", timeBase: Rational(1, 25), frameRate: Rational(25, 1))

    @Test func unknownEncoderIsNamed() throws {
        let dir = try TemporaryDirectory()
        let error = #expect(throws: MediaError.self) {
            try VideoWriter(path: dir.path("out.mp4"), video: format, encoder: EncoderSettings(codec: "no-such-codec"))
        }
        #expect(error?.operation == "open encoder no-such-codec")
        #expect(dir.contents().isEmpty)
    }

    @Test func optionTheEncoderLacksIsRejected() throws {
        let dir = try TemporaryDirectory()
        let error = #expect(throws: MediaError.self) {
            try VideoWriter(path: dir.path("out.mkv"), video: format, encoder: EncoderSettings(codec: "ffv1", crf: 20))
        }
        #expect(error?.reason == "the encoder has no option 'crf'")
    }

    @Test func pixelFormatTheEncoderLacksIsRejected() throws {
        let dir = try TemporaryDirectory()
        let error = #expect(throws: MediaError.self) {
            try VideoWriter(path: dir.path("out.mp4"), video: format, encoder: EncoderSettings(pixelFormat: "rgb48be"))
        }
        #expect(error?.reason == "encoder libx264 does not take rgb48be")
    }

    @Test(arguments: [
        ("yuv420p10le", "libx264", "yuv420p10le"), ("yuv422p", "libx264", "yuv422p"), ("rgb48be", "libx264", "yuv444p10le"),
        ("yuv420p10le", "png", "rgb48be"), ("rgb24", "png", "rgb24"), ("gray16be", "png", "gray16be"),
    ])
    func defaultPixelFormatKeepsDepthAndChroma(input: String, codec: String, expected: String) throws {
        let dir = try TemporaryDirectory()
        var video = format
        video.pixelFormat = input
        let name = codec == "png" ? dir.path("%04d.png") : dir.path("out.mp4")
        let writer = try VideoWriter(path: name, video: video, encoder: EncoderSettings(codec: codec))
        #expect(writer.outputPixelFormat == expected)
    }

    @Test func unknownContainerExtensionIsRejected() throws {
        let dir = try TemporaryDirectory()
        let error = #expect(throws: MediaError.self) {
            try VideoWriter(path: dir.path("out.nosuchext"), video: format, encoder: EncoderSettings())
        }
        #expect(error?.operation == "choose the output container")
    }
}

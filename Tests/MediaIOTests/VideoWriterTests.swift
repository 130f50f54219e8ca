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

    @Test func unknownPresetIsNamedInTheHint() throws {
        let dir = try TemporaryDirectory()
        let error = #expect(throws: MediaError.self) {
            try VideoWriter(path: dir.path("out.mp4"), video: format, encoder: EncoderSettings(preset: "nope"))
        }
        #expect(error?.hint?.hasPrefix("is 'nope' one of its presets?") == true, "\(String(describing: error))")
    }

    /// Foundation's file errors print as a paragraph of `NSCocoaErrorDomain` and user info; a message takes the cause.
    @Test func fileSystemErrorBecomesItsCause() throws {
        let dir = try TemporaryDirectory()
        do {
            try FileManager.default.createDirectory(atPath: dir.path("missing/child"), withIntermediateDirectories: false)
            Issue.record("created a directory inside a missing one")
        } catch {
            #expect(MediaError.reason(for: error) == "No such file or directory")
        }
    }

    @Test func audioTrackIntoImageSequenceIsRefused() throws {
        let dir = try TemporaryDirectory()
        let error = #expect(throws: MediaError.self) {
            try VideoWriter(path: dir.path("%04d.png"), video: format, encoder: EncoderSettings(codec: "png"),
                            audio: AudioTrackSettings(codec: "aac"))
        }
        #expect(error?.reason == "an image sequence holds pictures only")
        #expect(dir.contents().isEmpty)
    }

    @Test func unknownContainerExtensionIsRejected() throws {
        let dir = try TemporaryDirectory()
        let error = #expect(throws: MediaError.self) {
            try VideoWriter(path: dir.path("out.nosuchext"), video: format, encoder: EncoderSettings())
        }
        #expect(error?.operation == "choose the output container")
    }

    /// Towards subsampled chroma at an odd size, swscale alone leaves the last chroma column unwritten (the encoder
    /// then codes stale memory); every pixel of a flat picture, edges included, must come back in its colour.
    @Test(arguments: [("yuv420p", 65, 37), ("yuv422p", 33, 8), ("yuv420p10le", 17, 9)])
    func oddSizedSubsampledFramesKeepTheirColourUpToTheLastColumn(pixelFormat: String, width: Int, height: Int) throws {
        let dir = try TemporaryDirectory()
        var video = format
        (video.width, video.height, video.pixelFormat) = (width, height, pixelFormat)
        let colours: [[Float]] = [[0.8, 0.3, 0.5], [0.1, 0.6, 0.9]]
        let writer = try VideoWriter(
            path: dir.path("out.mkv"), video: video, encoder: EncoderSettings(codec: "ffv1", pixelFormat: pixelFormat))
        for (i, rgb) in colours.enumerated() {
            let plane = width * height
            let pixels = (0..<3).flatMap { c in [Float](repeating: rgb[c], count: plane) }
            try writer.write(RGBImage(width: width, height: height, pixels: pixels), timing: FrameTiming(pts: Int64(i), duration: 1))
        }
        try writer.finish()
        let decoded = try DecodedClip(dir.path("out.mkv"))
        #expect(decoded.images.count == colours.count)
        for (image, rgb) in zip(decoded.images, colours) {
            let plane = width * height
            for c in 0..<3 {
                let worst = image.pixels[(c * plane)..<((c + 1) * plane)].map { abs($0 - rgb[c]) }.max() ?? 0
                #expect(worst <= 2 / 255, "\(pixelFormat) \(width)x\(height) channel \(c): off by \(worst * 255) codes")
            }
        }
    }
}

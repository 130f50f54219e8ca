import Foundation
import MaximTestSupport
import MediaIO
import RestorationPipeline
import Testing

/// JPEG frame sequences: written at a fixed high quality, in the colours every decoder reads back.
@Suite("JPEG output")
struct JPEGOutputTests {
    private func identity(_ input: String, to output: String) throws {
        try VideoRestorer(
            input: input, output: output, stages: [IdentityStage()],
            encoder: EncoderSettings(codec: EncoderSettings.defaultCodec(forOutput: output))
        ).run()
    }

    /// HD pictures without colour tags are converted with BT.709, but JPEG (JFIF) is BT.601 whatever the size, and
    /// decoders read it so: written with BT.709, the colours shifted (38.6 dB against 45.4 for `ffmpeg -q:v 2`).
    @Test func hdPicturesKeepTheirColours() throws {
        let dir = try TemporaryDirectory()
        for sub in ["in", "out"] { try FileManager.default.createDirectory(atPath: dir.path(sub), withIntermediateDirectories: false) }
        var clip = SyntheticClip()
        (clip.width, clip.height, clip.frames, clip.codec, clip.pixelFormat) = (1280, 720, 2, "png", "rgb24")
        try clip.write(to: dir.path("in/%04d.png"))
        try identity(dir.path("in/%04d.png"), to: dir.path("out/%04d.jpg"))
        let input = try DecodedClip(dir.path("in/%04d.png")), output = try DecodedClip(dir.path("out/%04d.jpg"))
        #expect(output.format.colors.matrixName == "bt470bg")
        #expect(output.images.count == 2)
        for (a, b) in zip(input.images, output.images) { #expect(psnr(a, b) > 45, "\(psnr(a, b)) dB") }
    }

    /// Noisy frames (hard to compress) at a fixed quantiser: every frame alike, none starved by a bit-rate target
    /// (at libavcodec's default 200 kb/s the first came out at 29.2 dB, the second at 35.1).
    @Test func everyFrameGetsTheSameHighQuality() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path("out"), withIntermediateDirectories: false)
        let source = Fixtures.denoise("noisy").appendingPathComponent("%04d.png").path
        try identity(source, to: dir.path("out/%04d.jpg"))
        let input = try DecodedClip(source), output = try DecodedClip(dir.path("out/%04d.jpg"))
        let values = zip(input.images, output.images).map { psnr($0, $1) }
        #expect(values.count == 2)
        #expect(values.allSatisfy { $0 > 34.5 }, "\(values)")
    }
}

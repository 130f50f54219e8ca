import Foundation
import MaximTestSupport
import MediaIO
import RestorationPipeline
import Testing

@Suite("Image-sequence inputs")
struct ImageSequenceInputTests {
    /// PNG (8/16-bit, gray, RGBA), TIFF and JPEG sequences decode, convert and encode with every frame kept.
    @Test(arguments: [
        // 8-bit quantisation of the float source alone gives ≈ 59 dB, 16-bit ≈ 107 dB; JPEG at libavcodec's
        // default bit rate is lossy.
        ("png", "rgb24", "png", 55.0), ("png", "rgba", "png", 55.0), ("png", "gray", "png", 45.0),
        ("png", "gray16be", "png", 60.0), ("png", "rgb48be", "png", 100.0), ("tiff", "rgb24", "tif", 55.0),
        ("mjpeg", "yuvj420p", "jpg", 25.0),
    ])
    func sequenceDecodesEveryFrame(codec: String, pixelFormat: String, ext: String, minimumPSNR: Double) throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path("frames"), withIntermediateDirectories: false)
        var clip = SyntheticClip()
        clip.codec = codec
        clip.pixelFormat = pixelFormat
        clip.frames = 4
        try clip.write(to: dir.path("frames/%04d.\(ext)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("frames")).count == 4)

        let summary = try VideoRestorer(
            input: dir.path("frames/%04d.\(ext)"), output: dir.path("out.mkv"), stages: [IdentityStage()],
            encoder: EncoderSettings(codec: "ffv1")
        ).run()
        #expect(summary.frames == 4)
        let decoded = try DecodedClip(dir.path("frames/%04d.\(ext)"))
        #expect(decoded.format.pixelFormat == pixelFormat)
        for (i, image) in decoded.images.enumerated() {
            // Gray files keep only BT.601 luma (full range, as untagged gray is read), so compare with that.
            let reference = pixelFormat.hasPrefix("gray") ? luma(clip.image(i)) : clip.image(i)
            let value = psnr(image, reference)
            #expect(value >= minimumPSNR, "frame \(i): \(value) dB")
        }
    }

    /// A sequence has no rate of its own: FFmpeg reads it at 25 frames a second unless told; `--framerate` tells it.
    @Test(arguments: [(nil, Rational(25, 1)), (Rational(24000, 1001), Rational(24000, 1001))] as [(Rational?, Rational)])
    func sequenceTakesTheFrameRateItIsGiven(given: Rational?, expected: Rational) throws {
        let dir = try TemporaryDirectory()
        _ = try frames(numbered: [1, 2, 3, 4], in: dir)
        try VideoRestorer(
            input: dir.path("frames/%04d.png"), output: dir.path("out.mkv"), stages: [IdentityStage()],
            encoder: EncoderSettings(codec: "ffv1"), options: RestorerOptions(sequenceFrameRate: given)
        ).run()
        let info = try MediaInfo.probe(dir.path("out.mkv"), collectTimestamps: true)
        #expect(info.video?.frameRate == expected)
        let seconds = try #require(info.video?.packetTimestamps).map { Double($0) * info.video!.timeBase.doubleValue }
        #expect(abs(seconds[3] - seconds[0] - 3 / expected.doubleValue) < 0.002, "\(seconds)")
    }

    /// Four PNG frames renamed to `numbers` (written 0001…0004 first), in `dir/frames`.
    func frames(numbered numbers: [Int], in dir: TemporaryDirectory) throws -> SyntheticClip {
        try FileManager.default.createDirectory(atPath: dir.path("frames"), withIntermediateDirectories: false)
        var clip = SyntheticClip()
        clip.codec = "png"
        clip.pixelFormat = "rgb24"
        clip.frames = numbers.count
        try clip.write(to: dir.path("frames/%04d.png"))
        for (i, n) in numbers.enumerated().reversed() where n != i + 1 {
            try FileManager.default.moveItem(
                atPath: dir.path(String(format: "frames/%04d.png", i + 1)), toPath: dir.path(String(format: "frames/%04d.png", n)))
        }
        return clip
    }

    /// Frames exported from 1001 on (as editors number them): FFmpeg alone looks for the first among 0–4.
    @Test func sequenceStartingAt1001IsReadWhole() throws {
        let dir = try TemporaryDirectory()
        let clip = try frames(numbered: [1001, 1002, 1003], in: dir)
        let summary = try VideoRestorer(
            input: dir.path("frames/%04d.png"), output: dir.path("out.mkv"), stages: [IdentityStage()],
            encoder: EncoderSettings(codec: "ffv1")
        ).run()
        #expect(summary.frames == 3)
        let decoded = try DecodedClip(dir.path("out.mkv"))
        #expect(decoded.images.count == 3)
        for (i, image) in decoded.images.enumerated() { #expect(psnr(image, clip.image(i)) >= 45, "frame \(i)") }
    }

    /// A missing number fails at once, naming it: FFmpeg alone ends the video there (two frames of four, exit 0).
    @Test func gapInTheNumbersIsAnErrorNamingTheMissingFrame() throws {
        let dir = try TemporaryDirectory()
        _ = try frames(numbered: [1, 2, 4, 5], in: dir)
        let error = #expect(throws: MediaError.self) {
            try VideoRestorer(input: dir.path("frames/%04d.png"), output: dir.path("out.mkv"), stages: [IdentityStage()])
                .run()
        }
        #expect(error?.reason == "frame 0003 is missing: the files jump from 0002 to 0004")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.mkv")))
    }

    /// `%04d` names `0007.png`, not `07.png` or `frame.png`: other files in the folder are not frames.
    @Test func onlyNamesThePatternWritesAreFrames() throws {
        let dir = try TemporaryDirectory()
        _ = try frames(numbered: [7, 8], in: dir)
        for stray in ["07.png", "09x.png", "notes.txt", "00010.png"] {
            FileManager.default.createFile(atPath: dir.path("frames/\(stray)"), contents: Data([1]))
        }
        let summary = try VideoRestorer(
            input: dir.path("frames/%04d.png"), output: dir.path("out.mkv"), stages: [IdentityStage()],
            encoder: EncoderSettings(codec: "ffv1")
        ).run()
        #expect(summary.frames == 2)
    }

    /// The image with R = G = B = BT.601 luma, clipped to [0, 1].
    func luma(_ image: RGBImage) -> RGBImage {
        let n = image.planeSize
        var pixels = image.pixels
        for i in 0..<n {
            let y = 0.299 * image.pixels[i] + 0.587 * image.pixels[n + i] + 0.114 * image.pixels[2 * n + i]
            let clipped = min(max(y, 0), 1)
            pixels[i] = clipped
            pixels[n + i] = clipped
            pixels[2 * n + i] = clipped
        }
        return RGBImage(width: image.width, height: image.height, pixels: pixels)
    }
}

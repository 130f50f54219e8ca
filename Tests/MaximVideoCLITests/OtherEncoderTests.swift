import Foundation
import MaximTestSupport
import MediaIO
import Testing

/// Encoders other than the default, file to file through the real binary: every frame comes out and decodes.
@Suite("other encoders")
struct OtherEncoderTests {
    /// APNG crashed libavformat when its segments were joined (its headers travel as packet side data); Theora and
    /// MPEG-2 need a time base of one frame (Theora played 4 of 12 frames, MPEG-2 refused to open); MJPEG in a video
    /// container refused limited-range YUV; SVT-AV1 refused x264's preset name; MPEG-4 Part 2 refused MPEG-TS's
    /// 1/90000 time base; and reading the MPEG-PS file back failed on its last frames, which carry no timestamp.
    @Test(arguments: [
        ("apng", "in.mkv", "out.apng"), ("libtheora", "in.mkv", "out.ogv"), ("mpeg2video", "in.mkv", "out.mpg"),
        ("mjpeg", "in.mkv", "out.avi"), ("libsvtav1", "in.mkv", "out.mkv"), ("mpeg4", "in.ts", "out.mp4"),
    ])
    func everyFrameComesOut(codec: String, input: String, output: String) throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        (clip.width, clip.height) = (128, 96)  // SVT-AV1 takes 64×64 and up
        if input.hasSuffix(".ts") { clip.codec = "libx264" }
        try clip.write(to: dir.path(input))
        let result = try CommandRunner.run(
            ["process", input, "-o", output, "--codec", codec, "--stage", "identity", "--resume"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let decoded = try DecodedClip(dir.path(output))
        #expect(decoded.images.count == clip.frames)
        for (i, image) in decoded.images.enumerated() {
            #expect(psnr(image, clip.image(i)) > 28, "frame \(i): \(psnr(image, clip.image(i))) dB")
        }
        if !EncoderSettings.joinsSegments(codec) {
            #expect(result.stderr.contains("cannot be written in segments; the job runs in one piece"), "\(result.stderr)")
        }
    }

    /// x265 and SVT-AV1 print version banners and settings on their own (20–60 lines per job, into every cron log);
    /// like libav's messages they show only with --verbose: a job prints its one summary line.
    @Test(arguments: [("libx265", "out.mp4"), ("libsvtav1", "out.mkv")])
    func chattyEncodersPrintOnlyTheSummary(codec: String, output: String) throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        (clip.width, clip.height) = (128, 96)
        try clip.write(to: dir.path("in.mkv"))
        let result = try CommandRunner.run(
            ["process", "in.mkv", "-o", output, "--codec", codec, "--stage", "identity"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("frame ") }
        #expect(lines.count == 1 && lines[0].hasPrefix("\(output): 12 frames"), "\(result.stderr)")
    }
}

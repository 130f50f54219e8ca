import Foundation
import MaximTestSupport
import MediaIO
import RestorationPipeline
import Testing

@Suite("VideoRestorer")
struct VideoRestorerTests {
    @Test func identityThroughLosslessEncoderReproducesEveryFrameExactly() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.pixelFormat = "bgr0"
        try clip.write(to: dir.path("in.mkv"))
        let restorer = VideoRestorer(
            input: dir.path("in.mkv"), output: dir.path("out.mkv"), stages: [IdentityStage()],
            encoder: EncoderSettings(codec: "ffv1"))
        let summary = try restorer.run()
        #expect(summary.frames == clip.frames)
        #expect(summary.outputPixelFormat == "bgr0")

        let input = try DecodedClip(dir.path("in.mkv"))
        let output = try DecodedClip(dir.path("out.mkv"))
        #expect(input.images.count == clip.frames)
        #expect(output.images.count == input.images.count)
        for (i, (a, b)) in zip(input.images, output.images).enumerated() {
            #expect(a == b, "frame \(i) differs by up to \(maxAbsDifference(a, b))")
        }
        #expect(output.timings.map(\.pts) == input.timings.map(\.pts))
        #expect(dir.contents() == ["in.mkv", "out.mkv"])
    }

    @Test func libx264AtCRF16KeepsPSNRAbove40dB() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.width = 320
        clip.height = 180
        try clip.write(to: dir.path("in.mkv"))
        let summary = try VideoRestorer(
            input: dir.path("in.mkv"), output: dir.path("out.mp4"), stages: [IdentityStage()],
            encoder: EncoderSettings(codec: "libx264", crf: 16)
        ).run()
        #expect(summary.outputPixelFormat == "yuv420p")
        let input = try DecodedClip(dir.path("in.mkv"))
        let output = try DecodedClip(dir.path("out.mp4"))
        #expect(output.images.count == input.images.count)
        for (i, (a, b)) in zip(input.images, output.images).enumerated() {
            let value = psnr(a, b)
            #expect(value >= 40, "frame \(i): PSNR \(value) dB")
        }
    }

    @Test(arguments: ["mkv", "mp4"])
    func variableFrameRateKeepsFrameCountAndEveryPts(container: String) throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.variableFrameRate = true
        clip.frames = 20
        try clip.write(to: dir.path("in.mkv"))
        let output = dir.path("out.\(container)")
        try VideoRestorer(input: dir.path("in.mkv"), output: output, stages: [IdentityStage()]).run()

        let input = try DecodedClip(dir.path("in.mkv"))
        let result = try DecodedClip(output)
        #expect(input.timings.map(\.pts) == clip.timings.map(\.pts))
        #expect(result.images.count == clip.frames)
        let seconds = { (clip: DecodedClip) in
            clip.timings.map { Double($0.pts) * clip.format.timeBase.doubleValue }
        }
        let expected = seconds(input)
        let actual = seconds(result)
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) { #expect(abs(a - e) < 1e-9, "pts \(a) s, expected \(e) s") }
    }

    @Test func tenBitInputGivesTenBitOutputByDefault() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.pixelFormat = "yuv420p10le"
        try clip.write(to: dir.path("in.mkv"))
        let summary = try VideoRestorer(input: dir.path("in.mkv"), output: dir.path("out.mp4"), stages: [IdentityStage()])
            .run()
        #expect(summary.outputPixelFormat == "yuv420p10le")
        let info = try MediaInfo.probe(dir.path("out.mp4"))
        #expect(info.video?.pixelFormat == "yuv420p10le")
        #expect(info.video?.codec == "h264")
    }

    @Test func sixteenBitPNGSequenceSurvivesPNGRoundTrip() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path("in"), withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: dir.path("out"), withIntermediateDirectories: false)
        var clip = SyntheticClip()
        clip.codec = "png"
        clip.pixelFormat = "rgb48be"
        clip.frames = 5
        try clip.write(to: dir.path("in/%04d.png"))
        let summary = try VideoRestorer(
            input: dir.path("in/%04d.png"), output: dir.path("out/%04d.png"), stages: [IdentityStage()],
            encoder: EncoderSettings(codec: "png")
        ).run()
        #expect(summary.outputPixelFormat == "rgb48be")
        let written = try FileManager.default.contentsOfDirectory(atPath: dir.path("out")).sorted()
        #expect(written == (1...5).map { String(format: "%04d.png", $0) })
        let input = try DecodedClip(dir.path("in/%04d.png"))
        let output = try DecodedClip(dir.path("out/%04d.png"))
        #expect(input.format.pixelFormat == "rgb48be")
        #expect(output.format.pixelFormat == "rgb48be")
        #expect(output.images.count == 5)
        for (i, (a, b)) in zip(input.images, output.images).enumerated() {
            #expect(a == b, "frame \(i) differs by up to \(maxAbsDifference(a, b))")
        }
        // 16-bit, not 8: some values fall between 8-bit codes.
        #expect(input.images[0].pixels.contains { ($0 * 255).rounded() != $0 * 255 })
    }

    @Test(arguments: [("aac", "mp4"), ("aac", "mkv"), ("pcm_s16le", "mkv")])
    func audioIsCopiedWithItsCodecAndDuration(codec: String, container: String) throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.frames = 25
        clip.audio = AudioTrackSettings(codec: codec, sampleRate: 48_000, channels: 2)
        if container == "mp4" { clip.codec = "libx264" }  // FFV1 cannot go into MP4
        let input = dir.path("in.\(container)")
        try clip.write(to: input)
        try VideoRestorer(input: input, output: dir.path("out.\(container)"), stages: [IdentityStage()]).run()

        let before = try MediaInfo.probe(input)
        let after = try MediaInfo.probe(dir.path("out.\(container)"))
        let inAudio = try #require(before.audio)
        let outAudio = try #require(after.audio, "output has no audio stream")
        #expect(outAudio.codec == inAudio.codec)
        #expect(outAudio.frameCount == inAudio.frameCount)
        let frameSeconds = 1.0 / 25
        let inDuration = try #require(inAudio.duration)
        let outDuration = try #require(outAudio.duration)
        #expect(abs(inDuration - 1.0) <= frameSeconds + 0.03, "input audio lasts \(inDuration) s")
        #expect(abs(outDuration - inDuration) <= frameSeconds, "audio \(inDuration) s became \(outDuration) s")
    }

    /// An image sequence holds pictures only: the input's audio is left out, not written as extra numbered files.
    @Test func videoWithAudioToImageSequenceWritesOneFilePerFrame() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path("out"), withIntermediateDirectories: false)
        var clip = SyntheticClip()
        clip.frames = 12
        clip.audio = AudioTrackSettings(codec: "aac", sampleRate: 48_000, channels: 2)
        try clip.write(to: dir.path("in.mkv"))
        #expect(try MediaInfo.probe(dir.path("in.mkv")).audio != nil)
        let summary = try VideoRestorer(
            input: dir.path("in.mkv"), output: dir.path("out/%04d.png"), stages: [IdentityStage()],
            encoder: EncoderSettings(codec: "png")
        ).run()
        #expect(summary.frames == 12)
        let written = try FileManager.default.contentsOfDirectory(atPath: dir.path("out")).sorted()
        #expect(written == (1...12).map { String(format: "%04d.png", $0) })
        let output = try DecodedClip(dir.path("out/%04d.png"))
        let input = try DecodedClip(dir.path("in.mkv"))
        #expect(output.images.count == 12)
        for (i, (a, b)) in zip(input.images, output.images).enumerated() {
            #expect(maxAbsDifference(a, b) <= 1.0 / 255 + 1e-6, "frame \(i) differs by \(maxAbsDifference(a, b))")
        }
    }

    /// A video whose pictures end long before its sound: every audio packet after the last frame is written, in
    /// order (the reader hands them on in pieces once the frames before them are written, not all at the end).
    @Test func soundRunningOnAfterTheLastFrameIsWrittenWhole() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        (clip.frames, clip.audio, clip.audioAfterLastFrame) = (2, AudioTrackSettings(codec: "pcm_s16le"), 100)
        try clip.write(to: dir.path("in.mkv"))
        let summary = try VideoRestorer(
            input: dir.path("in.mkv"), output: dir.path("out.mkv"), stages: [IdentityStage()],
            encoder: EncoderSettings(codec: "ffv1")
        ).run()
        #expect(summary.frames == 2)
        let input = try MediaInfo.probe(dir.path("in.mkv"), collectTimestamps: true)
        let output = try MediaInfo.probe(dir.path("out.mkv"), collectTimestamps: true)
        #expect(output.audio?.frameCount == input.audio?.frameCount)
        #expect(output.audio?.packetTimestamps == input.audio?.packetTimestamps)
        #expect(try #require(output.audio?.duration) > 100)
    }

    @Test func noAudioOptionDropsAudio() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.audio = AudioTrackSettings(codec: "aac")
        try clip.write(to: dir.path("in.mkv"))
        try VideoRestorer(
            input: dir.path("in.mkv"), output: dir.path("out.mkv"), stages: [IdentityStage()],
            options: RestorerOptions(copyOtherStreams: false)
        ).run()
        let info = try MediaInfo.probe(dir.path("out.mkv"))
        #expect(info.audio == nil)
        #expect(info.streams.count == 1)
    }

    @Test(arguments: [("tv", "bt709"), ("pc", "bt709"), ("tv", "smpte170m")])
    func colourTagsAreCopied(range: String, matrix: String) throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.colors = try ColorTags(range: range, primaries: matrix == "bt709" ? "bt709" : "smpte170m",
            transfer: matrix == "bt709" ? "bt709" : "smpte170m", matrix: matrix)
        clip.sampleAspectRatio = Rational(4, 3)
        try clip.write(to: dir.path("in.mkv"))
        try VideoRestorer(input: dir.path("in.mkv"), output: dir.path("out.mp4"), stages: [IdentityStage()]).run()
        let before = try #require(try MediaInfo.probe(dir.path("in.mkv")).video)
        let after = try #require(try MediaInfo.probe(dir.path("out.mp4")).video)
        #expect(before.colorRange == range)
        #expect(before.colorMatrix == matrix)
        #expect(after.colorRange == before.colorRange)
        #expect(after.colorPrimaries == before.colorPrimaries)
        #expect(after.colorTransfer == before.colorTransfer)
        #expect(after.colorMatrix == before.colorMatrix)
        #expect(before.sampleAspectRatio == Rational(4, 3))
        #expect(after.sampleAspectRatio == before.sampleAspectRatio)
    }

    @Test func fullRangeInputIsConvertedWithItsRange() throws {
        // Same picture written as limited and as full range must decode to (nearly) the same RGB.
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.pixelFormat = "yuv444p"
        clip.colors = try ColorTags(range: "pc", primaries: "bt709", transfer: "bt709", matrix: "bt709")
        try clip.write(to: dir.path("full.mkv"))
        clip.colors.range = try ColorTags(range: "tv", primaries: "bt709", transfer: "bt709", matrix: "bt709").range
        try clip.write(to: dir.path("limited.mkv"))
        let full = try DecodedClip(dir.path("full.mkv"))
        let limited = try DecodedClip(dir.path("limited.mkv"))
        for (a, b) in zip(full.images, limited.images) { #expect(psnr(a, b) > 40) }
        #expect(psnr(full.images[0], clip.image(0)) > 40)
    }
}

import Foundation
import MaximTestSupport
import MediaIO
import Testing

/// Odd and broken inputs through the real binary: restored correctly, or refused in one line with a non-zero status.
/// Cases our own encoder cannot make come from `Tests/Fixtures/media` (see `tools/fixtures/make_media_fixtures.sh`).
@Suite("real-world media")
struct RealWorldMediaTests {
    private func process(_ arguments: [String], in dir: TemporaryDirectory) throws -> CommandRunner.Result {
        try CommandRunner.run(["process"] + arguments + ["--stage", "identity"], in: dir.url)
    }

    /// Runs the `--resume` job `arguments`, killed half way through its fourth segment, then again, and checks that
    /// the rerun resumed at `frame` and succeeded.
    private func killAndResume(_ arguments: [String], in dir: TemporaryDirectory, resumingAt frame: Int) throws {
        var environment = ProcessInfo.processInfo.environment
        environment[TestHook.environmentVariable] = "segment-3-mid"
        let killed = try CommandRunner.run(arguments, in: dir.url, environment: environment)
        #expect(killed.status == SIGKILL, "\(killed.stderr)")
        let rerun = try CommandRunner.run(arguments + ["--verbose"], in: dir.url)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("resuming at frame \(frame) "), "\(rerun.stderr)")
    }

    /// Largest difference over the last column and the last row of every plane, where padding garbage would show.
    private func edgeDifference(_ a: RGBImage, _ b: RGBImage) -> Float {
        var worst: Float = 0
        for c in 0..<3 {
            let base = c * a.planeSize
            for y in 0..<a.height {
                let i = base + y * a.width + a.width - 1
                worst = max(worst, abs(a.pixels[i] - b.pixels[i]))
            }
            for x in 0..<a.width {
                let i = base + (a.height - 1) * a.width + x
                worst = max(worst, abs(a.pixels[i] - b.pixels[i]))
            }
        }
        return worst
    }

    @Test(arguments: [(641, 359, "yuv444p"), (641, 359, "yuv420p"), (31, 17, "yuv444p"), (1, 1, "yuv444p")])
    func oddSizesKeepTheirSizeAndTheirEdges(width: Int, height: Int, pixelFormat: String) throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        (clip.width, clip.height, clip.pixelFormat, clip.frames) = (width, height, pixelFormat, 3)
        try clip.write(to: dir.path("in.mkv"))
        let result = try process(["in.mkv", "-o", "out.mkv", "--codec", "ffv1"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let input = try DecodedClip(dir.path("in.mkv")), output = try DecodedClip(dir.path("out.mkv"))
        #expect(output.images.count == 3)
        #expect(output.format.width == width && output.format.height == height)
        for (a, b) in zip(input.images, output.images) {
            #expect(maxAbsDifference(a, b) <= 3 / 255, "lossless identity through RGB")
            #expect(edgeDifference(a, b) <= 3 / 255, "last row/column")
        }
    }

    /// The default encoder (libx264) cannot code odd sizes in 4:2:0: the documented choice is 4:4:4 at the same size.
    @Test func oddSized420InputIsEncodedAs444AtTheSameSizeByDefault() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        (clip.width, clip.height, clip.frames) = (65, 37, 3)
        try clip.write(to: dir.path("in.mkv"))
        let result = try process(["in.mkv", "-o", "out.mp4"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let video = try #require(try MediaInfo.probe(dir.path("out.mp4")).video)
        #expect(video.width == 65 && video.height == 37 && video.pixelFormat == "yuv444p")
        #expect(psnr(try DecodedClip(dir.path("in.mkv")).images[1], try DecodedClip(dir.path("out.mp4")).images[1]) > 35)

        let refused = try process(["in.mkv", "-o", "forced.mp4", "--pix-fmt", "yuv420p"], in: dir)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("needs an even picture size"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("forced.mp4")))
    }

    @Test func oddSizedVideoThroughAMaximStageKeepsItsSize() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        (clip.width, clip.height, clip.pixelFormat, clip.frames) = (97, 45, "yuv444p", 2)
        try clip.write(to: dir.path("in.mkv"))
        let result = try CommandRunner.run(
            ["deblur", "in.mkv", "-o", "out.mkv", "--model", tinyCheckpoint, "--tile", "64", "--overlap", "16"],
            in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let output = try DecodedClip(dir.path("out.mkv"))
        #expect(output.images.count == 2 && output.format.width == 97 && output.format.height == 45)
    }

    /// Display matrices: the pixels are turned upright and the matrix dropped (never both, never neither). The
    /// `rotate90.mp4` fixture's matrix turns the picture 90° counterclockwise for display (ffprobe: rotation=90; what
    /// ffmpeg's autorotate shows), i.e. three clockwise quarter turns.
    @Test(arguments: [("rotate90.mp4", 3), ("rotate180.mp4", 2)])
    func rotatedVideoComesOutUprightWithoutAMatrix(file: String, quarterTurns: Int) throws {
        let dir = try TemporaryDirectory()
        #expect(try VideoReader(file: Fixtures.media(file)).format.quarterTurns == quarterTurns)
        let result = try process([Fixtures.media(file), "-o", "out.mkv", "--codec", "ffv1"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let upright = try DecodedClip(Fixtures.media("upright.mp4"))
        let output = try DecodedClip(dir.path("out.mkv"))
        #expect(try VideoReader(file: dir.path("out.mkv")).format.quarterTurns == 0)
        #expect(output.images.count == upright.images.count)
        for (want, got) in zip(upright.images, output.images) {
            let turned = want.rotatedClockwise(quarterTurns: quarterTurns)
            #expect(got.width == turned.width && got.height == turned.height)
            #expect(maxAbsDifference(got, turned) <= 3 / 255)
        }
    }

    @Test(arguments: ["out.mkv", "out.mp4"])
    func hdr10KeepsItsTagsAndStaticMetadata(output: String) throws {
        let dir = try TemporaryDirectory()
        let result = try process([Fixtures.media("hdr10.mp4"), "-o", output], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let video = try #require(try MediaInfo.probe(dir.path(output)).video)
        #expect(video.colorTransfer == "smpte2084" && video.colorPrimaries == "bt2020" && video.colorMatrix == "bt2020nc")
        #expect(video.pixelFormat == "yuv420p10le", "10-bit in, 10-bit out")
        let hdr = try VideoReader(file: dir.path(output)).format.hdr
        #expect(hdr.maxContentLight == 1000)
        #expect(!hdr.isEmpty)
    }

    @Test func interlacedInputIsProcessedWithAWarning() throws {
        let dir = try TemporaryDirectory()
        let result = try process([Fixtures.media("interlaced.mp4"), "-o", "out.mp4"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("4 interlaced frame(s) were restored as progressive pictures"), "\(result.stderr)")
        #expect(try MediaInfo.probe(dir.path("out.mp4")).video?.frameCount == 4)
    }

    @Test func everyAudioAndSubtitleTrackKeepsItsLanguage() throws {
        let dir = try TemporaryDirectory()
        let result = try process([Fixtures.media("tracks.mkv"), "-o", "out.mkv"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let streams = try MediaInfo.probe(dir.path("out.mkv")).streams
        #expect(streams.map(\.type) == ["video", "audio", "audio", "subtitle"])
        #expect(streams.dropFirst().map(\.language) == ["eng", "fra", "deu"])
    }

    /// MP4 holds no SubRip subtitles: the job fails in one line before any frame is restored (not when the segments
    /// are joined), leaves no output and no state behind, and runs with `--no-audio`.
    @Test func streamTheContainerCannotHoldFailsBeforeAnyWork() throws {
        let dir = try TemporaryDirectory()
        let refused = try process([Fixtures.media("tracks.mkv"), "-o", "out.mp4"], in: dir)
        #expect(refused.status == 1)
        #expect(refused.stderr == "maxim-video: error: out.mp4: cannot choose the output container: mp4 cannot hold "
                + "the input's subrip subtitle stream (#3) (use .mkv, which holds it, or --no-subtitles to leave the "
                + "subtitles out)\n", "\(refused.stderr)")
        #expect(dir.contents().isEmpty, "\(dir.contents())")
        let result = try process([Fixtures.media("tracks.mkv"), "-o", "out.mp4", "--no-audio"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try MediaInfo.probe(dir.path("out.mp4")).streams.map(\.type) == ["video"])
    }

    /// `--no-subtitles` leaves out only the subtitles MP4 cannot hold: both audio tracks stay (`--no-audio` was the
    /// only way, and dropped them too), in the segmented job and the one-piece one (stdout).
    @Test(arguments: [false, true])
    func noSubtitlesKeepsTheAudio(toStandardOutput: Bool) throws {
        let dir = try TemporaryDirectory()
        FileManager.default.createFile(atPath: dir.path("out.mkv"), contents: nil)
        let sink = try #require(FileHandle(forWritingAtPath: dir.path("out.mkv")))
        defer { try? sink.close() }
        let output = toStandardOutput ? "-" : "out.mp4"
        let result = try CommandRunner.run(
            ["process", Fixtures.media("tracks.mkv"), "-o", output, "--no-subtitles", "--stage", "identity"], in: dir.url,
            stdout: toStandardOutput ? sink : nil)
        #expect(result.status == 0, "\(result.stderr)")
        let streams = try MediaInfo.probe(dir.path(toStandardOutput ? "out.mkv" : "out.mp4")).streams
        #expect(streams.map(\.type) == ["video", "audio", "audio"])
        #expect(Array(streams.dropFirst().compactMap(\.language)) == ["eng", "fra"], "the audio tracks' languages")
    }

    @Test func truncatedInputIsRestoredAsFarAsItGoesAndFailsUnlessAllowed() throws {
        let dir = try TemporaryDirectory()
        let strict = try process([Fixtures.media("truncated.mp4"), "-o", "strict.mp4"], in: dir)
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("truncated: 13 of 30 frames could be read"), "\(strict.stderr)")
        #expect(try MediaInfo.probe(dir.path("strict.mp4")).video?.frameCount == 13)

        let allowed = try process([Fixtures.media("truncated.mp4"), "-o", "allowed.mp4", "--allow-truncated"], in: dir)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stderr.contains("warning:") && allowed.stderr.contains("13 of 30"))
        #expect(try MediaInfo.probe(dir.path("allowed.mp4")).video?.frameCount == 13)
    }

    /// Bytes overwritten in the middle of the file: the decoder conceals what it can, packets it rejects are
    /// skipped and reported, the run finishes, and the frames that come out keep increasing timestamps.
    @Test func overwrittenBytesMidFileAreConcealedOrReported() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        (clip.width, clip.height, clip.frames, clip.codec) = (128, 96, 40, "libx264")
        clip.encoderOptions = ["g": "10"]
        try clip.write(to: dir.path("in.mp4"))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dir.path("in.mp4")))
        var state: UInt32 = 12345
        for i in (bytes.count / 3)..<(bytes.count / 3 + 3000) {
            state = state &* 1_103_515_245 &+ 12345
            bytes[i] = UInt8(truncatingIfNeeded: state >> 16)
        }
        try bytes.write(to: URL(fileURLWithPath: dir.path("damaged.mp4")))
        let result = try process(["damaged.mp4", "-o", "out.mkv"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let out = try #require(try MediaInfo.probe(dir.path("out.mkv"), collectTimestamps: true).video)
        let count = try #require(out.frameCount)
        #expect(count >= 30 && count <= 40)
        if count < 40 {
            #expect(result.stderr.contains("damaged video packet(s) skipped"), "lost frames are reported: \(result.stderr)")
        }
        let stamps = out.packetTimestamps ?? []
        #expect(zip(stamps, stamps.dropFirst()).allSatisfy { $0 < $1 })
    }

    /// A clip trimmed without re-encoding (an MP4 edit list 1.3 s into a GOP, as phone editors trim) keeps what a
    /// player shows: 17 frames, and audio from the cut on, not the second of audio before it that the file still
    /// holds (copied, it played ahead of the first picture).
    /// Both ways packets are copied: the segmented file-to-file job, and the one-piece job (here to stdout).
    @Test(arguments: [false, true])
    func trimmedClipKeepsOnlyWhatItPresents(toStandardOutput: Bool) throws {
        let dir = try TemporaryDirectory()
        let input = try MediaInfo.probe(Fixtures.media("trimmed.mp4"), scanPackets: true)
        #expect(input.video?.frameCount == 17)
        FileManager.default.createFile(atPath: dir.path("out.mkv"), contents: nil)
        let sink = try #require(FileHandle(forWritingAtPath: dir.path("out.mkv")))
        defer { try? sink.close() }
        let result = try CommandRunner.run(
            ["process", Fixtures.media("trimmed.mp4"), "-o", toStandardOutput ? "-" : "out.mkv", "--overwrite",
             "--stage", "identity"], in: dir.url, stdout: toStandardOutput ? sink : nil)
        #expect(result.status == 0, "\(result.stderr)")
        let output = try MediaInfo.probe(dir.path("out.mkv"), scanPackets: true)
        #expect(output.video?.frameCount == 17)
        #expect(try DecodedClip(dir.path("out.mkv")).images.count == 17)
        let audio = try #require(output.audio), audioIn = try #require(input.audio)
        #expect(audio.frameCount == audioIn.frameCount, "packets: \(String(describing: audio.frameCount))")
        #expect(try #require(audio.duration) < 1.7, "audio lasts \(String(describing: audio.duration)) s")
    }

    /// The trimmed clip resumed past a keyframe: the seek skips the discarded packets too, and they count as read.
    @Test func trimmedClipResumesToItsFrames() throws {
        let dir = try TemporaryDirectory()
        let arguments = ["process", Fixtures.media("trimmed.mp4"), "-o", "out.mkv", "--stage", "identity",
                         "--segment-frames", "4", "--resume"]
        try killAndResume(arguments, in: dir, resumingAt: 12)
        #expect(try MediaInfo.probe(dir.path("out.mkv")).video?.frameCount == 17)
    }

    /// An AVI whose header announces 27 frames for its 25 packets (as FFmpeg writes MPEG-4 with MP3) is whole: only
    /// an MP4/MOV index counts exactly, and the job failed as "truncated: 25 of 27 frames".
    @Test func aviFrameCountInItsHeaderIsNotATruncation() throws {
        let dir = try TemporaryDirectory()
        let result = try process([Fixtures.media("mpeg4-mp3.avi"), "-o", "out.mkv"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("truncated"), "\(result.stderr)")
        #expect(try DecodedClip(dir.path("out.mkv")).images.count == 25)
    }

    /// A DVD's VOB carries a navigation-packet data stream that the MPEG-PS muxers refuse: it is left out (as
    /// FFmpeg's tool leaves data streams), so a VOB restores to `.vob`/`.mpg` with its AC-3 audio ("cannot write
    /// the output header" before) — and to Matroska, which has no table entry for it either.
    @Test(arguments: ["out.vob", "out.mpg", "out.mkv"])
    func dvdNavigationPacketsAreLeftOut(output: String) throws {
        let dir = try TemporaryDirectory()
        let result = try process([Fixtures.media("dvd.vob"), "-o", output], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let info = try MediaInfo.probe(dir.path(output), scanPackets: true)
        #expect(info.video?.frameCount == 4)
        #expect(info.audio?.codec == "ac3")
        #expect(info.streams.allSatisfy { $0.type != "data" }, "\(info.streams.map(\.codec))")
    }

    /// A recording whose picture changes size and chroma mid-stream (an SD programme, then an HD one; clips joined
    /// without re-encoding) comes out whole at the stream's size, the changed frames scaled, as FFmpeg's tool does
    /// (the job stopped at the first changed frame before), with a warning naming where it changed.
    @Test func pictureChangingMidStreamIsScaledToTheStreamsSize() throws {
        let dir = try TemporaryDirectory()
        let result = try process([Fixtures.media("size-change.ts"), "-o", "out.mkv", "--codec", "ffv1"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("the picture changed mid-stream (frame 30 is 80x64 yuv444p); 2 frame(s) were scaled"),
                "\(result.stderr)")
        let output = try DecodedClip(dir.path("out.mkv"))
        #expect(output.images.count == 32)
        #expect(output.images.allSatisfy { $0.width == 64 && $0.height == 48 })
        for image in output.images.suffix(2) {  // red, every plane read in its own layout
            let n = image.planeSize
            let means = (0..<3).map { c in image.pixels[c * n..<(c + 1) * n].reduce(0, +) / Float(n) }
            #expect(means[0] > 0.9 && means[1] < 0.1 && means[2] < 0.1, "\(means)")
        }
        let grey = output.images[0].pixels
        #expect(abs(grey.reduce(0, +) / Float(grey.count) - 0.5) < 0.05)
    }

    /// Two recordings joined with `cat` whose clocks both start at 1.4 s: the second one's timestamps (video and
    /// audio) run on from the first's, as FFmpeg's tool makes them ("cannot write a packet: Invalid argument" before).
    /// Resumed past the join (decoded from the start, since a seek cannot know the offset), it comes out the same.
    @Test func clockRestartingAtAJoinRunsOn() throws {
        let dir = try TemporaryDirectory()
        let arguments = ["process", Fixtures.media("clock-restart.ts"), "--stage", "identity", "--codec", "ffv1",
                         "--segment-frames", "6"]
        let whole = try CommandRunner.run(arguments + ["-o", "whole.mkv"], in: dir.url)
        #expect(whole.status == 0, "\(whole.stderr)")
        let reference = try DecodedClip(dir.path("whole.mkv"))
        #expect(reference.images.count == 30)
        let pts = reference.timings.map(\.pts)
        #expect(zip(pts, pts.dropFirst()).allSatisfy { $0 < $1 }, "\(pts)")
        let seconds = Double(pts.last! - pts.first!) * reference.format.timeBase.doubleValue
        #expect(abs(seconds - 2.9) < 0.05, "30 frames at 10 fps span 2.9 s: \(seconds)")
        let info = try MediaInfo.probe(dir.path("whole.mkv"), scanPackets: true)
        let input = try MediaInfo.probe(Fixtures.media("clock-restart.ts"), scanPackets: true)
        #expect(info.audio?.frameCount == input.audio?.frameCount)
        #expect((info.audio?.duration ?? 0) > 3.0, "both recordings' sound, one after the other")

        try killAndResume(arguments + ["-o", "out.mkv", "--resume"], in: dir, resumingAt: 18)
        let resumed = try DecodedClip(dir.path("out.mkv"))
        #expect(resumed.timings.map(\.pts) == pts)
        #expect(resumed.images.map(\.pixels) == reference.images.map(\.pixels))
    }

    /// A song with cover art holds a "video" stream that is one untimed picture: refused in one line as audio,
    /// not failed on the picture's missing timestamp.
    @Test func songWithCoverArtIsNotVideo() throws {
        let dir = try TemporaryDirectory()
        let result = try process([Fixtures.media("cover-art.mp3"), "-o", "out.mkv"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("cover-art.mp3: cannot find a video stream: the input has no video stream, only a cover picture"),
                "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.mkv")))
    }

    /// Closed captions inside the video stream (A/53 `cc_data` in H.264 SEI, as TV recordings carry them) reach the
    /// restored pictures, each on its own frame; re-encoding dropped them all before.
    @Test(arguments: ["out.mp4", "out.mkv", "stdin"])  // stdin: the one-piece job's writer
    func closedCaptionsStayWithTheirFrames(output: String) throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        (clip.frames, clip.codec, clip.withCaptions) = (6, "libx264", true)
        clip.encoderOptions = ["bf": "2"]  // reordered frames: captions must follow presentation order
        try clip.write(to: dir.path("in.mkv"))
        let input = try VideoReader(file: dir.path("in.mkv"))
        var read: [[UInt8]?] = []
        while let frame = try input.nextFrame() { read.append(frame.captions) }
        #expect(read == (0..<6).map { SyntheticClip.captions($0) }, "the fixture itself carries them")

        let result = output == "stdin"
            ? try CommandRunner.run(["process", "-", "-o", "out.mkv", "--stage", "identity"], in: dir.url,
                                    stdin: FileHandle(forReadingAtPath: dir.path("in.mkv")))
            : try process([dir.path("in.mkv"), "-o", output], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let restored = try VideoReader(file: dir.path(output == "stdin" ? "out.mkv" : output))
        var captions: [[UInt8]?] = []
        while let frame = try restored.nextFrame() { captions.append(frame.captions) }
        #expect(captions == read)
        #expect(!result.stderr.contains("closed captions were dropped"), "\(result.stderr)")
    }

    /// An encoder that cannot write captions into its pictures (libx265 in FFmpeg 5.1) loses them: said, not silent.
    @Test func closedCaptionsAnEncoderCannotCarryAreReported() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        (clip.frames, clip.codec, clip.withCaptions) = (3, "libx264", true)
        try clip.write(to: dir.path("in.mkv"))
        let result = try process([dir.path("in.mkv"), "-o", "out.mkv", "--codec", "libx265"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("its closed captions were dropped: libx265 cannot write them"), "\(result.stderr)")
    }

    /// Frames two at a time on one timestamp: every frame is kept, the later of each pair one tick after the
    /// earlier, with a warning (the join of the segments refused such a stream before).
    @Test func framesSharingATimestampAreAllKept() throws {
        let dir = try TemporaryDirectory()
        let result = try process([Fixtures.media("same-time.mkv"), "-o", "out.mkv"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("3 frame(s) had the previous frame's timestamp"), "\(result.stderr)")
        let output = try DecodedClip(dir.path("out.mkv"))
        #expect(output.images.count == 6)
        let pts = output.timings.map(\.pts)
        #expect(zip(pts, pts.dropFirst()).allSatisfy { $0 < $1 }, "\(pts)")

        // Resumed at frame 3, which shares frame 2's timestamp: stamped as the uninterrupted run stamped it.
        let arguments = ["process", Fixtures.media("same-time.mkv"), "-o", "resumed.mkv", "--stage", "identity",
                         "--segment-frames", "1", "--resume"]
        try killAndResume(arguments, in: dir, resumingAt: 3)
        #expect(try DecodedClip(dir.path("resumed.mkv")).timings.map(\.pts) == pts)
    }

    /// MPEG-TS keeps no codec table and wrote what it has no stream type for as private data no reader knows (FFV1
    /// came back as `bin_data`): such video or sound is refused in one line before any work.
    @Test(arguments: [(["--codec", "ffv1"], "mpegts cannot hold ffv1 video"),
                      (["--codec", "libx264"], "mpegts cannot hold the input's vorbis audio stream")])
    func mpegTSRefusesWhatItCannotCarry(options: [String], message: String) throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.frames = 2
        clip.audio = AudioTrackSettings(codec: "libvorbis")
        try clip.write(to: dir.path("in.mkv"))
        let arguments = options.contains("ffv1") ? ["in.mkv", "-o", "out.ts", "--no-audio"] : ["in.mkv", "-o", "out.ts"]
        let result = try process(arguments + options, in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.ts")))
    }

    /// A phone photo stored sideways with an EXIF orientation comes out upright (as every viewer shows it), since
    /// the restored file carries no EXIF: it came out lying on its side before.
    @Test(arguments: ["out.png", "out.jpg"])
    func photoWithAnEXIFOrientationComesOutUpright(output: String) throws {
        let dir = try TemporaryDirectory()
        let result = try process([Fixtures.media("exif-rotated.jpg"), "-o", output], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let image = try StillImage.read(dir.path(output)).image
        #expect(image.width == 48 && image.height == 64)
        let red = image.pixels[0..<image.planeSize], blue = image.pixels[2 * image.planeSize..<3 * image.planeSize]
        let mean = { (plane: ArraySlice<Float>, rows: Range<Int>) in
            plane.dropFirst(rows.lowerBound * image.width).prefix(rows.count * image.width).reduce(0, +)
                / Float(rows.count * image.width)
        }
        // Upright, the left (red) half of the stored picture is on top; rows 28–35 straddle the JPEG's soft edge.
        #expect(mean(red, 0..<24) > 0.9 && mean(blue, 0..<24) < 0.1, "top: \(mean(red, 0..<24)) \(mean(blue, 0..<24))")
        #expect(mean(red, 40..<64) < 0.1 && mean(blue, 40..<64) > 0.9)

        // A JPEG keeps the photo's EXIF (the date a photo library sorts by), its orientation now "upright" (1):
        // FFmpeg's encoder writes none, and 6 again would make viewers turn the upright pixels a second time.
        if output.hasSuffix(".jpg") {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path(output))))
            let contains = { (needle: [UInt8]) in
                bytes.indices.contains { bytes[$0...].starts(with: needle) }
            }
            #expect(contains(Array("Exif\0\0MM".utf8)))
            #expect(contains(Array("2024:05:06 07:08:09".utf8)))
            #expect(contains([0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]), "orientation 1")
        }
    }

    /// A photo's ICC colour profile (a phone's Display P3) reaches the restored PNG or JPEG byte for byte: without
    /// it colour-managed viewers showed the restored photo in other colours.
    @Test(arguments: ["out.png", "out.jpg"])
    func photoKeepsItsColourProfile(output: String) throws {
        let dir = try TemporaryDirectory()
        let profile = try #require(try VideoReader(file: Fixtures.media("icc-profile.png")).nextFrame()?.sideData?.iccProfile)
        #expect(profile.count == 192)
        let result = try process([Fixtures.media("icc-profile.png"), "-o", output], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try VideoReader(file: dir.path(output)).nextFrame()?.sideData?.iccProfile == profile)
    }

    /// A camera file's start timecode (QuickTime `tmcd` track) reaches the output: MOV and MP4 get their own `tmcd`
    /// track, Matroska a TIMECODE tag (it was dropped with the data track).
    @Test(arguments: ["out.mov", "out.mp4", "out.mkv"])
    func startTimecodeIsKept(output: String) throws {
        let dir = try TemporaryDirectory()
        let result = try process([Fixtures.media("timecode.mov"), "-o", output], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try VideoReader(file: Fixtures.media("timecode.mov")).format.tags["timecode"] == "01:02:03:04")
        #expect(try VideoReader(file: dir.path(output)).format.tags["timecode"] == "01:02:03:04")
    }

    /// The file's own tags — the date and place a photo library sorts a phone video by, its title — reach the output
    /// (they were all dropped).
    @Test(arguments: ["out.mp4", "out.mkv"])
    func fileTagsAreKept(output: String) throws {
        let dir = try TemporaryDirectory()
        let result = try process([Fixtures.media("timecode.mov"), "-o", output], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let tags = try VideoReader(file: dir.path(output)).format.fileTags
        #expect(tags["creation_time"]?.hasPrefix("2024-05-06T07:08:09") == true, "\(tags)")
        #expect(tags["title"] == "Beach day", "\(tags)")
        #expect(tags["location"] ?? tags["LOCATION"] == "+48.8584+002.2945/", "\(tags)")
    }

    /// Chapter marks reach the output with their times and titles (they were dropped).
    @Test(arguments: ["out.mkv", "out.mp4"])
    func chaptersAreKept(output: String) throws {
        let dir = try TemporaryDirectory()
        let result = try process([Fixtures.media("chapters.mkv"), "-o", output], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let chapters = try VideoReader(file: dir.path(output)).format.chapters
        #expect(chapters.map { $0.tags["title"] } == ["Intro", "Main"])
        let seconds = chapters.map { (Double($0.start) * $0.timeBase.doubleValue, Double($0.end) * $0.timeBase.doubleValue) }
        #expect(zip(seconds, [(0, 0.08), (0.08, 0.16)]).allSatisfy { abs($0.0 - $1.0) < 1e-6 && abs($0.1 - $1.1) < 1e-6 },
                "\(seconds)")
        #expect(seconds.count == 2)
    }

    /// Styled subtitles keep the font Matroska carries for them (the attachment was dropped, so players fell back to
    /// another font).
    @Test func subtitleFontAttachmentIsKeptInMatroska() throws {
        let dir = try TemporaryDirectory()
        let result = try process([Fixtures.media("subtitle-fonts.mkv"), "-o", "out.mkv"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let streams = try MediaInfo.probe(dir.path("out.mkv")).streams
        #expect(streams.map(\.type) == ["video", "subtitle", "attachment"])
        #expect(streams.last?.codec == "ttf")
    }

    /// Palette PNGs are looked up exactly (swscale's YUV detour moved samples by one code).
    @Test func palettePNGsComeOutWithTheirExactColours() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path("out"), withIntermediateDirectories: true)
        let result = try process([Fixtures.media("palette/%04d.png"), "-o", "out/%04d.png"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let reference = try DecodedClip(Fixtures.media("palette-rgb/%04d.png")).images
        let output = try DecodedClip(dir.path("out/%04d.png")).images
        #expect(output.count == 2)
        #expect(output == reference)
    }

    /// A palette PNG's transparency (tRNS) comes out as alpha, in an RGBA PNG: the fixture's left half is
    /// transparent, its right half opaque.
    @Test func paletteTransparencyComesOutAsAlpha() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path("out"), withIntermediateDirectories: true)
        let result = try process([Fixtures.media("palette-alpha/%04d.png"), "-o", "out/%04d.png"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let input = try DecodedClip(Fixtures.media("palette-alpha/%04d.png"))
        let output = try DecodedClip(dir.path("out/%04d.png"))
        #expect(output.format.pixelFormat == "rgba")
        #expect(output.images.count == 2)
        for (i, alpha) in output.alphas.enumerated() {
            let values = try #require(alpha).values
            #expect((0..<values.count).allSatisfy { values[$0] == ($0 % 32 < 16 ? 0 : 1) }, "frame \(i)")
        }
        for (a, b) in zip(output.images, input.images) { #expect(maxAbsDifference(a, b) < 1e-6) }
    }

    @Test func nonSquarePixelsSingleFrameAndLateStartKeepTheirAspectCountAndTime() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        (clip.width, clip.height, clip.frames, clip.firstPTS) = (96, 64, 1, 62)  // one frame, starting at 2.48 s
        clip.sampleAspectRatio = Rational(16, 11)
        try clip.write(to: dir.path("in.mkv"))
        let result = try process(["in.mkv", "-o", "out.mp4"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let input = try #require(try MediaInfo.probe(dir.path("in.mkv"), collectTimestamps: true).video)
        let output = try #require(try MediaInfo.probe(dir.path("out.mp4"), collectTimestamps: true).video)
        #expect(output.frameCount == 1)
        #expect(output.sampleAspectRatio == Rational(16, 11))
        #expect(seconds(output) == seconds(input) && seconds(output).first.map { abs($0 - 2.48) < 1e-9 } == true)
    }

    /// The same odd inputs through a MAXIM stage (the golden tiny checkpoint, 64-px tiles): still restored, with the
    /// geometry, depth, tags and streams the identity run keeps.
    @Test func oddInputsThroughAMaximStage() throws {
        let dir = try TemporaryDirectory()
        func deblur(_ file: String, _ output: String) throws -> CommandRunner.Result {
            try CommandRunner.run(
                ["deblur", Fixtures.media(file), "-o", output, "--model", tinyCheckpoint, "--tile", "64", "--overlap", "16"],
                in: dir.url)
        }
        for (file, output) in [("rotate90.mp4", "rot.mkv"), ("hdr10.mp4", "hdr.mkv"), ("tracks.mkv", "tracks.mkv")] {
            let result = try deblur(file, output)
            #expect(result.status == 0, "\(file): \(result.stderr)")
        }
        let rotated = try #require(try MediaInfo.probe(dir.path("rot.mkv")).video)
        #expect(rotated.width == 48 && rotated.height == 64 && rotated.frameCount == 5)
        let hdr = try #require(try MediaInfo.probe(dir.path("hdr.mkv")).video)
        #expect(hdr.pixelFormat == "yuv420p10le" && hdr.colorTransfer == "smpte2084")
        #expect(try VideoReader(file: dir.path("hdr.mkv")).format.hdr.maxContentLight == 1000)
        #expect(try MediaInfo.probe(dir.path("tracks.mkv")).streams.dropFirst().map(\.language) == ["eng", "fra", "deu"])
    }

    /// An mp4 cut before its index (written last) cannot be read at all: one line that says so, no output.
    @Test func mp4CutBeforeItsIndexIsRefusedInOneLine() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        (clip.frames, clip.codec) = (20, "libx264")
        try clip.write(to: dir.path("whole.mp4"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.path("whole.mp4")))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: dir.path("cut.mp4")))
        let result = try process(["cut.mp4", "-o", "out.mp4"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no readable index (moov)"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.mp4")))
    }
}

import Foundation
import MaximTestSupport
import MediaIO
import Testing

let tinyCheckpoint = Fixtures.tinyCheckpoint

/// Every video packet's pts in seconds, sorted (presentation order).
func seconds(_ stream: StreamInfo) -> [Double] {
    (stream.packetTimestamps ?? []).sorted().map { Double($0) * stream.timeBase.doubleValue }
}

@Suite("maxim-video run / deblur / denoise")
struct RestoreCommandTests {
    /// A tagged BT.709 clip with variable frame rate and AAC audio: everything that must survive restoration.
    func taggedClip(in dir: TemporaryDirectory, name: String = "in.mkv") throws -> SyntheticClip {
        var clip = SyntheticClip()
        clip.width = 96
        clip.height = 80
        clip.frames = 5
        clip.variableFrameRate = true
        clip.audio = AudioTrackSettings(codec: "aac")
        clip.colors = try ColorTags(range: "tv", primaries: "bt709", transfer: "bt709", matrix: "bt709")
        try clip.write(to: dir.path(name))
        return clip
    }

    @Test func deblurWithACheckpointKeepsFramesTimestampsAudioAndColourTags() throws {
        let dir = try TemporaryDirectory()
        _ = try taggedClip(in: dir)
        let result = try CommandRunner.run(
            ["deblur", "in.mkv", "-o", "out.mkv", "--model", tinyCheckpoint, "--tile", "64", "--overlap", "16"],
            in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let input = try MediaInfo.probe(dir.path("in.mkv"), collectTimestamps: true)
        let output = try MediaInfo.probe(dir.path("out.mkv"), collectTimestamps: true)
        let (vin, vout) = (try #require(input.video), try #require(output.video))
        #expect(vout.frameCount == 5)
        #expect(vout.width == 96 && vout.height == 80)
        #expect(seconds(vout) == seconds(vin))
        #expect(seconds(vin).count == 5)
        #expect(output.audio?.codec == "aac")
        #expect(output.audio?.frameCount == input.audio?.frameCount)
        #expect([vout.colorRange, vout.colorPrimaries, vout.colorTransfer, vout.colorMatrix]
            == [vin.colorRange, vin.colorPrimaries, vin.colorTransfer, vin.colorMatrix])
        // The network changed the picture (the identity would not).
        let before = try DecodedClip(dir.path("in.mkv")), after = try DecodedClip(dir.path("out.mkv"))
        #expect(psnr(before.images[0], after.images[0]) < 40)
    }

    /// An MP4 keeps its duration: `probe` shows the same length for the input and the restored output (the
    /// encoder's stream, in the input's fine time base, gives parsed packets no duration of their own).
    @Test func restoredMP4KeepsTheInputsDuration() throws {
        let dir = try TemporaryDirectory()
        let input = Fixtures.media("upright.mp4")  // made by ffmpeg: H.264 in a 1/12800 time base
        let result = try CommandRunner.run(
            ["deblur", input, "-o", "out.mp4", "--model", tinyCheckpoint, "--tile", "64", "--overlap", "16"],
            in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let vin = try #require(try MediaInfo.probe(input).video)
        let vout = try #require(try MediaInfo.probe(dir.path("out.mp4")).video)
        #expect(vout.frameCount == vin.frameCount)
        let (din, dout) = (try #require(vin.duration), try #require(vout.duration))
        #expect(abs(dout - din) < 1e-6, "output \(dout) s, input \(din) s")
    }

    /// `--threads` bounds the encoder as well as the model: libx264 records its thread count in the stream's
    /// settings SEI, which would say 1.5 per core (3 on two) if it were left to choose. (One thread could not tell:
    /// x264 picks one by itself for a picture this small.)
    @Test func threadBudgetBoundsTheEncoder() throws {
        let threads = "2"
        let dir = try TemporaryDirectory()
        let result = try CommandRunner.run(
            ["deblur", Fixtures.media("upright.mp4"), "-o", "out.mp4", "--model", tinyCheckpoint, "--tile", "64",
             "--overlap", "16", "--threads", threads], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let bitstream = String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir.path("out.mp4"))), as: UTF8.self)
        let written = bitstream.firstRange(of: " threads=").map { String(bitstream[$0.lowerBound...].prefix(24)) }
        #expect(bitstream.contains(" threads=\(threads) "), "x264 settings: \(written ?? "none")")
    }

    @Test func deblurWithoutAShippedModelNamesTheMissingModel() throws {
        let dir = try TemporaryDirectory()
        _ = try taggedClip(in: dir)
        // Run a copy of the binary from a directory with no models/ above it.
        let bin = dir.url.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CommandRunner.executable, to: bin.appendingPathComponent("maxim-video"))
        let result = try CommandRunner.run(
            ["deblur", "in.mkv", "-o", "out.mp4"], in: dir.url, executable: bin.appendingPathComponent("maxim-video"))
        #expect(result.status == 1)
        #expect(result.stderr.contains("built-in 'deblur' model (models/deblur-small.npz) is not installed"))
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.mp4")))
    }

    @Test func runChainsThePipelineFilesStages() throws {
        let dir = try TemporaryDirectory()
        _ = try taggedClip(in: dir)
        try """
            name: twice
            stages:
              - {model: \(tinyCheckpoint), tile: 64, overlap: 16}
              - {model: \(tinyCheckpoint), tile: 64, overlap: 8}
            output: {codec: ffv1, pix_fmt: auto}
            """.write(toFile: dir.path("p.yaml"), atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["run", "p.yaml", "-i", "in.mkv", "-o", "out.mkv", "--verbose"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try MediaInfo.probe(dir.path("out.mkv")).video?.frameCount == 5)
        #expect(try MediaInfo.probe(dir.path("out.mkv")).video?.codec == "ffv1")
        // --verbose reports the BLAS kernel, the thread plan, and tiles with their overlap cost.
        #expect(result.stderr.contains("OpenBLAS kernel"))
        #expect(result.stderr.contains("1/1 tile worker(s) per stage shared by 2 frame(s) in flight"))
        #expect(result.stderr.contains("stage 1: 4 tiles of 64×64 (fitted from 64, overlap 8) per 96×80 frame"))
        #expect(result.stderr.contains("overlap cost"))
    }

    @Test func framesRestoredSideBySideComeOutInOrderAndIdenticalToOneAtATime() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        (clip.width, clip.height, clip.frames) = (160, 64, 7)
        try clip.write(to: dir.path("in.mkv"))
        // Three 64² tiles per frame: on two threads two tile workers share two frames in flight.
        var outputs: [[RGBImage]] = []
        for threads in ["1", "2"] {
            let result = try CommandRunner.run(
                ["deblur", "in.mkv", "-o", "out\(threads).mkv", "--model", tinyCheckpoint, "--tile", "64", "--overlap", "8",
                 "--codec", "ffv1", "--threads", threads, "--verbose"], in: dir.url)
            #expect(result.status == 0, "\(result.stderr)")
            if threads == "2" { #expect(result.stderr.contains("2 tile worker(s) per stage shared by 2 frame(s) in flight")) }
            outputs.append(try DecodedClip(dir.path("out\(threads).mkv")).images)
        }
        #expect(outputs[0].count == 7 && outputs[1].count == 7)
        // One at a time is in order by construction; equal frames, each different from the next, mean the same order.
        for (one, two) in zip(outputs[0], outputs[1]) { #expect(one.pixels == two.pixels) }
        for i in 1..<outputs[1].count { #expect(outputs[1][i].pixels != outputs[1][i - 1].pixels) }
    }

    /// The pipeline file's encoder is a preference that a photo output overrides; the same options on the command
    /// line are not: they name exactly what the user wants, so a mismatch is an error.
    @Test func commandLineEncoderOptionsAreHeldToExactly() throws {
        let dir = try TemporaryDirectory()
        try StillImage.write(SyntheticClip().image(0), to: dir.path("in.png"))
        try """
            name: video
            stages: [{model: \(tinyCheckpoint), tile: 64, overlap: 16}]
            output: {codec: libx264, crf: 18, preset: veryfast, pix_fmt: yuv420p}
            """.write(toFile: dir.path("p.yaml"), atomically: true, encoding: .utf8)
        let fromFile = try CommandRunner.run(["run", "p.yaml", "-i", "in.png", "-o", "out.png"], in: dir.url)
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(try MediaInfo.probe(dir.path("out.png")).video?.codec == "png")
        for (option, value) in [("--codec", "libx264"), ("--crf", "18"), ("--preset", "veryfast"), ("--pix-fmt", "yuv420p")] {
            let result = try CommandRunner.run(
                ["run", "p.yaml", "-i", "in.png", "-o", "x.png", option, value], in: dir.url)
            #expect(result.status == 1, "\(option): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.path("x.png")))
        }
    }

    @Test func invalidPipelineFileIsAUsageErrorNamingTheField() throws {
        let dir = try TemporaryDirectory()
        _ = try taggedClip(in: dir)
        try "name: bad\nstages:\n  - model: deblur\n    tile: 100\n".write(
            toFile: dir.path("p.yaml"), atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["run", "p.yaml", "-i", "in.mkv", "-o", "out.mp4"], in: dir.url)
        #expect(result.status == 2)
        #expect(result.stderr.contains("p.yaml: stages[0].tile: 100 is not allowed"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.mp4")))
    }

    @Test func denoiseFrameSequenceInAndOutKeeps16Bits() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path("frames"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.path("clean"), withIntermediateDirectories: true)
        var clip = SyntheticClip()
        clip.frames = 3
        clip.codec = "png"
        clip.pixelFormat = "rgb48be"
        try clip.write(to: dir.path("frames/%04d.png"))
        let result = try CommandRunner.run(
            ["denoise", "frames/%04d.png", "-o", "clean/%04d.png", "--model", tinyCheckpoint, "--tile", "64",
             "--overlap", "8"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let written = try FileManager.default.contentsOfDirectory(atPath: dir.path("clean")).sorted()
        #expect(written == ["0001.png", "0002.png", "0003.png"])
        #expect(try MediaInfo.probe(dir.path("clean/0001.png")).video?.pixelFormat == "rgb48be")
    }
}

@Suite("BLAS kernel selection")
struct BLASKernelSelectionTests {
    @Test func aPresetSlowKernelIsReplacedOnAVX512CPUs() throws {
        let dir = try TemporaryDirectory()
        let input = URL(fileURLWithPath: tinyCheckpoint).deletingLastPathComponent().appendingPathComponent("input.npy")
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = "Haswell"
        environment["MAXIM_VIDEO_BLAS_REEXEC"] = nil
        let result = try CommandRunner.run(
            ["infer", "--checkpoint", tinyCheckpoint, "--input", input.path, "--output", "out.npy", "--verbose"],
            in: dir.url, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let hasAVX512 = ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy {
            cpuinfo.range(of: " \($0)[ \n]", options: .regularExpression) != nil
        }
        let log = result.stdout + result.stderr
        if hasAVX512 {
            #expect(log.contains("OpenBLAS kernel SkylakeX (OPENBLAS_CORETYPE=SkylakeX set by maxim-video; was Haswell)"), "\(log)")
        } else {
            #expect(log.contains("OpenBLAS kernel Haswell"), "\(log)")
        }
    }
}

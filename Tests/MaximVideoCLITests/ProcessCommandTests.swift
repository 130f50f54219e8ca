import Foundation
import MaximTestSupport
import MediaIO
import Testing

@Suite("maxim-video process")
struct ProcessCommandTests {
    @Test func identityRunSucceedsAndReportsASummary() throws {
        let dir = try TemporaryDirectory()
        try SyntheticClip().write(to: dir.path("in.mkv"))
        let result = try CommandRunner.run(["process", "in.mkv", "-o", "out.mp4", "--stage", "identity"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("out.mp4: 12 frames"))
        #expect(try MediaInfo.probe(dir.path("out.mp4")).video?.frameCount == 12)
        #expect(dir.contents() == ["in.mkv", "out.mp4"])
    }

    @Test func readsAStreamableContainerFromStdin() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.audio = AudioTrackSettings(codec: "aac")
        try clip.write(to: dir.path("in.mkv"))
        let input = try #require(FileHandle(forReadingAtPath: dir.path("in.mkv")))
        let result = try CommandRunner.run(["process", "-", "-o", "out.mkv"], in: dir.url, stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        let info = try MediaInfo.probe(dir.path("out.mkv"))
        #expect(info.video?.frameCount == 12)
        #expect(info.audio?.codec == "aac")
    }

    /// A named pipe (or `<(curl …)`, which is one) is read once, like stdin: it was refused as "file is empty (0
    /// bytes)", and a probe ahead of the job or a second reader for the audio would have taken its bytes.
    @Test func readsANamedPipeOnceLikeStdin() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.audio = AudioTrackSettings(codec: "aac")
        try clip.write(to: dir.path("in.mkv"))
        let pipePath = dir.path("pipe")
        #expect(mkfifo(pipePath, 0o600) == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.path("in.mkv")))
        let feeder = Thread {
            if let pipe = FileHandle(forWritingAtPath: pipePath) {  // blocks until the reader opens it
                try? pipe.write(contentsOf: bytes)
                try? pipe.close()
            }
        }
        feeder.start()
        let result = try CommandRunner.run(["process", "pipe", "-o", "out.mkv", "--stage", "identity"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let info = try MediaInfo.probe(dir.path("out.mkv"), scanPackets: true)
        #expect(info.video?.frameCount == 12)
        #expect(info.audio?.codec == "aac")
        #expect(!FileManager.default.fileExists(atPath: dir.path(".out.mkv.maxim-state")), "one piece: no segments")
    }

    /// An existing directory as `-o` (expecting the input's name inside it) was "unknown file extension".
    @Test(arguments: ["outdir", "outdir/"])
    func outputThatIsADirectoryIsRefusedNamingAFileInIt(output: String) throws {
        let dir = try TemporaryDirectory()
        try SyntheticClip().write(to: dir.path("in.mkv"))
        try FileManager.default.createDirectory(atPath: dir.path("outdir"), withIntermediateDirectories: false)
        let result = try CommandRunner.run(
            ["process", "in.mkv", "-o", output, "--stage", "identity", "--overwrite"], in: dir.url)
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot write the output: it is a directory (name a file in it, e.g. outdir/restored.mkv)"),
                "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("outdir")).isEmpty)
    }

    @Test func networkAddressesAreRefusedInOneLine() throws {
        let dir = try TemporaryDirectory()
        let result = try CommandRunner.run(
            ["process", "https://example.com/clip.mp4", "-o", "out.mkv", "--stage", "identity"], in: dir.url)
        #expect(result.status == 1)
        #expect(result.stderr.contains("network addresses are not read"), "\(result.stderr)")
    }

    /// `-o -` streams Matroska to standard output (as it is made: a pipe cannot be renamed): every frame exactly
    /// (lossless codec, identity stage), the audio copied, nothing left in the directory.
    @Test func standardOutputGetsAMatroskaStreamOfEveryFrame() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.pixelFormat = "bgr0"  // RGB in and out: the identity round trip is exact
        clip.audio = AudioTrackSettings(codec: "aac")
        try clip.write(to: dir.path("in.mkv"))
        FileManager.default.createFile(atPath: dir.path("stream.bin"), contents: nil)
        let sink = try #require(FileHandle(forWritingAtPath: dir.path("stream.bin")))
        let result = try CommandRunner.run(
            ["process", "in.mkv", "-o", "-", "--stage", "identity", "--codec", "ffv1"], in: dir.url, stdout: sink)
        try sink.close()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(dir.contents() == ["in.mkv", "stream.bin"])
        let info = try MediaInfo.probe(dir.path("stream.bin"), scanPackets: true)
        #expect(info.container.contains("matroska"), "\(info.container)")
        #expect(info.audio?.codec == "aac")
        let input = try DecodedClip(dir.path("in.mkv")), output = try DecodedClip(dir.path("stream.bin"))
        #expect(output.images.count == 12)
        #expect(zip(output.images, input.images).allSatisfy { $0 == $1 })
        #expect(output.timings.map(\.pts) == input.timings.map(\.pts))
    }

    /// A reader that goes away is a one-line "Broken pipe" error with exit status 1, not a death by SIGPIPE.
    @Test func standardOutputClosedByItsReaderIsAnError() throws {
        let dir = try TemporaryDirectory()
        try SyntheticClip().write(to: dir.path("in.mkv"))
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let result = try CommandRunner.run(["process", "in.mkv", "-o", "-", "--stage", "identity"], in: dir.url, stdout: pipe)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("maxim-video: error: -: ") && result.stderr.contains("Broken pipe"), "\(result.stderr)")
    }

    /// An MP4 as most muxers write it, index last (the bundled sample, 0.8 MB), cannot be read from a pipe past
    /// what the demuxer buffers: one line that says so and how to get round it, nothing written.
    @Test func mp4WithItsIndexLastFromStdinIsRefusedWithTheWayOut() throws {
        let dir = try TemporaryDirectory()
        let input = try #require(FileHandle(forReadingAtPath: Fixtures.sample("fig-noisy.mp4")))
        let result = try CommandRunner.run(["process", "-", "-o", "out.mkv"], in: dir.url, stdin: input)
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cannot be read from a pipe: pass the file's name"), "\(result.stderr)")
        #expect(dir.contents().isEmpty)
    }

    /// One picture file cannot hold a 12-frame video: refused at the start (the image muxer took the first frame
    /// and failed on the second, "Invalid argument"), with the sequence name that would work; one frame still works.
    @Test func videoIntoOnePictureFileIsRefusedBeforeAnyWork() throws {
        let dir = try TemporaryDirectory()
        try SyntheticClip().write(to: dir.path("in.mkv"))
        let result = try CommandRunner.run(["process", "in.mkv", "-o", "still.png"], in: dir.url)
        #expect(result.status == 1)
        #expect(result.stderr == "maxim-video: error: still.png: cannot choose the output container: still.png holds "
                + "one picture and the input has 12 frames (name a sequence such as still-%04d.png, or a video file)\n")
        #expect(dir.contents() == ["in.mkv"])
        var single = SyntheticClip()
        single.frames = 1
        try single.write(to: dir.path("one.mkv"))
        let one = try CommandRunner.run(["process", "one.mkv", "-o", "one.png"], in: dir.url)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(try DecodedClip(dir.path("one.png")).images.count == 1)
    }

    /// Each bad input: status 1, one line naming the file and the cause, and nothing written.
    @Test(arguments: [
        (["process", "missing.mp4", "-o", "out.mp4"], "missing.mp4: cannot open input: no such file"),
        (["process", "empty.mp4", "-o", "out.mp4"], "empty.mp4: cannot open input: file is empty (0 bytes)"),
        (["process", "notes.mp4", "-o", "out.mp4"], "notes.mp4: cannot open input: Invalid data found"),
        (["process", "tone.wav", "-o", "out.mp4"], "tone.wav: cannot find a video stream: the input has no video stream"),
        (["process", "in.mkv", "-o", "out.mp4", "--codec", "nope"], "out.mp4: cannot open encoder nope"),
        (["process", "in.mkv", "-o", "nodir/out.mp4"], "nodir/out.mp4: cannot write the output: directory"),
        (["process", "in.mkv", "-o", "out.mp4", "--pix-fmt", "rgb48be"], "encoder libx264 does not take rgb48be"),
        (["probe", "notes.mp4"], "notes.mp4: cannot open input"),
        (["process", "in.mkv", "-o", "out.mp4", "--framerate", "24"], "in.mkv: cannot set the frame rate: only an image sequence takes --framerate"),
        (["process", "frames/%04d.png", "-o", "out.mkv", "--resume"], "out.mkv: cannot write the output in segments: resumable jobs need a video file"),
    ])
    func badInputFailsWithOneLineAndNoOutput(arguments: [String], message: String) throws {
        let dir = try TemporaryDirectory()
        try SyntheticClip().write(to: dir.path("in.mkv"))
        _ = FileManager.default.createFile(atPath: dir.path("empty.mp4"), contents: Data())
        try Data("not a video".utf8).write(to: URL(fileURLWithPath: dir.path("notes.mp4")))
        try Data(wav()).write(to: URL(fileURLWithPath: dir.path("tone.wav")))
        let before = dir.contents()
        let result = try CommandRunner.run(arguments, in: dir.url)
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got: \(result.stderr)")
        #expect(result.stderr.hasPrefix("maxim-video: error: "))
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(dir.contents() == before)
    }

    @Test func unwritableOutputDirectoryFailsCleanly() throws {
        let dir = try TemporaryDirectory()
        try SyntheticClip().write(to: dir.path("in.mkv"))
        // Permission bits do not stop root; sysfs refuses new files to everyone.
        let target: String
        if getuid() == 0 {
            target = "/sys/maxim-video-test.mp4"
        } else {
            try FileManager.default.createDirectory(atPath: dir.path("ro"), withIntermediateDirectories: false)
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir.path("ro"))
            target = dir.path("ro/out.mp4")
        }
        let result = try CommandRunner.run(["process", "in.mkv", "-o", target], in: dir.url)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("maxim-video: error: \(target): cannot"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: target))
        let parent = URL(fileURLWithPath: target).deletingLastPathComponent().path
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: parent))?.filter { $0.contains("partial") }
        #expect(leftovers ?? [] == [])
    }

    @Test func existingOutputNeedsOverwrite() throws {
        let dir = try TemporaryDirectory()
        try SyntheticClip().write(to: dir.path("in.mkv"))
        try Data("old".utf8).write(to: URL(fileURLWithPath: dir.path("out.mkv")))
        let refused = try CommandRunner.run(["process", "in.mkv", "-o", "out.mkv"], in: dir.url)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("already exists (pass --overwrite to replace it)"))
        #expect(try String(contentsOfFile: dir.path("out.mkv"), encoding: .utf8) == "old")
        let replaced = try CommandRunner.run(["process", "in.mkv", "-o", "out.mkv", "--overwrite"], in: dir.url)
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(try MediaInfo.probe(dir.path("out.mkv")).video?.frameCount == 12)
    }

    @Test(arguments: [
        ["process", "in.mkv", "-o", "out.mp4", "--stage", "sharpen"],
        ["process", "in.mkv"],
        ["process", "in.mkv", "-o", "out.mp4", "--queue-capacity", "0"],
        ["process", "in.mkv", "-o", "out.mp4", "--no-such-flag"],
    ])
    func usageErrorsExitWithStatus2(arguments: [String]) throws {
        let dir = try TemporaryDirectory()
        try SyntheticClip().write(to: dir.path("in.mkv"))
        let result = try CommandRunner.run(arguments, in: dir.url)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(dir.contents() == ["in.mkv"])
    }

    /// A file job runs in resumable segments: SIGINT stops it with 130, writes no output and keeps the finished
    /// segments in the hidden state directory for `--resume` (DESIGN §5).
    @Test func sigintStopsWithStatus130AndNoOutput() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.width = 640
        clip.height = 360
        clip.frames = 300
        try clip.write(to: dir.path("in.mkv"))
        let (process, _, err) = try CommandRunner.launch(
            ["process", "in.mkv", "-o", "out.mp4", "--preset", "veryslow", "--queue-capacity", "1"], in: dir.url)
        // Wait for the first progress line (printed after the first encoded frame), then interrupt.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("frame ") {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        kill(process.processIdentifier, SIGINT)
        let rest = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = String(decoding: seen + rest, as: UTF8.self)
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("interrupted; finished segments kept in"), "\(stderr)")
        #expect(stderr.contains("rerun with --resume"))
        #expect(dir.contents() == [".out.mp4.maxim-state", "in.mkv"] || dir.contents() == ["in.mkv"])
    }

    func wav() -> [UInt8] {
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        let samples = 4800
        var bytes = Array("RIFF".utf8) + le32(UInt32(36 + 2 * samples)) + Array("WAVE".utf8)
        bytes += Array("fmt ".utf8) + le32(16) + le16(1) + le16(1) + le32(48_000) + le32(96_000) + le16(2) + le16(16)
        bytes += Array("data".utf8) + le32(UInt32(2 * samples)) + [UInt8](repeating: 0, count: 2 * samples)
        return bytes
    }
}

import Foundation
import MaximTestSupport
import MediaIO
import Testing

/// Crash-safety of segmented jobs with real processes: the process is stopped at exact points by the
/// `MAXIM_VIDEO_TEST_KILL_AT` test hook (see `TestHook`), then rerun with `--resume`.
///
/// No test-only environment: the product fixes the heap fill byte itself (``ReproducibleHeap``), so a resumed run
/// matching the uninterrupted one bit for bit is what users get too.
@Suite("maxim-video --resume")
struct ResumeCommandTests {
    static let frames = 45

    /// A 45-frame clip with AAC audio and an uninterrupted segmented reference run of it.
    private func prepare() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.frames = Self.frames
        clip.audio = AudioTrackSettings(codec: "aac")
        try clip.write(to: dir.path("in.mkv"))
        let reference = try run(["-o", "ref.mp4"], in: dir)
        #expect(reference.status == 0, "\(reference.stderr)")
        return dir
    }

    private func run(
        _ extra: [String], in dir: TemporaryDirectory, killAt: String? = nil
    ) throws -> CommandRunner.Result {
        var environment = ProcessInfo.processInfo.environment
        environment[TestHook.environmentVariable] = killAt
        return try CommandRunner.run(
            ["process", "in.mkv", "--segment-frames", "10", "--threads", "1", "--preset", "veryfast", "--verbose"] + extra, in: dir.url,
            environment: environment)
    }

    /// Same frames, same pts, audio intact.
    private func expectSameAsReference(_ dir: TemporaryDirectory) throws {
        let reference = try DecodedClip(dir.path("ref.mp4"))
        let resumed = try DecodedClip(dir.path("out.mp4"))
        #expect(resumed.timings == reference.timings)
        #expect(resumed.images.count == Self.frames)
        let mismatched = zip(resumed.images, reference.images).enumerated().filter { $0.element.0 != $0.element.1 }
        #expect(mismatched.isEmpty, "frames differing from the uninterrupted run: \(mismatched.map(\.offset)), max diff \(mismatched.map { zip($0.element.0.pixels, $0.element.1.pixels).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0)")
        let input = try MediaInfo.probe(dir.path("in.mkv"))
        let output = try MediaInfo.probe(dir.path("out.mp4"))
        #expect(output.audio?.codec == "aac")
        #expect(output.audio?.frameCount == input.audio?.frameCount)
    }

    /// (kill point, first frame the rerun must resume at; nil when it depends on how far the encoder got)
    @Test(arguments: [
        ("segment-1-decode", nil), ("segment-3-mid", 30), ("concat", 45), ("rename", 45), ("done", nil),
    ] as [(String, Int?)])
    func killedJobResumesToTheSameOutput(point: String, resumesAt: Int?) throws {
        let dir = try prepare()
        let killed = try run(["-o", "out.mp4", "--resume"], in: dir, killAt: point)
        #expect(killed.status == SIGKILL, "\(point): \(killed.stderr)")
        let rerun = try run(["-o", "out.mp4", "--resume", "--overwrite"], in: dir)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        if let resumesAt {
            #expect(rerun.stderr.contains("resuming at frame \(resumesAt) "), "\(rerun.stderr)")
        }
        try expectSameAsReference(dir)
        #expect(dir.contents() == ["in.mkv", "out.mp4", "ref.mp4"], "no state or temporary files left")
    }

    /// SIGTERM, or SIGHUP (the terminal of an interactive run closing: it killed the job on the spot before).
    @Test(arguments: ["TERM", "HUP"])
    func stopSignalStopsCleanlyAndResumes(signal: String) throws {
        let dir = try prepare()
        let stopped = try run(["-o", "out.mp4", "--resume"], in: dir, killAt: "segment-3-mid:\(signal)")
        #expect(stopped.status == 130, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("rerun with --resume"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.mp4")))
        // Raised half way through segment 3 (frames 30–39): the stop is seen at the next frame boundary, so segment 3
        // is never finished and never kept half-written.
        let state = dir.path(".out.mp4.maxim-state")
        let kept = try FileManager.default.contentsOfDirectory(atPath: state).sorted()
        let segments = kept.filter { $0.hasSuffix(".mxseg") }
        #expect(kept == ["job.lock", "journal.json"] + segments)
        #expect(segments.count == 3, "\(kept)")

        let rerun = try run(["-o", "out.mp4", "--resume"], in: dir)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("resuming at frame \(segments.count * 10) "), "\(rerun.stderr)")
        try expectSameAsReference(dir)
        #expect(dir.contents() == ["in.mkv", "out.mp4", "ref.mp4"])
    }

    /// Under `nohup` (SIGHUP ignored) a closing terminal does not stop the job: an ignored signal stays ignored.
    @Test func nohupKeepsTheJobRunningThroughAHangup() throws {
        let dir = try prepare()
        var environment = ProcessInfo.processInfo.environment
        environment[TestHook.environmentVariable] = "segment-3-mid:HUP"
        let result = try CommandRunner.run(
            [CommandRunner.executable.path, "process", "in.mkv", "--segment-frames", "10", "--threads", "1", "--preset",
             "veryfast", "-o", "out.mp4"], in: dir.url, executable: URL(fileURLWithPath: "/usr/bin/nohup"),
            environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        try expectSameAsReference(dir)
    }

    /// An MP4 input (its index announces the frame count) resumed past its first keyframe finishes with status 0: the
    /// packets the seek skips count as read, where they made every such resume a "truncated: 45 of 45 frames" error.
    @Test func mp4InputResumedPastAKeyframeIsNotTruncated() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        (clip.frames, clip.codec, clip.encoderOptions) = (Self.frames, "libx264", ["g": "10", "bf": "2"])
        clip.audio = AudioTrackSettings(codec: "aac")
        try clip.write(to: dir.path("in.mp4"))
        let arguments = ["process", "in.mp4", "-o", "out.mkv", "--segment-frames", "10", "--threads", "1",
                         "--preset", "veryfast", "--resume", "--verbose"]
        var environment = ProcessInfo.processInfo.environment
        environment[TestHook.environmentVariable] = "segment-3-mid"
        let killed = try CommandRunner.run(arguments, in: dir.url, environment: environment)
        #expect(killed.status == SIGKILL, "\(killed.stderr)")
        let rerun = try CommandRunner.run(arguments, in: dir.url)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("resuming at frame 30 "), "\(rerun.stderr)")
        #expect(!rerun.stderr.contains("truncated"), "\(rerun.stderr)")
        #expect(try MediaInfo.probe(dir.path("out.mkv")).video?.frameCount == Self.frames)
    }

    @Test func changedSettingsStartAfresh() throws {
        let dir = try prepare()
        _ = try run(["-o", "out.mp4", "--resume"], in: dir, killAt: "segment-3-mid")
        let rerun = try run(["-o", "out.mp4", "--resume", "--crf", "30"], in: dir)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("for another job or settings; starting afresh"), "\(rerun.stderr)")
        #expect(!rerun.stderr.contains("resuming at frame"))
    }

    /// A pipeline file's CRF is part of the job's settings too (it applies where the encoder has a CRF).
    @Test func changedPipelineFileCRFStartsAfresh() throws {
        let dir = try prepare()
        for crf in [20, 30] {
            try """
                name: tiny
                stages: [{model: \(tinyCheckpoint), tile: 64, overlap: 16}]
                output: {crf: \(crf), preset: veryfast}
                threads: 1
                """.write(toFile: dir.path("p\(crf).yaml"), atomically: true, encoding: .utf8)
        }
        var environment = ProcessInfo.processInfo.environment
        environment[TestHook.environmentVariable] = "segment-3-mid"
        let arguments = { (crf: Int) in
            ["run", "p\(crf).yaml", "-i", "in.mkv", "-o", "out.mp4", "--resume", "--segment-frames", "10", "--verbose"]
        }
        let killed = try CommandRunner.run(arguments(20), in: dir.url, environment: environment)
        #expect(killed.status == SIGKILL, "\(killed.stderr)")
        let rerun = try CommandRunner.run(arguments(30), in: dir.url)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("for another job or settings; starting afresh"), "\(rerun.stderr)")
    }

    /// A second job for the same output while the first runs (a cron line firing again) fails at once in one line
    /// and leaves the first job's state alone; it shared the segments and the partial file before.
    @Test func secondJobForTheSameOutputIsRefusedWhileTheFirstRuns() throws {
        let dir = try prepare()
        let state = dir.path(".out.mp4.maxim-state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        var running: FileLock? = try FileLock(path: state + "/job.lock", mode: .failIfHeld)
        let second = try run(["-o", "out.mp4", "--resume"], in: dir)
        #expect(second.status == 1)
        #expect(second.stderr.contains("out.mp4: cannot write the output: another maxim-video job is writing it now"),
                "\(second.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.mp4")))
        #expect(FileManager.default.fileExists(atPath: state + "/job.lock"), "the running job's state is left alone")
        running = nil
        let after = try run(["-o", "out.mp4", "--resume"], in: dir)
        #expect(after.status == 0, "\(after.stderr)")
        try expectSameAsReference(dir)
        withExtendedLifetime(running) {}
    }

    @Test func damagedSegmentIsReencoded() throws {
        let dir = try prepare()
        _ = try run(["-o", "out.mp4", "--resume"], in: dir, killAt: "segment-3-mid")
        let segment = URL(fileURLWithPath: dir.path(".out.mp4.maxim-state/segment-00001.mxseg"))
        var bytes = try Data(contentsOf: segment)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: segment)
        let rerun = try run(["-o", "out.mp4", "--resume"], in: dir)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("resuming at frame 10 "), "\(rerun.stderr)")
        try expectSameAsReference(dir)
    }
}

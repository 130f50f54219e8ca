import Foundation
import MaximTestSupport
import MediaIO
import Testing

/// `maxim-video batch` with real processes on small inboxes (tiny checkpoint, tile 64, 64×48 clips).
@Suite("maxim-video batch")
struct BatchCommandTests {
    /// An inbox with `inputs` ready clips (mtime an hour ago), an outbox and a pipeline file.
    private func prepare(inputs: [String], frames: Int = 12) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        for name in ["inbox", "outbox"] {
            try FileManager.default.createDirectory(at: dir.url.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        var clip = SyntheticClip()
        clip.frames = frames
        clip.audio = AudioTrackSettings(codec: "aac")
        for name in inputs {
            try clip.write(to: dir.path("inbox/\(name)"))
            try age(dir.path("inbox/\(name)"))
        }
        try """
            name: tiny
            stages:
              - {model: \(tinyCheckpoint), tile: 64, overlap: 16}
            output: {codec: libx264, crf: 18, preset: veryfast}
            threads: 1
            """.write(toFile: dir.path("p.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    private func age(_ path: String) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: path)
    }

    private func batchArguments(_ extra: [String] = []) -> [String] {
        ["batch", "--inbox", "inbox", "--outbox", "outbox", "--pipeline", "p.yaml", "--stable-seconds", "2", "--json"]
            + extra
    }

    private func summary(_ result: CommandRunner.Result) throws -> [String: Any] {
        let data = Data(result.stdout.utf8)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(result.stdout)")
    }

    private func names(_ dir: TemporaryDirectory, _ sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path(sub))) ?? []).filter { !$0.hasPrefix(".") }
            .sorted()
    }

    @Test func corruptInputFailsWithItsReasonOthersSucceed() throws {
        let dir = try prepare(inputs: ["a.mkv", "c.mkv"])
        try Data("not a video at all".utf8).write(to: URL(fileURLWithPath: dir.path("inbox/b.mkv")))
        try age(dir.path("inbox/b.mkv"))
        let result = try CommandRunner.run(
            batchArguments(["--retries", "1", "--metrics-file", "metrics.prom"]), in: dir.url)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(names(dir, "outbox") == ["a.mkv", "c.mkv"])
        #expect(names(dir, "inbox/done") == ["a.mkv", "c.mkv"])
        #expect(names(dir, "inbox/failed") == ["b.mkv", "b.mkv.error.txt"])
        let report = try String(contentsOfFile: dir.path("inbox/failed/b.mkv.error.txt"), encoding: .utf8)
        #expect(report.contains("cause: maxim-video: error: "), "\(report)")
        #expect(report.contains("b.mkv: cannot open input: Invalid data"), "\(report)")
        #expect(report.contains("exit: exit status 1"))
        #expect(report.contains("attempts: 2"))
        #expect(names(dir, "inbox") == ["done", "failed"])
        let json = try summary(result)
        #expect(json["done"] as? Int == 2 && json["failed"] as? Int == 1 && json["exitStatus"] as? Int == 3)
        #expect(try MediaInfo.probe(dir.path("outbox/a.mkv")).audio?.codec == "aac")

        let metrics = try parsePrometheusText(String(contentsOfFile: dir.path("metrics.prom"), encoding: .utf8))
        #expect(metrics["maxim_video_batch_files_processed"] == 2)
        #expect(metrics["maxim_video_batch_files_failed"] == 1)
        #expect(metrics["maxim_video_batch_frames"] == 24)
        #expect(metrics["maxim_video_batch_last_success_timestamp_seconds"] ?? 0 > 1_700_000_000)
        #expect(!names(dir, ".").contains { $0.contains("partial") })
    }

    @Test func maxJobsLimitsTheInputsOfOneRun() throws {
        let dir = try prepare(inputs: ["a.mkv", "b.mkv", "c.mkv"])
        let result = try CommandRunner.run(batchArguments(["--max-jobs", "2"]), in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(names(dir, "inbox/done") == ["a.mkv", "b.mkv"])
        #expect(names(dir, "inbox").contains("c.mkv"))
    }

    @Test func twoRunsAtOnceProcessEachInputExactlyOnce() throws {
        let inputs = ["a.mkv", "b.mkv", "c.mkv", "d.mkv"]
        let dir = try prepare(inputs: inputs)
        let first = try CommandRunner.launch(batchArguments(), in: dir.url)
        let second = try CommandRunner.launch(batchArguments(), in: dir.url)
        var done = 0
        for (process, out, err) in [first, second] {
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: stdout) as? [String: Any])
            if json["alreadyRunning"] as? Bool == true {
                #expect(stderr.contains("already running"))
            } else {
                done += json["done"] as? Int ?? 0
            }
        }
        #expect(done == 4, "each input processed exactly once in all")
        #expect(names(dir, "inbox/done") == inputs)
        #expect(names(dir, "outbox") == inputs)
    }

    /// A second input of an earlier input's name (a camera's numbering restarted) neither replaces the earlier
    /// output nor the earlier input in `done/`: both get the next free name.
    @Test func sameNameAgainKeepsTheEarlierOutputAndInput() throws {
        let dir = try prepare(inputs: ["GOPR0001.mkv"], frames: 4)
        let first = try CommandRunner.run(batchArguments(), in: dir.url)
        #expect(first.status == 0, "\(first.stderr)")
        let firstBytes = try Data(contentsOf: URL(fileURLWithPath: dir.path("outbox/GOPR0001.mkv")))

        var clip = SyntheticClip()
        clip.frames = 6
        try clip.write(to: dir.path("inbox/GOPR0001.mkv"))
        try age(dir.path("inbox/GOPR0001.mkv"))
        let second = try CommandRunner.run(batchArguments(), in: dir.url)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("the outbox already has GOPR0001.mkv; writing GOPR0001-2.mkv"), "\(second.stderr)")
        let inputs = try #require(try summary(second)["inputs"] as? [[String: Any]])
        #expect(inputs.first?["output"] as? String == "GOPR0001-2.mkv")

        #expect(names(dir, "outbox") == ["GOPR0001-2.mkv", "GOPR0001.mkv"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("outbox/GOPR0001.mkv"))) == firstBytes)
        #expect(try MediaInfo.probe(dir.path("outbox/GOPR0001.mkv"), scanPackets: true).video?.frameCount == 4)
        #expect(try MediaInfo.probe(dir.path("outbox/GOPR0001-2.mkv"), scanPackets: true).video?.frameCount == 6)
        #expect(names(dir, "inbox/done") == ["GOPR0001-2.mkv", "GOPR0001.mkv"])
        #expect(try MediaInfo.probe(dir.path("inbox/done/GOPR0001-2.mkv"), scanPackets: true).video?.frameCount == 6)
    }

    /// A runner killed after a job's output is complete but before the input is filed: the next run only files it
    /// (no second restoration, no second output).
    @Test func runnerKilledBeforeFilingFilesTheInputNextTime() throws {
        let dir = try prepare(inputs: ["a.mkv"], frames: 4)
        var environment = ProcessInfo.processInfo.environment
        environment[TestHook.environmentVariable] = "batch-file"
        let killed = try CommandRunner.run(batchArguments(), in: dir.url, environment: environment)
        #expect(killed.status != 0)
        #expect(names(dir, "inbox") == ["a.mkv"])
        #expect(names(dir, "outbox") == ["a.mkv"])
        let written = try FileManager.default.attributesOfItem(atPath: dir.path("outbox/a.mkv"))[.modificationDate] as? Date

        let next = try CommandRunner.run(batchArguments(), in: dir.url)
        #expect(next.status == 0, "\(next.stderr)")
        let inputs = try #require(try summary(next)["inputs"] as? [[String: Any]])
        #expect(inputs.first?["attempts"] as? Int == 0, "not restored again")
        #expect(names(dir, "outbox") == ["a.mkv"])
        #expect(names(dir, "inbox/done") == ["a.mkv"])
        #expect(try FileManager.default.attributesOfItem(atPath: dir.path("outbox/a.mkv"))[.modificationDate] as? Date == written)
        #expect(names(dir, "inbox/.maxim-state/jobs") == [])
    }

    /// A child stopped by SIGTERM (here raised by the test hook at a fixed frame) ends the run with 130; the input
    /// stays in the inbox with its finished segments, and the next run resumes it.
    @Test func interruptedChildEndsTheRunResumably() throws {
        let dir = try prepare(inputs: ["a.mkv"], frames: 45)
        var environment = ProcessInfo.processInfo.environment
        environment[TestHook.environmentVariable] = "segment-3-mid:TERM"
        let stopped = try CommandRunner.run(
            batchArguments(["--segment-frames", "10"]), in: dir.url, environment: environment)
        #expect(stopped.status == 130, "\(stopped.stderr)")
        #expect(try summary(stopped)["interrupted"] as? Bool == true)
        #expect(names(dir, "inbox") == ["a.mkv"])
        #expect(names(dir, "outbox") == [])
        let journal = dir.path("inbox/.maxim-state/jobs/a.mkv/journal.json")
        #expect(FileManager.default.fileExists(atPath: journal))

        let resumed = try CommandRunner.run(batchArguments(["--segment-frames", "10"]), in: dir.url)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(names(dir, "inbox/done") == ["a.mkv"])
        #expect(try MediaInfo.probe(dir.path("outbox/a.mkv"), scanPackets: true).video?.frameCount == 45)
        #expect(!FileManager.default.fileExists(atPath: journal))
    }

    /// SIGTERM to the runner reaches the child, which stops at a frame boundary: the run ends with 130 and the input
    /// stays in the inbox with its finished segments.
    @Test func sigtermToTheRunnerIsForwardedToTheChild() throws {
        let dir = try prepare(inputs: ["a.mkv"], frames: 150)
        let (process, out, err) = try CommandRunner.launch(batchArguments(["--segment-frames", "10"]), in: dir.url)
        // Signal once the child has finished its first segment (so it is surely running, with 140 frames to go).
        let journal = dir.path("inbox/.maxim-state/jobs/a.mkv/journal.json")
        while process.isRunning {
            if let text = try? String(contentsOfFile: journal, encoding: .utf8), text.contains("segment-00000") { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(process.processIdentifier, SIGTERM)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: stdout) as? [String: Any])
        #expect(json["interrupted"] as? Bool == true)
        #expect(names(dir, "inbox") == ["a.mkv"])
        #expect(names(dir, "outbox") == [])
        #expect(FileManager.default.fileExists(atPath: journal), "resumable state kept")
    }

    /// An inbox gets photos and WebM clips too: the pipeline's H.264, CRF and preset are for the videos that can
    /// hold them; a photo comes out in its own format, a WebM clip in VP9 (before: "image2 cannot hold libx264").
    @Test func photosAndWebMInTheInboxTakeTheirOwnCodecs() throws {
        let dir = try prepare(inputs: ["a.mkv"], frames: 4)
        let clip = SyntheticClip()
        try StillImage.write(clip.image(0), to: dir.path("inbox/photo.png"))
        var webm = SyntheticClip()
        webm.codec = "libvpx-vp9"
        webm.frames = 4
        try webm.write(to: dir.path("inbox/clip.webm"))
        for name in ["photo.png", "clip.webm"] { try age(dir.path("inbox/\(name)")) }

        let result = try CommandRunner.run(batchArguments(["--retries", "0"]), in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(names(dir, "inbox/done") == ["a.mkv", "clip.webm", "photo.png"])
        let photo = try #require(try MediaInfo.probe(dir.path("outbox/photo.png"), scanPackets: true).video)
        #expect(photo.codec == "png" && photo.width == clip.width && photo.height == clip.height)
        let restored = try StillImage.read(dir.path("outbox/photo.png")).image
        #expect(restored.width == clip.width && restored.pixels != clip.image(0).pixels, "through the model")
        let vp9 = try #require(try MediaInfo.probe(dir.path("outbox/clip.webm"), scanPackets: true).video)
        #expect(vp9.codec == "vp9" && vp9.frameCount == 4)
        #expect(try MediaInfo.probe(dir.path("outbox/a.mkv")).video?.codec == "h264")
    }

    /// A file name of 250 bytes (a long Japanese title) leaves no room for `.job.json` and the other names the
    /// runner and the job derive from it: the runner failed on the job record and stopped the whole run — on every
    /// cron run, so nothing behind that input was restored again. Now it is restored, and a bad one is filed.
    @Test func inputNamesAtTheFileSystemsLimitAreRestoredOrFiled() throws {
        let long = String(repeating: "動画", count: 41) + "ab.mkv"
        let dir = try prepare(inputs: [long, "z.mkv"], frames: 4)
        try Data("not a video".utf8).write(to: URL(fileURLWithPath: dir.path("inbox/x\(long)")))
        try age(dir.path("inbox/x\(long)"))
        let result = try CommandRunner.run(batchArguments(["--retries", "0"]), in: dir.url)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(names(dir, "outbox") == [long, "z.mkv"].sorted())
        #expect(try MediaInfo.probe(dir.path("outbox/\(long)"), scanPackets: true).video?.frameCount == 4)
        #expect(names(dir, "inbox/done") == [long, "z.mkv"].sorted())
        let failed = names(dir, "inbox/failed")
        #expect(failed.count == 2 && failed.contains("x\(long)"), "\(failed)")
        #expect(failed.contains { $0.hasSuffix(".error.txt") })
    }

    /// The runner's own trouble with one input (here its job record cannot be written) leaves that input in the
    /// inbox and goes on with the others; it stopped the whole run before, on every run.
    @Test func oneInputsRunnerTroubleDoesNotStopTheOthers() throws {
        let dir = try prepare(inputs: ["a.mkv", "b.mkv"], frames: 4)
        try FileManager.default.createDirectory(
            atPath: dir.path("inbox/.maxim-state/jobs/a.mkv.job.json"), withIntermediateDirectories: true)
        let result = try CommandRunner.run(batchArguments(), in: dir.url)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("a.mkv: "), "\(result.stderr)")
        #expect(result.stderr.contains("left in the inbox for the next run"), "\(result.stderr)")
        #expect(names(dir, "inbox/done") == ["b.mkv"])
        #expect(names(dir, "inbox").contains("a.mkv"))
        #expect(try summary(result)["failed"] as? Int == 1)
    }

    @Test func aFileStillBeingWrittenIsLeftUntilStable() throws {
        let dir = try prepare(inputs: ["a.mkv"])
        try SyntheticClip().write(to: dir.path("inbox/growing.mkv"))
        let writer = try FileHandle(forWritingAtPath: dir.path("inbox/growing.mkv")).map { $0 }!
        let stop = StopSwitch()
        let appender = Thread {
            while !stop.isOn {
                writer.seekToEndOfFile()
                writer.write(Data(repeating: 0, count: 64))
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        appender.start()
        let result = try CommandRunner.run(batchArguments(), in: dir.url)
        stop.turnOn()
        Thread.sleep(forTimeInterval: 0.2)
        try writer.close()
        #expect(result.status == 0, "\(result.stderr)")
        let json = try summary(result)
        #expect(json["notReady"] as? [String] == ["growing.mkv"])
        #expect(names(dir, "inbox/done") == ["a.mkv"])
        #expect(names(dir, "inbox").contains("growing.mkv"))

        // Once it has stopped changing it is taken (and, being garbage at its end, decoded as far as it goes or failed).
        try age(dir.path("inbox/growing.mkv"))
        let later = try CommandRunner.run(batchArguments(["--retries", "0"]), in: dir.url)
        #expect(try summary(later)["notReady"] as? [String] == [])
        #expect(!names(dir, "inbox").contains("growing.mkv"))
    }
}

/// A flag shared with a helper thread.
private final class StopSwitch: @unchecked Sendable {
    private let lock = NSLock()
    private var on = false
    func turnOn() { lock.lock(); on = true; lock.unlock() }
    var isOn: Bool { lock.lock(); defer { lock.unlock() }; return on }
}

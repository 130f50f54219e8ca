import BatchMode
import Dispatch
import Foundation
import MediaIO

/// Drains an inbox once: lock, find ready inputs, run each in a child process with retries, file it away.
///
/// The runner never restores anything itself: every input is a child `maxim-video run … --resume`, so a crash or an
/// OOM kill costs one attempt of one input, and the child's segments survive for the retry or the next cron run.
struct BatchRunner {
    let inbox: URL
    let outbox: URL
    let pipeline: URL
    let state: URL
    let policy: AttemptPolicy
    let stableSeconds: Double
    let maxJobs: Int?
    let segmentFrames: Int?

    init(
        inbox: URL, outbox: URL, pipeline: URL, state: URL, policy: AttemptPolicy, stableSeconds: Double,
        maxJobs: Int?, segmentFrames: Int?
    ) throws {
        for (url, role) in [(inbox, "inbox"), (outbox, "outbox")] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue
            else { throw BatchError.notADirectory(path: url.path, role: role) }
        }
        guard FileManager.default.fileExists(atPath: pipeline.path) else {
            throw BatchError.io(path: pipeline.path, operation: "read the pipeline file", errno: ENOENT)
        }
        self.inbox = inbox
        self.outbox = outbox
        self.pipeline = pipeline
        self.state = state
        self.policy = policy
        self.stableSeconds = stableSeconds
        self.maxJobs = maxJobs
        self.segmentFrames = segmentFrames
    }

    /// The run's summary, or nil when another run holds the lock and `waitForLock` is false.
    func run(waitForLock: Bool) throws -> BatchSummary? {
        let jobs = state.appendingPathComponent("jobs")
        do {
            try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        } catch {
            throw BatchError.io(path: jobs.path, operation: "create the state directory", errno: EACCES)
        }
        let lock: FileLock
        do {
            lock = try FileLock(path: state.appendingPathComponent("batch.lock").path, mode: waitForLock ? .wait : .failIfHeld)
        } catch is FileLock.AlreadyHeld {
            return nil
        }
        defer { withExtendedLifetime(lock) {} }

        let child = ChildRun()
        let signals = StopSignals {
            printError("maxim-video: batch: stopping; the current input keeps its finished segments")
            child.terminate()
        }
        defer { withExtendedLifetime(signals) {} }

        let scanner = InboxScanner(inbox: inbox, stableFor: stableSeconds)
        let seen = try scanner.candidates()
        var ready = try scanner.readyFiles()
        var summary = BatchSummary()
        summary.notReady = seen.filter { !ready.contains($0) }.map(\.lastPathComponent)
        if let maxJobs { ready = Array(ready.prefix(maxJobs)) }
        let filer = InboxFiler(inbox: inbox)

        for input in ready {
            if StopSignals.requested {
                summary.interrupted = true
                break
            }
            guard let seen = InboxScanner.observe(input) else {
                printError("maxim-video: batch: \(input.lastPathComponent): gone from the inbox before its turn; skipped")
                continue
            }
            let result: BatchSummary.Input
            do {
                result = try process(input, seen: seen, jobs: jobs, child: child, filer: filer)
            } catch {
                // One input's trouble (its record, its filing) must not stop the inputs behind it on every run.
                let name = input.lastPathComponent
                printError("maxim-video: batch: \(name): \(error); left in the inbox for the next run")
                result = .init(name: name, status: .failed, attempts: 0, seconds: 0, error: "\(error)")
            }
            summary.inputs.append(result)
            if result.status == .interrupted {
                summary.interrupted = true
                break
            }
        }
        return summary
    }

    private func process(
        _ input: URL, seen: InboxScanner.Observation, jobs: URL, child: ChildRun, filer: InboxFiler
    ) throws -> BatchSummary.Input {
        let name = input.lastPathComponent
        let state = jobs.appendingPathComponent(derivedFileName(name))
        let log = jobs.appendingPathComponent(derivedFileName(name, suffix: ".log"))
        let start = Date()
        let recordURL = jobs.appendingPathComponent(derivedFileName(name, suffix: ".job.json"))
        var record: JobRecord
        if let earlier = JobRecord.load(from: recordURL), earlier.describes(name, seen: seen) {
            record = earlier
        } else {
            record = JobRecord(input: name, seen: seen, output: freeName(name, in: outbox))
            if record.output != name {
                printError("maxim-video: batch: \(name): the outbox already has \(name); writing \(record.output)")
            }
        }
        try record.save(to: recordURL)
        let output = outbox.appendingPathComponent(record.output)

        func succeeded(attempts: Int) throws -> BatchSummary.Input {
            record.finished = true
            try record.save(to: recordURL)
            TestHook.killIfRequested("batch-file")
            try filer.markDone(input)
            try? FileManager.default.removeItem(at: recordURL)
            try? FileManager.default.removeItem(at: log)
            let frames = (try? MediaInfo.probe(output.path, scanPackets: true))?.video?.frameCount
            return .init(name: name, status: .done, attempts: attempts, seconds: Date().timeIntervalSince(start),
                         frames: frames, output: record.output)
        }
        if record.finished && FileManager.default.fileExists(atPath: output.path) {
            return try succeeded(attempts: 0)  // restored by an earlier run that stopped before filing the input
        }

        let arguments = [
            "run", pipeline.path, "-i", input.path, "-o", output.path, "--resume", "--overwrite",
            "--state", state.path,
        ] + (segmentFrames.map { ["--segment-frames", String($0)] } ?? [])
        var attempt = 0
        while true {
            attempt += 1
            let outcome = try child.run(arguments, log: log)
            let seconds = Date().timeIntervalSince(start)
            switch policy.decide(attempt: attempt, exitStatus: outcome.exitStatus, stopRequested: StopSignals.requested) {
            case .succeeded:
                return try succeeded(attempts: attempt)
            case .retry:
                printError("maxim-video: batch: \(name): attempt \(attempt) failed (\(outcome.description)); retrying")
            case .interrupted:
                return .init(name: name, status: .interrupted, attempts: attempt, seconds: seconds)
            case .giveUp:
                let lines = ((try? String(contentsOf: log, encoding: .utf8)) ?? "")
                    .split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
                let report = FailureReport(
                    input: name, cause: FailureReport.cause(fromLog: lines), exitDescription: outcome.description,
                    attempts: attempt, logTail: Array(lines.suffix(20)))
                try filer.markFailed(input, report: report)
                try? FileManager.default.removeItem(at: recordURL)
                try? FileManager.default.removeItem(at: log)
                try? FileManager.default.removeItem(at: state)
                printError("maxim-video: batch: \(name): failed: \(report.cause)")
                return .init(name: name, status: .failed, attempts: attempt, seconds: seconds, error: report.cause)
            }
        }
    }
}

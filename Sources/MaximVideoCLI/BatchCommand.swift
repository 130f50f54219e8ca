import ArgumentParser
import BatchMode
import Foundation
import MediaIO

/// `maxim-video batch --inbox DIR --outbox DIR --pipeline FILE`: restores every ready input of an inbox, for cron.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Restore every ready file in an inbox into an outbox (for cron / Kubernetes CronJobs).",
        discussion: """
            Takes a lock (STATE/batch.lock) so overlapping runs never process the same input; a file is taken only \
            once its size and modification time have been stable for --stable-seconds. Each input runs as a \
            resumable child process (`maxim-video run PIPELINE -i IN -o OUTBOX/NAME --resume --state \
            STATE/jobs/NAME`); on success the input moves to INBOX/done/, after the last retry to INBOX/failed/ \
            with NAME.error.txt. Exit status: 0 all done, 1 runner failure, 3 some inputs failed, 130 interrupted \
            (SIGINT/SIGTERM are forwarded to the child, which stops at a frame boundary and keeps its segments).
            """)

    @Option(help: "Directory of inputs to restore.")
    var inbox: String

    @Option(help: "Directory for the restored outputs (same file names as the inputs).")
    var outbox: String

    @Option(help: "The pipeline file every input is restored with.")
    var pipeline: String

    @Option(help: "State directory: the lock and the resumable job states (default: INBOX/.maxim-state).")
    var state: String?

    @Option(name: .customLong("max-jobs"), help: "Restore at most this many inputs in this run.")
    var maxJobs: Int?

    @Option(help: "Extra attempts for an input that fails (each resumes from its finished segments).")
    var retries = 1

    @Option(name: .customLong("stable-seconds"), help: "Seconds a file's size and time must be unchanged.")
    var stableSeconds = 30.0

    @Option(name: .customLong("segment-frames"), help: "Frames per resumable segment (default: about 10 s of video).")
    var segmentFrames: Int?

    @Flag(name: .customLong("wait-for-lock"), help: "Wait for a running batch instead of exiting 0.")
    var waitForLock = false

    @Flag(help: "Print a JSON summary on stdout.")
    var json = false

    @Option(name: .customLong("metrics-file"), help: "Write Prometheus text metrics here (textfile collector).")
    var metricsFile: String?

    func validate() throws {
        if let maxJobs, maxJobs < 1 { throw ValidationError("--max-jobs must be at least 1") }
        if retries < 0 { throw ValidationError("--retries must not be negative") }
        if let segmentFrames, segmentFrames < 1 { throw ValidationError("--segment-frames must be at least 1") }
        if stableSeconds < 0 { throw ValidationError("--stable-seconds must not be negative") }
    }

    func run() throws {
        do {
            let runner = try BatchRunner(
                inbox: URL(fileURLWithPath: inbox), outbox: URL(fileURLWithPath: outbox),
                pipeline: URL(fileURLWithPath: pipeline).standardizedFileURL,
                state: URL(fileURLWithPath: state ?? URL(fileURLWithPath: inbox).appendingPathComponent(".maxim-state").path),
                policy: AttemptPolicy(retries: retries), stableSeconds: stableSeconds, maxJobs: maxJobs,
                segmentFrames: segmentFrames)
            guard let summary = try runner.run(waitForLock: waitForLock) else {
                printError("maxim-video: another batch run is already running; nothing to do")
                if json { print(#"{"alreadyRunning":true}"#) }
                return
            }
            if let metricsFile {
                // The textfile collector's directory may be on a fresh volume: create it rather than fail the run.
                try? FileManager.default.createDirectory(
                    at: URL(fileURLWithPath: metricsFile).deletingLastPathComponent(), withIntermediateDirectories: true)
                var metrics = summary.metrics
                metrics.lastSuccess = summary.inputs.contains { $0.status == .done } ? Date().timeIntervalSince1970 : nil
                try metrics.write(to: metricsFile)
            }
            if json { print(summary.json()) }
            printError("maxim-video: batch: \(summary.done) done, \(summary.failed) failed, \(summary.notReady.count) not ready yet")
            if summary.exitStatus != 0 { throw ExitCode(summary.exitStatus) }
        } catch let error as ExitCode {
            throw error
        } catch {
            reportFailure(error)
            throw ExitStatus.failure
        }
    }
}

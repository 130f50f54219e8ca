import BatchMode
import Testing

@Suite("Batch attempt policy")
struct AttemptPolicyTests {
    /// (retries, attempt, exit status or nil for a signal, stop requested, decision)
    @Test(arguments: [
        (1, 1, 0, false, .succeeded),
        (1, 1, 1, false, .retry),
        (1, 2, 1, false, .giveUp),
        (0, 1, 1, false, .giveUp),
        (2, 1, nil, false, .retry),  // killed (OOM, crash): retry resumes from the kept segments
        (2, 3, nil, false, .giveUp),
        (3, 1, 2, false, .giveUp),  // usage error: a retry cannot help
        (3, 1, 130, false, .interrupted),
        (3, 1, nil, true, .interrupted),
    ] as [(Int, Int, Int32?, Bool, AttemptPolicy.Decision)])
    func decides(retries: Int, attempt: Int, status: Int32?, stop: Bool, expected: AttemptPolicy.Decision) {
        #expect(AttemptPolicy(retries: retries).decide(attempt: attempt, exitStatus: status, stopRequested: stop) == expected)
    }

    @Test func summaryExitStatusAndMetrics() {
        var summary = BatchSummary()
        #expect(summary.exitStatus == 0)
        summary.inputs = [
            .init(name: "a.mkv", status: .done, attempts: 1, seconds: 2, frames: 40),
            .init(name: "b.mkv", status: .failed, attempts: 2, seconds: 1, error: "bad"),
        ]
        #expect(summary.exitStatus == 3)
        #expect(summary.metrics.filesProcessed == 1 && summary.metrics.filesFailed == 1)
        #expect(summary.metrics.framesProcessed == 40 && summary.metrics.secondsProcessing == 3)
        summary.interrupted = true
        #expect(summary.exitStatus == 130)
    }

    @Test func failureReportNamesTheCause() {
        let lines = ["notice: starting", "maxim-video: error: in.mkv: cannot open input: Invalid data", "bye"]
        #expect(FailureReport.cause(fromLog: lines) == "maxim-video: error: in.mkv: cannot open input: Invalid data")
        #expect(FailureReport.cause(fromLog: []) == "no output")
    }
}

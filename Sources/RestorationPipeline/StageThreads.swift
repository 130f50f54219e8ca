import Foundation

/// The threads and bounded queues between a frame source and a frame sink, shared by ``VideoRestorer`` and
/// ``SegmentedRestorer``: `queues[0]` feeds stage 1, `queues[i]` feeds stage i+1, the last queue feeds the sink.
///
/// Every box runs on a dedicated `Thread` (never Swift's cooperative pool: decoding, restoring and encoding block
/// and burn CPU). A failure anywhere, or cancellation, closes every queue and stops every runner, so all threads
/// end after the frame they are working on.
final class StageThreads: Sendable {
    let state: PipelineState
    let queues: [BoundedQueue<PipelineItem>]
    private let runners: [StageRunner]
    private let workersPerStage: Int
    private let group = DispatchGroup()

    init(stages: [any RestorationStage], options: RestorerOptions, cancellation: CancellationToken) {
        let queues = (0...stages.count).map { _ in BoundedQueue<PipelineItem>(capacity: options.queueCapacity) }
        let state = PipelineState()
        self.state = state
        let runners = stages.indices.map { i in
            StageRunner(
                stage: stages[i], input: queues[i], output: queues[i + 1], workers: options.workersPerStage, state: state)
        }
        self.queues = queues
        self.runners = runners
        workersPerStage = options.workersPerStage
        let stopAll: @Sendable () -> Void = {
            for queue in queues { queue.cancel() }
            for runner in runners { runner.stop() }
        }
        state.setFailureHandler(stopAll)
        cancellation.onCancel(stopAll)
    }

    /// The queue the decoder fills.
    var input: BoundedQueue<PipelineItem> { queues[0] }
    /// The queue the sink drains.
    var output: BoundedQueue<PipelineItem> { queues[queues.count - 1] }

    /// Runs `body` on a new named thread that `finish` waits for.
    func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let group = group
        let thread = Thread {
            body()
            group.leave()
        }
        thread.name = name
        thread.start()
    }

    /// Starts `workersPerStage` threads for every stage.
    func startStages() {
        for (i, runner) in runners.enumerated() {
            for w in 0..<workersPerStage { spawn("stage-\(i)-\(w)") { runner.work() } }
        }
    }

    /// Waits for every thread, then throws the first failure, ``PipelineError/cancelled``, or a frame-count
    /// mismatch (an output must have exactly as many frames as were decoded).
    func finish(output: String, cancellation: CancellationToken) throws -> (decoded: Int, encoded: Int, maxInFlight: Int) {
        group.wait()
        if let error = state.firstError { throw error }
        if cancellation.isCancelled { throw PipelineError.cancelled }
        let counts = state.counts
        guard counts.decoded == counts.encoded else {
            throw PipelineError.frameCountMismatch(file: output, decoded: counts.decoded, encoded: counts.encoded)
        }
        return counts
    }
}

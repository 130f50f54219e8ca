import Foundation
import MediaIO

/// Runs one ``RestorationStage`` on `workers` dedicated threads between two bounded queues, delivering frames in
/// their original order (a worker that finishes early waits for its predecessor before pushing).
final class StageRunner: @unchecked Sendable {
    // @unchecked Sendable: `nextIndex` and `active` are only touched with `order` locked; the rest is immutable.
    private let stage: any RestorationStage
    private let input: BoundedQueue<PipelineItem>
    private let output: BoundedQueue<PipelineItem>
    private let state: PipelineState
    private let order = NSCondition()
    private var nextIndex = 0
    private var active: Int
    private var stopped = false

    init(
        stage: any RestorationStage, input: BoundedQueue<PipelineItem>, output: BoundedQueue<PipelineItem>,
        workers: Int, state: PipelineState
    ) {
        self.stage = stage
        self.input = input
        self.output = output
        self.state = state
        self.active = workers
    }

    /// Wakes workers waiting for their turn (the pipeline is stopping).
    func stop() {
        order.lock()
        stopped = true
        order.broadcast()
        order.unlock()
    }

    /// The body of one worker thread.
    func work() {
        while let item = input.pop() {
            var restored = item
            do {
                restored.image = try stage.restore(item.image)
            } catch {
                state.fail(PipelineError.stageFailed(stage: stage.name, frame: item.index, underlying: "\(error)"))
                break
            }
            order.lock()
            while nextIndex != item.index && !stopped { order.wait() }
            let pushed = !stopped && output.push(restored)
            nextIndex += 1
            order.broadcast()
            order.unlock()
            if !pushed { break }
        }
        order.lock()
        active -= 1
        let last = active == 0
        order.unlock()
        if last { output.close() }
    }
}

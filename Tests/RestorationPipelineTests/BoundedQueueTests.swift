import Foundation
@testable import RestorationPipeline
import Testing

@Suite("BoundedQueue")
struct BoundedQueueTests {
    @Test(arguments: [1, 3])
    func producerNeverGetsMoreThanCapacityAhead(capacity: Int) {
        let queue = BoundedQueue<Int>(capacity: capacity)
        let pushed = Counter()
        let producer = Thread {
            for i in 0..<50 {
                _ = queue.push(i)
                _ = pushed.increment()
            }
            queue.close()
        }
        producer.start()
        var popped = 0
        var maxAhead = 0
        while let value = queue.pop() {
            #expect(value == popped, "out of order")
            popped += 1
            Thread.sleep(forTimeInterval: 0.001)  // a slow consumer, so the producer would run ahead if it could
            maxAhead = max(maxAhead, pushed.value - popped)
        }
        #expect(popped == 50)
        #expect(maxAhead <= capacity)
        #expect(maxAhead >= 1, "the producer never got ahead at all")
    }

    @Test func cancelWakesABlockedProducerAndDropsItems() {
        let queue = BoundedQueue<Int>(capacity: 1)
        #expect(queue.push(1))
        let result = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Thread {
            result.set(queue.push(2))  // blocks: the queue is full
            done.signal()
        }.start()
        queue.cancel()
        done.wait()
        #expect(result.value == false)
        #expect(queue.pop() == nil)
    }
}

final class ResultBox: @unchecked Sendable {
    // @unchecked Sendable: `stored` is only touched under `lock`.
    private let lock = NSLock()
    private var stored: Bool?
    func set(_ v: Bool) { lock.lock(); stored = v; lock.unlock() }
    var value: Bool? { lock.lock(); defer { lock.unlock() }; return stored }
}

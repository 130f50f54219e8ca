import Foundation
import MediaIO

/// Shared bookkeeping of one run: frame counters, the first error, and tail passthrough packets.
///
/// # Thread safety
/// `@unchecked Sendable`: every field is read and written under `lock`.
final class PipelineState: @unchecked Sendable {
    private let lock = NSCondition()
    private var decoded = 0
    private var encoded = 0
    private var maxInFlight = 0
    private var error: (any Error)?
    private var tail: [PassthroughPacket] = []
    private var onFailure: (@Sendable () -> Void)?

    /// What to do once when the first error is recorded: stop every thread (set before the threads start).
    func setFailureHandler(_ handler: @escaping @Sendable () -> Void) { withLock { onFailure = handler } }

    func frameDecoded() {
        lock.lock()
        decoded += 1
        maxInFlight = max(maxInFlight, decoded - encoded)
        lock.unlock()
    }

    func frameEncoded() {
        lock.lock()
        encoded += 1
        lock.broadcast()
        lock.unlock()
    }

    /// Blocks until every frame decoded so far has been encoded; false when the run failed or was cancelled first.
    func waitUntilEncodedAllDecoded(cancellation: CancellationToken) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        while encoded < decoded && error == nil && !cancellation.isCancelled {
            _ = lock.wait(until: Date(timeIntervalSinceNow: 0.1))  // cancellation does not signal: look again
        }
        return encoded >= decoded && error == nil && !cancellation.isCancelled
    }

    /// Records `error` if it is the first and then runs the failure handler (outside the lock).
    func fail(_ error: any Error) {
        lock.lock()
        guard self.error == nil else {
            lock.unlock()
            return
        }
        self.error = error
        let handler = onFailure
        lock.broadcast()
        lock.unlock()
        handler?()
    }

    var firstError: (any Error)? { withLock { error } }
    var counts: (decoded: Int, encoded: Int, maxInFlight: Int) { withLock { (decoded, encoded, maxInFlight) } }

    func setTail(_ packets: [PassthroughPacket]) { withLock { tail = packets } }
    func takeTail() -> [PassthroughPacket] {
        withLock {
            defer { tail = [] }
            return tail
        }
    }

    private func withLock<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

import Foundation
import MediaIO

/// Shared bookkeeping of one run: frame counters, the first error, and tail passthrough packets.
///
/// # Thread safety
/// `@unchecked Sendable`: every field is read and written under `lock`.
final class PipelineState: @unchecked Sendable {
    private let lock = NSLock()
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
        lock.unlock()
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

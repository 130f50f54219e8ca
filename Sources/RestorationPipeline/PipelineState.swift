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

    /// Records `error` if it is the first; returns true if it was.
    @discardableResult
    func fail(_ error: any Error) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard self.error == nil else { return false }
        self.error = error
        return true
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

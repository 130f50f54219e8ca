import Foundation

/// A thread-safe "stop" flag (set by SIGINT/SIGTERM handlers, read by the pipeline at frame boundaries) that also
/// runs registered handlers once, so blocked pipeline threads can be woken.
///
/// # Thread safety
/// `@unchecked Sendable`: all state is read and written under `lock`; handlers run outside it.
public final class CancellationToken: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var handlers: [@Sendable () -> Void] = []
    private let externalRequest: (@Sendable () -> Bool)?

    /// `externalRequest`, when given, is polled by ``isCancelled`` as well (a signal handler's atomic flag), so a
    /// stop request is seen at the next frame boundary even before ``cancel()`` has run to wake blocked threads.
    public init(alsoCancelledWhen externalRequest: (@Sendable () -> Bool)? = nil) {
        self.externalRequest = externalRequest
    }

    public var isCancelled: Bool {
        if let externalRequest, externalRequest() { return true }
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    /// Sets the flag and runs the handlers (once; later calls do nothing).
    public func cancel() {
        lock.lock()
        if cancelled {
            lock.unlock()
            return
        }
        cancelled = true
        let toRun = handlers
        handlers = []
        lock.unlock()
        for handler in toRun { handler() }
    }

    /// Runs `handler` on cancellation (immediately when already cancelled).
    func onCancel(_ handler: @escaping @Sendable () -> Void) {
        lock.lock()
        if cancelled {
            lock.unlock()
            handler()
            return
        }
        handlers.append(handler)
        lock.unlock()
    }
}

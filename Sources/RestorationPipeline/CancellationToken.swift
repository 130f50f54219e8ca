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

    public init() {}

    public var isCancelled: Bool {
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

import DequeModule
import Foundation

/// A first-in, first-out queue of at most `capacity` elements between two pipeline threads: `push` blocks while it
/// is full (back-pressure, so a fast producer cannot run ahead), `pop` blocks while it is empty.
///
/// Built like swift-nio's `NIOThreadPool`: a `Deque` under a condition lock, used only from dedicated threads, never
/// from Swift's cooperative pool.
///
/// # Thread safety
/// `@unchecked Sendable`: every access to the mutable state happens with `condition` locked.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    let capacity: Int
    private let condition = NSCondition()
    private var items = Deque<Element>()
    private var closed = false
    private var cancelled = false

    init(capacity: Int) {
        precondition(capacity >= 1, "a pipeline queue needs a capacity of at least 1, got \(capacity)")
        self.capacity = capacity
    }

    /// Appends `element`, waiting while the queue is full. Returns false (dropping it) once the queue is cancelled.
    func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        precondition(!closed, "push after close")
        while items.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(element)
        condition.broadcast()
        return true
    }

    /// Removes the oldest element, waiting while empty. Nil once the queue is closed and drained, or cancelled.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed && !cancelled { condition.wait() }
        if cancelled || items.isEmpty { return nil }
        let element = items.removeFirst()
        condition.broadcast()
        return element
    }

    /// No more pushes will come; `pop` returns nil after the remaining elements.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Drops everything and wakes all waiters: the pipeline is stopping.
    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}

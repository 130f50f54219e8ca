import Foundation
import Synchronization

/// SIGINT, SIGTERM and SIGHUP (the terminal of an interactive run closing, which killed the job on the spot and left
/// its temporary output behind), caught by a real `sigaction` handler. A signal the process was started with
/// ignored stays ignored: `nohup maxim-video …` keeps running when its terminal closes.
///
/// The handler itself only does what is async-signal-safe: it counts the signal in an atomic (which the pipeline's
/// frame loops read through ``CancellationToken``, so a stop request is seen at the very next frame boundary, not when
/// a queue gets scheduled) and writes one byte to a pipe. A watcher thread reading that pipe runs the slow part —
/// printing, waking blocked threads, forwarding to a child — outside signal context. A second signal exits at once
/// with status 130, from the handler.
///
/// One instance is active at a time; creating it installs the handler and resets the count, and `deinit` restores the
/// default dispositions, so a signal after the job ends terminates the process as usual.
final class StopSignals: Sendable {
    /// Signals received since the current instance was created.
    fileprivate static let received = Atomic<Int>(0)
    /// The write end of the watcher's pipe, or -1.
    fileprivate static let wakeDescriptor = Atomic<Int32>(-1)

    /// Whether a stop was requested; cheap enough to call for every frame.
    static var requested: Bool { received.load(ordering: .acquiring) > 0 }

    private let writeEnd: Int32
    /// The signals this instance handles: ``signals`` less those ignored at start.
    private let handled: [Int32]

    /// Installs the handler; `onStop` runs once, on a watcher thread, after the first signal.
    init(onStop: @escaping @Sendable () -> Void) {
        var descriptors: [Int32] = [-1, -1]
        if pipe(&descriptors) != 0 { descriptors = [-1, -1] }
        let (readEnd, writeEnd) = (descriptors[0], descriptors[1])
        self.writeEnd = writeEnd
        let watcher = Thread {
            // Runs `onStop` on the first signal byte, and ends at the quit byte (or end of file) from `deinit`.
            var stopped = false
            while true {
                var byte: UInt8 = 0
                let count = read(readEnd, &byte, 1)
                if count == -1 && errno == EINTR { continue }
                guard count == 1, byte == StopSignals.signalByte else { break }
                if !stopped { onStop() }
                stopped = true
            }
            close(readEnd)
        }
        watcher.name = "stop-signals"
        watcher.start()

        Self.received.store(0, ordering: .releasing)
        Self.wakeDescriptor.store(writeEnd, ordering: .releasing)
        // A parent may hand us these signals blocked (Foundation's `Process` does, and the mask survives exec): unblock
        // them in this thread, which the pipeline's threads, started later, inherit from.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        handled = Self.signals.filter { number in
            var current = sigaction()
            sigaction(number, nil, &current)
            let handler = current.__sigaction_handler.sa_handler.map { unsafeBitCast($0, to: Int.self) } ?? 0
            return handler != unsafeBitCast(SIG_IGN, to: Int.self)
        }
        for number in handled { sigaddset(&unblock, number) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for number in handled {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = handleStopSignal
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, nil)
        }
    }

    deinit {
        for number in handled { signal(number, SIG_DFL) }
        Self.wakeDescriptor.store(-1, ordering: .releasing)
        var quit = Self.quitByte
        _ = write(writeEnd, &quit, 1)
        close(writeEnd)
    }

    private static let signals = [SIGINT, SIGTERM, SIGHUP]
    fileprivate static let signalByte: UInt8 = 1
    fileprivate static let quitByte: UInt8 = 0
}

/// The `sigaction` handler: async-signal-safe operations only (atomics, `write`, `_exit`).
private func handleStopSignal(_: Int32) {
    let savedErrno = errno
    defer { errno = savedErrno }
    if StopSignals.received.add(1, ordering: .sequentiallyConsistent).oldValue > 0 { _exit(130) }
    var byte = StopSignals.signalByte
    let descriptor = StopSignals.wakeDescriptor.load(ordering: .acquiring)
    if descriptor >= 0 { _ = write(descriptor, &byte, 1) }
}

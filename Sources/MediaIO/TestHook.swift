import Foundation

/// Test hook: `MAXIM_VIDEO_TEST_KILL_AT=<point>` makes the process SIGKILL itself when it reaches the named point, so
/// crash-safety tests can stop a real process at an exact place instead of racing a timer;
/// `MAXIM_VIDEO_TEST_KILL_AT=<point>:TERM` raises SIGTERM instead (the clean-stop path), `:HUP` SIGHUP (a closed
/// terminal).
///
/// Points: `segment-1-decode` (decoder reaches the first frame of segment 1), `segment-3-mid` (encoder half way
/// through segment 3), `concat` (half the video packets copied into the final file), `rename` (final file complete,
/// not yet renamed), `done` (output in place, state removed), `batch-file` (the batch runner, with a job's output
/// complete, before it moves the input to `done/`). Unset in normal use; costs one dictionary lookup.
public enum TestHook {
    public static let environmentVariable = "MAXIM_VIDEO_TEST_KILL_AT"
    private static let requested = ProcessInfo.processInfo.environment[environmentVariable]

    /// Signals this process when `point` is the requested one (once per process).
    public static func killIfRequested(_ point: String) {
        guard let requested else { return }
        if requested == point {
            kill(getpid(), SIGKILL)
        } else if let signal = [":TERM": SIGTERM, ":HUP": SIGHUP].first(where: { requested == point + $0.key })?.value,
                  !fired.exchange() {
            // `raise` signals the calling thread, so the handler has run when it returns: what follows sees the stop
            // request exactly as a pipeline thread would see a signal that arrived at this point.
            raise(signal)
        }
    }

    private static let fired = OnceFlag()
}

/// A flag that can be set once, from any thread.
private final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false

    /// Sets the flag; returns whether it was already set.
    func exchange() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        defer { set = true }
        return set
    }
}

import Foundation

/// Test hook: `MAXIM_VIDEO_TEST_KILL_AT=<point>` makes the process SIGKILL itself when it reaches the named point, so
/// crash-safety tests can stop a real process at an exact place instead of racing a timer.
///
/// Points: `segment-1-decode` (decoder reaches the first frame of segment 1), `segment-3-mid` (encoder half way
/// through segment 3), `concat` (half the video packets copied into the final file), `rename` (final file complete,
/// not yet renamed), `done` (output in place, state removed). Unset in normal use; costs one dictionary lookup.
public enum TestHook {
    public static let environmentVariable = "MAXIM_VIDEO_TEST_KILL_AT"
    private static let requested = ProcessInfo.processInfo.environment[environmentVariable]

    /// SIGKILLs this process when `point` is the requested one.
    public static func killIfRequested(_ point: String) {
        guard let requested, requested == point else { return }
        kill(getpid(), SIGKILL)
    }
}

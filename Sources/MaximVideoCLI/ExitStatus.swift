import ArgumentParser

/// The exit statuses of `maxim-video` (DESIGN §5), in one place.
enum ExitStatus {
    static let success = ExitCode(0)
    /// The job failed (bad input, encoder error, unwritable output, …).
    static let failure = ExitCode(1)
    /// The command line was wrong.
    static let usage = ExitCode(2)
    /// Stopped by SIGINT/SIGTERM; no output was left behind.
    static let interrupted = ExitCode(130)
}

import Foundation

/// Moves finished inputs out of the inbox: to `done/` on success, to `failed/` with a `<name>.error.txt` report.
///
/// Both directories live inside the inbox, so a move is a `rename` on one file system (atomic), and the scanner
/// never sees them as inputs (it only takes regular files directly in the inbox).
public struct InboxFiler: Sendable {
    public let inbox: URL

    public init(inbox: URL) { self.inbox = inbox }

    public var doneDirectory: URL { inbox.appendingPathComponent("done") }
    public var failedDirectory: URL { inbox.appendingPathComponent("failed") }

    public func markDone(_ input: URL) throws {
        try move(input, to: doneDirectory)
    }

    /// Moves `input` to `failed/` and writes the report beside it (report first: a crash in between leaves the
    /// input in the inbox, to be tried again, never a failed input without its reason).
    public func markFailed(_ input: URL, report: FailureReport) throws {
        try ensure(failedDirectory)
        let reportURL = failedDirectory.appendingPathComponent(input.lastPathComponent + ".error.txt")
        do {
            try Data(report.text.utf8).write(to: reportURL, options: .atomic)
        } catch {
            throw BatchError.io(path: reportURL.path, operation: "write the failure report", errno: EIO)
        }
        try move(input, to: failedDirectory)
    }

    private func move(_ input: URL, to directory: URL) throws {
        try ensure(directory)
        let target = directory.appendingPathComponent(input.lastPathComponent)
        guard rename(input.path, target.path) == 0 else {
            throw BatchError.io(path: input.path, operation: "move it to \(directory.lastPathComponent)/", errno: errno)
        }
    }

    private func ensure(_ directory: URL) throws {
        guard mkdir(directory.path, 0o755) == 0 || errno == EEXIST else {
            throw BatchError.io(path: directory.path, operation: "create the directory", errno: errno)
        }
    }
}

/// Why an input failed, as written to `failed/<name>.error.txt`.
public struct FailureReport: Sendable, Equatable {
    public var input: String
    /// The child's one-line error (`maxim-video: error: …`), or a description of how it died.
    public var cause: String
    /// The child's exit status, or the signal that killed it.
    public var exitDescription: String
    public var attempts: Int
    /// The last lines of the child's log.
    public var logTail: [String]

    public init(input: String, cause: String, exitDescription: String, attempts: Int, logTail: [String]) {
        self.input = input
        self.cause = cause
        self.exitDescription = exitDescription
        self.attempts = attempts
        self.logTail = logTail
    }

    /// The cause is the last `error:` line of the log, else its last line.
    public static func cause(fromLog lines: [String]) -> String {
        lines.last { $0.contains("error:") } ?? lines.last ?? "no output"
    }

    public var text: String {
        """
        input: \(input)
        cause: \(cause)
        exit: \(exitDescription)
        attempts: \(attempts)
        log tail:
        \(logTail.map { "  " + $0 }.joined(separator: "\n"))

        """
    }
}

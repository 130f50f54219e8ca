import Foundation
import MediaIO

/// Moves finished inputs out of the inbox: to `done/` on success, to `failed/` with a `<name>.error.txt` report.
///
/// Both directories live inside the inbox, so a move is a `rename` on one file system (atomic), and the scanner
/// never sees them as inputs (it only takes regular files directly in the inbox). An input whose name is already
/// there is filed under a free name (``freeName(_:in:)``): `rename` would replace the earlier one. The batch lock
/// makes the check and the rename one step.
public struct InboxFiler: Sendable {
    public let inbox: URL

    public init(inbox: URL) { self.inbox = inbox }

    public var doneDirectory: URL { inbox.appendingPathComponent("done") }
    public var failedDirectory: URL { inbox.appendingPathComponent("failed") }

    /// - Returns: the name it was filed under.
    @discardableResult
    public func markDone(_ input: URL) throws -> String {
        try ensure(doneDirectory)
        return try move(input, to: doneDirectory, as: freeName(input.lastPathComponent, in: doneDirectory))
    }

    /// Moves `input` to `failed/` and writes the report beside it (report first: a crash in between leaves the
    /// input in the inbox, to be tried again, never a failed input without its reason).
    ///
    /// - Returns: the name it was filed under.
    @discardableResult
    public func markFailed(_ input: URL, report: FailureReport) throws -> String {
        try ensure(failedDirectory)
        let name = freeName(input.lastPathComponent, in: failedDirectory, withSuffixes: ["", ".error.txt"])
        let reportURL = failedDirectory.appendingPathComponent(derivedFileName(name, suffix: ".error.txt"))
        do {
            try Data(report.text.utf8).write(to: reportURL, options: .atomic)
        } catch {
            throw BatchError.io(path: reportURL.path, operation: "write the failure report", errno: EIO)
        }
        return try move(input, to: failedDirectory, as: name)
    }

    private func move(_ input: URL, to directory: URL, as name: String) throws -> String {
        let target = directory.appendingPathComponent(name)
        guard rename(input.path, target.path) == 0 else {
            throw BatchError.io(path: input.path, operation: "move it to \(directory.lastPathComponent)/", errno: errno)
        }
        return name
    }

    private func ensure(_ directory: URL) throws {
        guard mkdir(directory.path, 0o755) == 0 || errno == EEXIST else {
            throw BatchError.io(path: directory.path, operation: "create the directory", errno: errno)
        }
    }
}

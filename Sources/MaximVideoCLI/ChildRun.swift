import Foundation

/// One run of our own binary as a child process, its stderr going to a log file, so a crash or an OOM kill of one
/// input ends only that child.
///
/// # Thread safety
/// `@unchecked Sendable`: the pid is written before the child starts waiting and read by the signal forwarder
/// under `lock`.
final class ChildRun: @unchecked Sendable {
    struct Outcome {
        /// The exit status, nil when a signal killed the child.
        let exitStatus: Int32?
        let signal: Int32?
        var description: String {
            if let exitStatus { return "exit status \(exitStatus)" }
            return "killed by signal \(signal ?? 0)"
        }
    }

    private let lock = NSLock()
    private var pid: Int32 = 0

    /// Sends SIGTERM to the running child, if any (it then stops at a frame boundary, keeping its segments).
    func terminate() {
        lock.lock()
        let target = pid
        lock.unlock()
        if target > 0 { kill(target, SIGTERM) }
    }

    /// Runs `arguments` with our own executable and waits for it.
    func run(_ arguments: [String], log: URL) throws -> Outcome {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)  // a failure surfaces as the open's error
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        lock.lock()
        pid = process.processIdentifier
        lock.unlock()
        process.waitUntilExit()
        lock.lock()
        pid = 0
        lock.unlock()
        if process.terminationReason == .uncaughtSignal {
            return Outcome(exitStatus: nil, signal: process.terminationStatus)
        }
        return Outcome(exitStatus: process.terminationStatus, signal: nil)
    }

    /// This process's own executable (Linux: /proc/self/exe), so children run exactly the same build.
    static var executable: URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0])
    }
}

import Foundation

/// Runs the built `maxim-video` executable (it sits next to the test bundle in the build products directory) and
/// captures its exit status and output.
struct CommandRunner {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var executable: URL {
        let products = Bundle.main.bundleURL.pathExtension == "xctest"
            ? Bundle.main.bundleURL.deletingLastPathComponent() : Bundle.main.bundleURL
        return products.appendingPathComponent("maxim-video")
    }

    /// - Parameter stdout: where the child's standard output goes instead of the returned pipe (a file, or a pipe
    ///   whose reader is gone); the returned pipe then stays empty.
    static func launch(
        _ arguments: [String], in directory: URL, stdin: FileHandle? = nil, stdout: Any? = nil,
        executable: URL = CommandRunner.executable, environment: [String: String]? = nil
    ) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        if let stdin { process.standardInput = stdin }
        if let environment { process.environment = environment }
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = stdout ?? out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    static func run(
        _ arguments: [String], in directory: URL, stdin: FileHandle? = nil, stdout: Any? = nil,
        executable: URL = CommandRunner.executable, environment: [String: String]? = nil
    ) throws -> Result {
        let (process, out, err) = try launch(
            arguments, in: directory, stdin: stdin, stdout: stdout, executable: executable, environment: environment)
        if stdout != nil { try out.fileHandleForWriting.close() }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

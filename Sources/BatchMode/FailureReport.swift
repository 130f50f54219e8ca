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

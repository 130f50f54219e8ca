/// Failures of the pipeline itself (media and stage errors are passed through unchanged).
public enum PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stopped by a ``CancellationToken`` (SIGINT/SIGTERM); no output was left.
    case cancelled
    /// The encoder received a different number of frames than were decoded.
    case frameCountMismatch(file: String, decoded: Int, encoded: Int)
    /// A stage threw; `underlying` is its message.
    case stageFailed(stage: String, frame: Int, underlying: String)

    public var description: String {
        switch self {
        case .cancelled:
            return "interrupted; no output written"
        case let .frameCountMismatch(file, decoded, encoded):
            return "\(file): decoded \(decoded) frames but encoded \(encoded)"
        case let .stageFailed(stage, frame, underlying):
            return "stage \(stage) failed on frame \(frame): \(underlying)"
        }
    }
}

/// What the batch runner does after one child run of an input ends: the retry rule as a value, so it is tested
/// without processes.
public struct AttemptPolicy: Sendable, Equatable {
    public enum Decision: Sendable, Equatable {
        /// The input is restored; move it to `done/`.
        case succeeded
        /// Run it again (its segments are kept, so a retry resumes).
        case retry
        /// Out of attempts, or a failure a retry cannot fix; move it to `failed/`.
        case giveUp
        /// The child was stopped by a signal forwarded from the runner; leave the input and its state for next time.
        case interrupted
    }

    /// Extra attempts after the first.
    public let retries: Int

    public init(retries: Int) {
        precondition(retries >= 0, "retries must not be negative")
        self.retries = retries
    }

    /// - Parameters:
    ///   - attempt: 1 for the first run of the input.
    ///   - exitStatus: the child's exit status, or nil when it was killed by a signal (crash, OOM killer).
    ///   - stopRequested: whether the runner itself was asked to stop.
    public func decide(attempt: Int, exitStatus: Int32?, stopRequested: Bool) -> Decision {
        if exitStatus == 0 { return .succeeded }
        if stopRequested || exitStatus == 130 { return .interrupted }
        // A usage error (2) means our own command line or the pipeline file is wrong: retrying cannot help.
        if exitStatus == 2 { return .giveUp }
        return attempt <= retries ? .retry : .giveUp
    }
}

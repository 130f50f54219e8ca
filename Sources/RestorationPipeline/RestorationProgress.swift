/// A progress report, sent after each encoded frame.
public struct RestorationProgress: Sendable {
    /// Frames encoded so far.
    public let framesDone: Int
    /// The input's frame count when the container knows it (or an estimate from duration × rate).
    public let framesTotal: Int?
    /// Seconds since the run started.
    public let elapsed: Double

    public init(framesDone: Int, framesTotal: Int?, elapsed: Double) {
        self.framesDone = framesDone
        self.framesTotal = framesTotal
        self.elapsed = elapsed
    }

    /// Frames per second so far.
    public var framesPerSecond: Double { elapsed > 0 ? Double(framesDone) / elapsed : 0 }

    /// Seconds left at the current speed, when the total is known.
    public var secondsRemaining: Double? {
        guard let framesTotal, framesPerSecond > 0 else { return nil }
        return Double(max(0, framesTotal - framesDone)) / framesPerSecond
    }
}

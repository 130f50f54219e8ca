import Foundation
import RestorationPipeline

/// Shows progress on standard error: a self-overwriting line (frame n/N, fps, ETA) on a terminal, or a plain line
/// every `plainInterval` seconds otherwise (logs, cron), so neither floods nor stays silent.
///
/// # Thread safety
/// `@unchecked Sendable`: called from the encoder thread; all state is touched under `lock`.
final class ProgressReporter: @unchecked Sendable {
    private let lock = NSLock()
    private let isTerminal: Bool
    private let plainInterval: Double
    private var lastShown = -Double.infinity
    private var lineOpen = false

    init(isTerminal: Bool = isatty(STDERR_FILENO) != 0, plainInterval: Double = 5) {
        self.isTerminal = isTerminal
        self.plainInterval = plainInterval
    }

    func update(_ progress: RestorationProgress) {
        lock.lock()
        defer { lock.unlock() }
        let interval = isTerminal ? 0.2 : plainInterval
        guard progress.elapsed - lastShown >= interval else { return }
        lastShown = progress.elapsed
        let line = Self.describe(progress)
        if isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            lineOpen = true
        } else {
            printError(line)
        }
    }

    /// Ends the terminal line so the next message starts on its own line.
    func finishLine() {
        lock.lock()
        defer { lock.unlock() }
        if lineOpen { FileHandle.standardError.write(Data("\n".utf8)) }
        lineOpen = false
    }

    static func describe(_ p: RestorationProgress) -> String {
        var text = "frame \(p.framesDone)"
        if let total = p.framesTotal, total > 0 {
            text += "/\(total) (\(Int(100 * Double(p.framesDone) / Double(total)))%)"
        }
        text += String(format: ", %.2f fps", p.framesPerSecond)
        if let remaining = p.secondsRemaining { text += ", ETA \(formatDuration(remaining))" }
        return text
    }

    static func formatDuration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
            : String(format: "%d:%02d", s / 60, s % 60)
    }
}

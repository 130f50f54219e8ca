import ArgumentParser
import Foundation
import MediaIO

extension MaximVideo {
    /// Runs the command line like ArgumentParser's own `main()`, except that:
    /// - usage errors exit with status 2 (ArgumentParser's default is 64, `EX_USAGE`), as DESIGN §5 and the
    ///   scripts that call us expect;
    /// - any other error a command throws is a runtime failure: one line `maxim-video: error: …`, status 1;
    /// - libav's own log is off unless a command's `--verbose` turns it on.
    public static func main() {
        LibavLog.configure(verbose: false)
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exitForArgumentParser(error)
        }
        do {
            try command.run()
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch let error as ValidationError {
            exitForArgumentParser(error)
        } catch let error as CleanExit {
            exitForArgumentParser(error)
        } catch {
            // Help and version requests reach us from `run()` as ArgumentParser's own (internal) error type;
            // ArgumentParser knows them by their exit code. Everything else a command throws is a runtime failure.
            let code = exitCode(for: error)
            if code == .success || code == .validationFailure { exitForArgumentParser(error) }
            reportFailure(error)
            Foundation.exit(ExitStatus.failure.rawValue)
        }
    }

    private static func exitForArgumentParser(_ error: any Error) -> Never {
        let code = exitCode(for: error)
        let message = fullMessage(for: error)
        if code == .success {
            if !message.isEmpty { print(message) }
            Foundation.exit(0)
        }
        if !message.isEmpty { printError(message) }
        Foundation.exit(code == .validationFailure ? ExitStatus.usage.rawValue : code.rawValue)
    }
}

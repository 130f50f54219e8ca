import ArgumentParser
import Foundation

extension MaximVideo {
    /// Runs the command line like ArgumentParser's own `main()`, except that usage errors exit with status 2
    /// (ArgumentParser's default is 64, `EX_USAGE`), as DESIGN §5 and the scripts that call us expect.
    public static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
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
}

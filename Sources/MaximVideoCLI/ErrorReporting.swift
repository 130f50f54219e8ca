import Foundation

/// Writes one line to standard error (errors never go to stdout, which `probe --json` keeps clean for machines).
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
}

/// Reports a failure as the single line `maxim-video: error: <file>: cannot <operation>: <reason> (<hint>)`.
func reportFailure(_ error: any Error) {
    printError("maxim-video: error: \(error)")
}

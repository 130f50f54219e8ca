import Foundation

/// Failures of the batch runner itself (as opposed to one input failing, which is recorded and skipped).
public enum BatchError: Error, CustomStringConvertible {
    case io(path: String, operation: String, errno: Int32)
    case notADirectory(path: String, role: String)

    public var description: String {
        switch self {
        case .io(let path, let operation, let code):
            "\(path): cannot \(operation): \(String(cString: strerror(code)))"
        case .notADirectory(let path, let role):
            "\(path): the \(role) directory does not exist or is not a directory (create it, or fix --\(role))"
        }
    }
}

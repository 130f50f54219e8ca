import Foundation

/// A media operation that failed, naming the file, what was being done, why, and (when known) what to do about it.
///
/// Every libav return code goes through ``libav(_:_:file:)``; only real failures become a `MediaError`
/// (`EAGAIN` and end-of-stream are values, see ``LibavStatus``), so a corrupt file never turns into a silent early end.
public struct MediaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the operation concerned, as the user named it (never an internal temporary name).
    public let file: String
    /// What was being done, e.g. "open input" or "encode video".
    public let operation: String
    /// Why it failed, e.g. libav's message for its return code.
    public let reason: String
    /// The libav return code, when the failure came from libav.
    public let code: Int32?
    /// What the user can do about it, when there is something to say.
    public let hint: String?

    public init(file: String, operation: String, reason: String, code: Int32? = nil, hint: String? = nil) {
        self.file = file
        self.operation = operation
        self.reason = reason
        self.code = code
        self.hint = hint
    }

    public var description: String {
        let base = "\(file): cannot \(operation): \(reason)"
        return hint.map { "\(base) (\($0))" } ?? base
    }
}

extension MediaError {
    /// A file-system error from Foundation as one short clause ("No such file or directory"), where printing it whole
    /// gives a line of `Error Domain=NSCocoaErrorDomain Code=4 … UserInfo={…}`.
    public static func reason(for error: any Error) -> String {
        var ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? any Error { ns = underlying as NSError }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return (error as NSError).localizedDescription
    }
}

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on a file in the state directory, held for the life of this value.
///
/// `flock` locks belong to the open file description, so the kernel drops the lock when the process dies
/// — a `kill -9`'d or rebooted run never leaves a stale lock behind, unlike a PID file.
public final class BatchLock {
    public let path: String
    private let fd: Int32

    public enum Mode: Sendable { case wait, failIfHeld }

    public struct AlreadyHeld: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "another batch run holds \(path): already running" }
    }

    /// Takes the lock, waiting for it or throwing `AlreadyHeld`, by `mode`.
    public init(path: String, mode: Mode) throws {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw BatchError.io(path: path, operation: "open the lock file", errno: errno)
        }
        let operation = mode == .wait ? LOCK_EX : LOCK_EX | LOCK_NB
        while flock(fd, operation) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            if code == EWOULDBLOCK { throw AlreadyHeld(path: path) }
            throw BatchError.io(path: path, operation: "lock", errno: code)
        }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on a file, held for the life of this value: one batch run per state directory, one job per
/// resumable output.
///
/// `flock` locks belong to the open file description, so the kernel drops the lock when the process dies
/// — a `kill -9`'d or rebooted run never leaves a stale lock behind, unlike a PID file.
public final class FileLock {
    public let path: String
    private let fd: Int32

    public enum Mode: Sendable { case wait, failIfHeld }

    /// Another process (or another lock in this one) holds it, and the mode was ``Mode/failIfHeld``.
    public struct AlreadyHeld: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "\(path) is locked by another run" }
    }

    /// Takes the lock, waiting for it or throwing ``AlreadyHeld``, by `mode`; other failures are a ``MediaError``.
    public init(path: String, mode: Mode) throws {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw MediaError(file: path, operation: "open the lock file", reason: String(cString: strerror(errno)))
        }
        let operation = mode == .wait ? LOCK_EX : LOCK_EX | LOCK_NB
        while flock(fd, operation) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            if code == EWOULDBLOCK { throw AlreadyHeld(path: path) }
            throw MediaError(file: path, operation: "lock", reason: String(cString: strerror(code)))
        }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

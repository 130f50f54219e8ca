import Foundation

/// Durable file writes: temp name, fsync, rename, fsync of the directory, so a power loss leaves either the old
/// file or the complete new one.
public enum DurableFile {
    public static func write(_ bytes: [UInt8], to path: String, file: String) throws(MediaError) {
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw failure("create \(temp)", file: file) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n <= 0 {
                close(fd)
                unlink(temp)
                throw failure("write \(temp)", file: file)
            }
            written += n
        }
        if fsync(fd) != 0 {
            close(fd)
            unlink(temp)
            throw failure("flush \(temp) to disk", file: file)
        }
        close(fd)
        guard rename(temp, path) == 0 else {
            unlink(temp)
            throw failure("rename \(temp) to \(path)", file: file)
        }
        syncDirectory(of: path)
    }

    /// Makes a rename in `path`'s directory durable.
    public static func syncDirectory(of path: String) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let fd = open(directory, O_RDONLY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    private static func failure(_ operation: String, file: String) -> MediaError {
        MediaError(file: file, operation: operation, reason: String(cString: strerror(errno)))
    }
}

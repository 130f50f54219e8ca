import Foundation

/// Makes an output appear only when complete: bytes go to a temporary name beside the target, ``commit()`` renames
/// it into place, and anything not committed is deleted (``discard()``, or `deinit`).
///
/// - A single file `dir/name.ext` is written as `dir/.name.ext.partial-<pid>` and renamed over the target.
/// - An image sequence `dir/%04d.png` is written into a temporary directory `dir/.maxim-video-partial-<pid>/`; on
///   commit, with `overwrite`, files in `dir` matching the pattern are removed first (so a shorter rerun leaves no
///   stale frames), then every new file is renamed into `dir` and the temporary directory removed. A crash between
///   renames can leave a partial sequence; the renames themselves are each atomic.
///
/// An existing output (any file matching the pattern, for a sequence) is refused unless `overwrite` is set.
///
/// `-` is standard output (``standardOutput``): written as it is made, since a pipe cannot be renamed; a failed job
/// ends the stream early and exits non-zero, which is how the reading end learns of it.
public final class AtomicOutput {
    /// The output name meaning standard output.
    public static let standardOutput = "-"

    /// The output as the user named it.
    public let finalPath: String
    /// Where the writer should write (a temporary file, or a pattern inside a temporary directory).
    public let writePath: String
    public let isImageSequence: Bool
    private let overwrite: Bool
    private let directory: URL
    private let temporaryDirectory: URL?
    private var done = false

    public init(finalPath: String, overwrite: Bool, input: String? = nil) throws(MediaError) {
        self.finalPath = finalPath
        self.overwrite = overwrite
        let url = URL(fileURLWithPath: finalPath)
        directory = url.deletingLastPathComponent()
        let name = url.lastPathComponent
        isImageSequence = AtomicOutput.isPattern(name)
        let fm = FileManager.default
        if finalPath == AtomicOutput.standardOutput {
            temporaryDirectory = nil
            writePath = "pipe:1"
            return
        }

        if let input, input != "-", URL(fileURLWithPath: input).standardizedFileURL == url.standardizedFileURL {
            throw MediaError(file: finalPath, operation: "write the output", reason: "it is also the input")
        }
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MediaError(
                file: finalPath, operation: "write the output", reason: "directory \(directory.path) does not exist")
        }
        guard fm.isWritableFile(atPath: directory.path) else {
            throw MediaError(
                file: finalPath, operation: "write the output", reason: "directory \(directory.path) is not writable")
        }
        let existing = isImageSequence
            ? !AtomicOutput.matchingFiles(pattern: name, in: directory).isEmpty : fm.fileExists(atPath: finalPath)
        if existing && !overwrite {
            throw MediaError(
                file: finalPath, operation: "write the output", reason: "it already exists",
                hint: "pass --overwrite to replace it")
        }

        let pid = ProcessInfo.processInfo.processIdentifier
        if isImageSequence {
            let temp = directory.appendingPathComponent(".maxim-video-partial-\(pid)")
            try? fm.removeItem(at: temp)
            do {
                try fm.createDirectory(at: temp, withIntermediateDirectories: false)
            } catch {
                throw MediaError(
                    file: finalPath, operation: "create a temporary directory", reason: MediaError.reason(for: error))
            }
            temporaryDirectory = temp
            writePath = temp.appendingPathComponent(name).path
        } else {
            temporaryDirectory = nil
            writePath = directory.appendingPathComponent(derivedFileName(name, prefix: ".", suffix: ".partial-\(pid)")).path
        }
    }

    deinit { if !done { discard() } }

    /// Moves the finished output into place.
    public func commit() throws(MediaError) {
        precondition(!done, "AtomicOutput committed or discarded twice")
        if finalPath == AtomicOutput.standardOutput {
            done = true
            return
        }
        let fm = FileManager.default
        do {
            if let temporaryDirectory {
                let name = URL(fileURLWithPath: finalPath).lastPathComponent
                if overwrite {
                    for old in AtomicOutput.matchingFiles(pattern: name, in: directory) { try fm.removeItem(at: old) }
                }
                for file in try fm.contentsOfDirectory(at: temporaryDirectory, includingPropertiesForKeys: nil) {
                    try fm.moveItem(at: file, to: directory.appendingPathComponent(file.lastPathComponent))
                }
                try fm.removeItem(at: temporaryDirectory)
            } else if rename(writePath, finalPath) != 0 {
                throw MediaError(
                    file: finalPath, operation: "move the finished output into place",
                    reason: String(cString: strerror(errno)))
            }
        } catch let error as MediaError {
            discard()
            throw error
        } catch {
            discard()
            throw MediaError(
                file: finalPath, operation: "move the finished output into place", reason: MediaError.reason(for: error))
        }
        done = true
    }

    /// Deletes whatever was written so far.
    public func discard() {
        done = true
        if finalPath == AtomicOutput.standardOutput { return }
        if let temporaryDirectory {
            try? FileManager.default.removeItem(at: temporaryDirectory)
        } else {
            unlink(writePath)
        }
    }

    /// True for names with a printf-style frame number (`%d`, `%04d`), which libavformat writes as a sequence.
    public static func isPattern(_ name: String) -> Bool { patternRegex(name) != nil }

    /// Files in `directory` whose names match the frame-number pattern `name`.
    static func matchingFiles(pattern name: String, in directory: URL) -> [URL] {
        guard let regex = patternRegex(name),
            let files = try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        else { return [] }
        return files.filter { url in
            let n = url.lastPathComponent
            return regex.firstMatch(in: n, range: NSRange(n.startIndex..., in: n)) != nil
        }
    }

    private static func patternRegex(_ name: String) -> NSRegularExpression? {
        guard let (prefix, _, suffix) = ImageSequence.split(name) else { return nil }
        let escaped = (NSRegularExpression.escapedPattern(for: prefix), NSRegularExpression.escapedPattern(for: suffix))
        return try? NSRegularExpression(pattern: "^\(escaped.0)[0-9]+\(escaped.1)$")
    }
}

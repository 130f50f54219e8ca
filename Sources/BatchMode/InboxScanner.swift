import Foundation

/// Finds inputs in an inbox that are ready to take: complete files, not ones still being copied in.
///
/// A file is ready when its modification time is at least `stableFor` old and a second look, `probeDelay`
/// later, sees the same size and modification time. A copy in progress keeps touching the mtime; tools that
/// restore the original mtime (`cp -p`, `rsync -t`) do so only after the data is written, and rsync writes to
/// a hidden temporary name first — hidden files and our own partial names are never taken.
public struct InboxScanner: Sendable {
    public let inbox: URL
    public let stableFor: TimeInterval
    public let probeDelay: TimeInterval

    public init(inbox: URL, stableFor: TimeInterval, probeDelay: TimeInterval = 0.5) {
        self.inbox = inbox
        self.stableFor = stableFor
        self.probeDelay = probeDelay
    }

    public struct Observation: Equatable, Sendable {
        public let size: Int64
        public let modified: TimeInterval
    }

    /// Regular, visible files directly in the inbox, sorted by name (oldest-first naming stays fair).
    public func candidates() throws -> [URL] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: inbox.path, isDirectory: &isDir), isDir.boolValue else {
            throw BatchError.notADirectory(path: inbox.path, role: "inbox")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: inbox.path)
        return names.sorted().compactMap { name in
            guard !name.hasPrefix("."), !name.hasSuffix(".partial"), !name.hasSuffix(".error.txt") else { return nil }
            let url = inbox.appendingPathComponent(name)
            return Self.observe(url) == nil ? nil : url
        }
    }

    /// The candidates that are ready now: a first look, a wait of `probeDelay`, and the confirming look.
    public func readyFiles(now: Date = Date()) throws -> [URL] {
        let seen = try firstLook(now: now)
        guard !seen.isEmpty else { return [] }
        if probeDelay > 0 { Thread.sleep(forTimeInterval: probeDelay) }
        return confirm(seen)
    }

    /// Candidates whose mtime is at least `stableFor` old, with what was seen of them.
    public func firstLook(now: Date = Date()) throws -> [(url: URL, seen: Observation)] {
        try candidates().compactMap { url in Self.observe(url).map { (url, $0) } }
            .filter { now.timeIntervalSince1970 - $0.1.modified >= stableFor }
    }

    /// Those of `seen` that still have the same size and mtime.
    public func confirm(_ seen: [(url: URL, seen: Observation)]) -> [URL] {
        seen.filter { Self.observe($0.url) == $0.seen }.map(\.url)
    }

    /// Size and mtime of a regular file, nil for anything else (directories, sockets, vanished files).
    public static func observe(_ url: URL) -> Observation? {
        var st = stat()
        guard lstat(url.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let modified = TimeInterval(st.st_mtim.tv_sec) + TimeInterval(st.st_mtim.tv_nsec) * 1e-9
        return Observation(size: Int64(st.st_size), modified: modified)
    }
}

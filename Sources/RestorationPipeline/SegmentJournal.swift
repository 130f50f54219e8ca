import Foundation
import MediaIO

/// The crash-safe record of a segmented job: which segments are finished and how to recognise them intact.
///
/// Written durably (temp + fsync + rename) after every finished segment. A resumed job keeps only the leading run of
/// entries whose files still have the recorded size and SHA-256 and the expected frame count; everything else in the
/// state directory is discarded and re-encoded.
public struct SegmentJournal: Codable, Equatable, Sendable {
    public static let fileName = "journal.json"

    /// What makes two runs the same job; any difference starts the job afresh.
    public struct Identity: Codable, Equatable, Sendable {
        public var input: String
        public var inputSize: Int64
        public var inputModified: Double
        /// Stages, encoder settings and stream copying, as text.
        public var settings: String
        public var segmentFrames: Int

        public init(input: String, inputSize: Int64, inputModified: Double, settings: String, segmentFrames: Int) {
            self.input = input
            self.inputSize = inputSize
            self.inputModified = inputModified
            self.settings = settings
            self.segmentFrames = segmentFrames
        }
    }

    public struct Entry: Codable, Equatable, Sendable {
        public var index: Int
        public var firstFrame: Int
        public var frameCount: Int
        public var file: String
        public var bytes: Int
        public var sha256: String
        public var lastPTS: Int64

        public init(
            index: Int, firstFrame: Int, frameCount: Int, file: String, bytes: Int, sha256: String, lastPTS: Int64
        ) {
            self.index = index
            self.firstFrame = firstFrame
            self.frameCount = frameCount
            self.file = file
            self.bytes = bytes
            self.sha256 = sha256
            self.lastPTS = lastPTS
        }
    }

    public var version = 1
    public var identity: Identity
    public var segments: [Entry] = []
    /// True once the input's last frame is in a segment.
    public var complete = false

    public init(identity: Identity) { self.identity = identity }

    public var frameCount: Int { segments.reduce(0) { $0 + $1.frameCount } }

    /// The journal in `directory`, or nil when there is none or it cannot be parsed (a fresh start).
    public static func load(from directory: URL) -> SegmentJournal? {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent(fileName)) else { return nil }
        return try? JSONDecoder().decode(SegmentJournal.self, from: data)
    }

    public func save(to directory: URL, file: String) throws(MediaError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(self) } catch {
            throw MediaError(
                file: file, operation: "encode the job journal", reason: MediaError.reason(for: error))
        }
        try DurableFile.write(Array(data), to: directory.appendingPathComponent(Self.fileName).path, file: file)
    }

    /// The journal cut down to the segments a resumed run may keep. `check` tells whether an entry's file is intact
    /// (size and checksum); it is injected so the rule can be tested without files.
    public func trusted(check: (Entry) -> Bool) -> SegmentJournal {
        var kept: [Entry] = []
        for (i, entry) in segments.enumerated() {
            let isLast = i == segments.count - 1
            let expectedCount = entry.frameCount == identity.segmentFrames || (complete && isLast && entry.frameCount > 0)
            guard entry.index == i, entry.firstFrame == i * identity.segmentFrames, expectedCount, check(entry) else {
                break
            }
            kept.append(entry)
        }
        var result = self
        result.complete = complete && kept.count == segments.count
        result.segments = kept
        return result
    }

    /// Whether `entry`'s file in `directory` has the recorded size and SHA-256.
    public static func fileIsIntact(_ entry: Entry, in directory: URL) -> Bool {
        let path = directory.appendingPathComponent(entry.file).path
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue,
            size == entry.bytes
        else { return false }
        return SHA256.hex(ofFile: path) == entry.sha256
    }

    /// The file name of segment `index`.
    public static func segmentName(_ index: Int) -> String { String(format: "segment-%05d.mxseg", index) }
}

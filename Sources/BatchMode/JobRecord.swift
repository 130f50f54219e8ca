import Foundation

/// Which output a batch job writes, kept in the state directory from the job's start until its input is filed.
///
/// The output name is chosen once (a free name in the outbox: an earlier output of the same name is never replaced)
/// and a rerun after a crash must write the same one: the record ties it to the input's size and mtime, so only the
/// same input reuses it. `finished` is set when the output is complete, before the input is moved to `done/`: a
/// runner killed in between files the input on its next run instead of restoring it a second time.
public struct JobRecord: Codable, Equatable, Sendable {
    public var input: String
    public var size: Int64
    public var modified: TimeInterval
    public var output: String
    public var finished: Bool

    public init(input: String, seen: InboxScanner.Observation, output: String, finished: Bool = false) {
        self.input = input
        self.size = seen.size
        self.modified = seen.modified
        self.output = output
        self.finished = finished
    }

    /// Whether this record was made for the input as it is now.
    public func describes(_ input: String, seen: InboxScanner.Observation) -> Bool {
        self.input == input && size == seen.size && modified == seen.modified
    }

    /// The record at `url`, nil when there is none or it cannot be read (a torn write never happens: see ``save(to:)``).
    public static func load(from url: URL) -> JobRecord? {
        (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(JobRecord.self, from: $0) }
    }

    /// Writes the record atomically (temporary file and rename).
    public func save(to url: URL) throws {
        do {
            try JSONEncoder().encode(self).write(to: url, options: .atomic)
        } catch {
            throw BatchError.io(path: url.path, operation: "write the job record", errno: EIO)
        }
    }
}

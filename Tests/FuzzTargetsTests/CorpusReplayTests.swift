import Foundation
import FuzzTargets
import Testing

/// Replays the fuzzing seeds (and every input that once crashed a harness) through the harnesses' entry points: a
/// regression here is a trap in the test process. Valid seeds must also parse, so the entry points stay meaningful.
@Suite("fuzz corpus replay")
struct CorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz/corpus")

    static func files(_ kind: String) -> [URL] {
        let dir = corpus.appendingPathComponent(kind)
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
            .map { dir.appendingPathComponent($0) }
    }

    @Test func checkpointSeedsParseAndNoInputTraps() throws {
        let files = Self.files("checkpoint")
        #expect(files.count >= 4)
        for file in files {
            let result = FuzzTargets.checkpoint(try Data(contentsOf: file))
            if file.pathExtension == "npy" { #expect(result.array, "\(file.lastPathComponent)") }
            if file.pathExtension == "npz" { #expect(result.archive, "\(file.lastPathComponent)") }
        }
        // Hostile headers: a shape whose element count overflows, and a huge one with no data behind it.
        for shape in ["(4611686018427387904, 4)", "(1000000000, 1000000000)", "(-3, 2)"] {
            var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
            header += String(repeating: " ", count: (64 - (10 + header.count + 1) % 64) % 64) + "\n"
            let data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8))
            #expect(!FuzzTargets.checkpoint(data).array)
        }
    }

    @Test func mediaSeedsDecodeAndNoInputTraps() throws {
        let files = Self.files("media")
        #expect(files.count >= 4)
        for file in files where !file.lastPathComponent.hasPrefix("crash-") {
            #expect(FuzzTargets.media(try Data(contentsOf: file)) >= 1, "\(file.lastPathComponent)")
        }
        for file in files where file.lastPathComponent.hasPrefix("crash-") {
            FuzzTargets.media(try Data(contentsOf: file))
        }
    }
}

import Foundation
import MaximTestSupport
import MediaIO
import Testing

@Suite("AtomicOutput")
struct AtomicOutputTests {
    @Test func fileAppearsOnlyOnCommit() throws {
        let dir = try TemporaryDirectory()
        let output = try AtomicOutput(finalPath: dir.path("out.mp4"), overwrite: false)
        try Data("x".utf8).write(to: URL(fileURLWithPath: output.writePath))
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.mp4")))
        try output.commit()
        #expect(dir.contents() == ["out.mp4"])
    }

    @Test func discardLeavesNothing() throws {
        let dir = try TemporaryDirectory()
        do {
            let output = try AtomicOutput(finalPath: dir.path("out.mp4"), overwrite: false)
            try Data("x".utf8).write(to: URL(fileURLWithPath: output.writePath))
        }  // dropped without commit
        #expect(dir.contents().isEmpty)
    }

    @Test func sequenceIsMovedIntoPlaceAndStaleFramesRemovedOnOverwrite() throws {
        let dir = try TemporaryDirectory()
        for name in ["0001.png", "0002.png", "0003.png", "notes.txt"] {
            _ = FileManager.default.createFile(atPath: dir.path(name), contents: Data("old".utf8))
        }
        #expect(throws: MediaError.self) { try AtomicOutput(finalPath: dir.path("%04d.png"), overwrite: false) }
        let output = try AtomicOutput(finalPath: dir.path("%04d.png"), overwrite: true)
        #expect(output.isImageSequence)
        let temp = URL(fileURLWithPath: output.writePath).deletingLastPathComponent()
        for name in ["0001.png", "0002.png"] {
            _ = FileManager.default.createFile(atPath: temp.appendingPathComponent(name).path, contents: Data("new".utf8))
        }
        try output.commit()
        #expect(dir.contents() == ["0001.png", "0002.png", "notes.txt"])
        #expect(try String(contentsOfFile: dir.path("0001.png"), encoding: .utf8) == "new")
    }

    @Test func missingDirectoryIsRejected() throws {
        let dir = try TemporaryDirectory()
        let error = #expect(throws: MediaError.self) {
            try AtomicOutput(finalPath: dir.path("nope/out.mp4"), overwrite: false)
        }
        #expect(error?.reason.contains("does not exist") == true)
    }

    @Test func inputIsNeverTheOutput() throws {
        let dir = try TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: dir.path("a.mp4"), contents: Data("x".utf8))
        #expect(throws: MediaError.self) {
            try AtomicOutput(finalPath: dir.path("a.mp4"), overwrite: true, input: dir.path("a.mp4"))
        }
    }
}

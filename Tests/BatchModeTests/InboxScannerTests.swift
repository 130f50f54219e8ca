import Foundation
import Testing

@testable import BatchMode

@Suite struct InboxScannerTests {
    func write(_ dir: URL, _ name: String, bytes: Int, age: TimeInterval) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try Data(repeating: 7, count: bytes).write(to: url)
        let date = Date().addingTimeInterval(-age)
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: url.path)
        return url
    }

    @Test func onlyOldStableVisibleRegularFilesAreReady() throws {
        let inbox = try scratchDirectory("inbox")
        _ = try write(inbox, "a.mp4", bytes: 100, age: 60)
        _ = try write(inbox, "b.mp4", bytes: 100, age: 1)  // modified a second ago: maybe still arriving
        _ = try write(inbox, ".c.mp4.tmp", bytes: 100, age: 60)  // rsync-style hidden temporary
        _ = try write(inbox, "d.mp4.partial", bytes: 100, age: 60)
        try FileManager.default.createDirectory(at: inbox.appendingPathComponent("done"), withIntermediateDirectories: true)
        let scanner = InboxScanner(inbox: inbox, stableFor: 10, probeDelay: 0.05)
        #expect(try scanner.readyFiles().map(\.lastPathComponent) == ["a.mp4"])
    }

    @Test func fileGrowingDuringTheProbeIsNotTaken() throws {
        let inbox = try scratchDirectory("inbox")
        let url = try write(inbox, "growing.mp4", bytes: 100, age: 60)
        let scanner = InboxScanner(inbox: inbox, stableFor: 10, probeDelay: 0)
        let seen = try scanner.firstLook()
        #expect(seen.map(\.url.lastPathComponent) == ["growing.mp4"])
        // A writer appends between the two looks, keeping an old mtime (like cp -p does at the end).
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(repeating: 1, count: 50))
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: url.path)
        #expect(scanner.confirm(seen).isEmpty)
        // Once it stops changing it is taken.
        #expect(try scanner.readyFiles().map(\.lastPathComponent) == ["growing.mp4"])
    }

    @Test func missingInboxIsNamedInTheError() throws {
        let scanner = InboxScanner(inbox: URL(fileURLWithPath: "/nonexistent-inbox-\(UUID().uuidString)"), stableFor: 1)
        #expect(throws: BatchError.self) { _ = try scanner.candidates() }
    }
}

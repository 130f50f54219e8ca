import Foundation
import Testing

@testable import BatchMode

/// Inputs and outputs whose names are already taken get a free name; nothing earlier is replaced.
@Suite struct SameNameTests {
    @Test func freeNameNumbersTheStemAndKeepsTheExtension() throws {
        let dir = try scratchDirectory("names")
        for name in ["clip.mp4", "clip-2.mp4", "take.1.mkv", "README"] {
            try Data("x".utf8).write(to: dir.appendingPathComponent(name))
        }
        #expect(freeName("new.mp4", in: dir) == "new.mp4")
        #expect(freeName("clip.mp4", in: dir) == "clip-3.mp4")
        #expect(freeName("take.1.mkv", in: dir) == "take.1-2.mkv")
        #expect(freeName("README", in: dir) == "README-2")
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("gone.mp4").path,
                                                   withDestinationPath: "/nonexistent/target.mp4")
        #expect(freeName("gone.mp4", in: dir) == "gone-2.mp4", "a dangling link is a name in use")
        #expect(freeName("x.mp4", in: dir, withSuffixes: ["", ".error.txt"]) == "x.mp4")
        try Data("r".utf8).write(to: dir.appendingPathComponent("x.mp4.error.txt"))
        #expect(freeName("x.mp4", in: dir, withSuffixes: ["", ".error.txt"]) == "x-2.mp4")
    }

    @Test func secondInputOfTheSameNameIsFiledBesideTheFirst() throws {
        let inbox = try scratchDirectory("inbox")
        let filer = InboxFiler(inbox: inbox)
        let input = inbox.appendingPathComponent("GOPR0001.MP4")
        try Data("first card".utf8).write(to: input)
        #expect(try filer.markDone(input) == "GOPR0001.MP4")
        try Data("second card".utf8).write(to: input)
        #expect(try filer.markDone(input) == "GOPR0001-2.MP4")
        let done = filer.doneDirectory
        #expect(try String(contentsOf: done.appendingPathComponent("GOPR0001.MP4"), encoding: .utf8) == "first card")
        #expect(try String(contentsOf: done.appendingPathComponent("GOPR0001-2.MP4"), encoding: .utf8) == "second card")

        let report = FailureReport(input: "GOPR0001.MP4", cause: "bad", exitDescription: "exit status 1", attempts: 1,
                                   logTail: [])
        for _ in 0..<2 {
            try Data("broken".utf8).write(to: input)
            try filer.markFailed(input, report: report)
        }
        let failed = try FileManager.default.contentsOfDirectory(atPath: filer.failedDirectory.path).sorted()
        #expect(failed == ["GOPR0001-2.MP4", "GOPR0001-2.MP4.error.txt", "GOPR0001.MP4", "GOPR0001.MP4.error.txt"])
    }

    @Test func jobRecordDescribesOnlyTheInputItWasMadeFor() throws {
        let dir = try scratchDirectory("jobs")
        let seen = InboxScanner.Observation(size: 1234, modified: 1_790_000_000.25)
        var record = JobRecord(input: "a.mkv", seen: seen, output: "a-2.mkv")
        record.finished = true
        let url = dir.appendingPathComponent("a.mkv.job.json")
        try record.save(to: url)
        let loaded = try #require(JobRecord.load(from: url))
        #expect(loaded == record)
        #expect(loaded.describes("a.mkv", seen: seen))
        #expect(!loaded.describes("a.mkv", seen: .init(size: 1235, modified: seen.modified)))
        #expect(!loaded.describes("a.mkv", seen: .init(size: seen.size, modified: seen.modified + 1)))
        #expect(!loaded.describes("b.mkv", seen: seen))
        try Data("{ torn".utf8).write(to: url)
        #expect(JobRecord.load(from: url) == nil)
    }
}

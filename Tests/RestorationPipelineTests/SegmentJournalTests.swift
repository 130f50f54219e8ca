import Foundation
import MaximTestSupport
import MediaIO
import RestorationPipeline
import Testing

@Suite("Segment journal")
struct SegmentJournalTests {
    private func journal(counts: [Int], complete: Bool) -> SegmentJournal {
        var j = SegmentJournal(
            identity: .init(input: "/in.mkv", inputSize: 1, inputModified: 2, settings: "s", segmentFrames: 10))
        for (i, count) in counts.enumerated() {
            j.segments.append(
                .init(index: i, firstFrame: i * 10, frameCount: count, file: SegmentJournal.segmentName(i), bytes: 1,
                      sha256: "x\(i)", lastPTS: Int64(i * 10 + count - 1)))
        }
        j.complete = complete
        return j
    }

    /// (frame counts, complete, entries whose file is damaged, expected kept, expected complete)
    @Test(arguments: [
        ([10, 10, 10], false, [], 3, false),
        ([10, 10, 4], true, [], 3, true),
        ([10, 10, 4], false, [], 2, false),  // a short segment is only valid as the last of a complete job
        ([10, 10, 10], false, [1], 1, false),  // a damaged file ends the trusted run
        ([10, 10, 4], true, [2], 2, false),
        ([9, 10], false, [], 0, false),
    ] as [([Int], Bool, [Int], Int, Bool)])
    func trustsOnlyTheIntactLeadingRun(counts: [Int], complete: Bool, damaged: [Int], kept: Int, stillComplete: Bool) {
        let trusted = journal(counts: counts, complete: complete).trusted { !damaged.contains($0.index) }
        #expect(trusted.segments.count == kept)
        #expect(trusted.complete == stillComplete)
        #expect(trusted.frameCount == counts.prefix(kept).reduce(0, +))
    }

    @Test func savesAndLoadsDurably() throws {
        let dir = try TemporaryDirectory()
        let j = journal(counts: [10, 3], complete: true)
        try j.save(to: dir.url, file: "out.mp4")
        #expect(SegmentJournal.load(from: dir.url) == j)
        #expect(dir.contents() == [SegmentJournal.fileName])
        try Data("{ not json".utf8).write(to: dir.url.appendingPathComponent(SegmentJournal.fileName))
        #expect(SegmentJournal.load(from: dir.url) == nil)
    }

    @Test func fileCheckComparesSizeAndChecksum() throws {
        let dir = try TemporaryDirectory()
        let bytes: [UInt8] = Array("segment".utf8)
        try Data(bytes).write(to: dir.url.appendingPathComponent("a"))
        var entry = SegmentJournal.Entry(
            index: 0, firstFrame: 0, frameCount: 1, file: "a", bytes: bytes.count,
            sha256: "0f52f1f3e1a4fba3e52a8a09fd08a8ae8a4d23e9a1bd7c3fb2c6bc1b7a6d1a7d", lastPTS: 0)
        #expect(!SegmentJournal.fileIsIntact(entry, in: dir.url))
        entry.sha256 = SHA256.hex(bytes)
        #expect(SegmentJournal.fileIsIntact(entry, in: dir.url))
        entry.bytes += 1
        #expect(!SegmentJournal.fileIsIntact(entry, in: dir.url))
    }
}


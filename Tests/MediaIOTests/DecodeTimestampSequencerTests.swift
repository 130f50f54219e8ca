import Testing

@testable import MediaIO

@Suite("Decode timestamps across segments")
struct DecodeTimestampSequencerTests {
    /// Packets as (pts, dts) in decode order; expected dts written, nil where no valid dts exists.
    @Test(arguments: [
        // Two B-frame segments whose dts meet: the second segment's first dts is raised by one tick.
        ([(0, -2), (2, -1), (1, 0), (4, 0), (5, 3)], [-2, -1, 0, 1, 3], 1),
        // In a coarse time base a collision cascades through the following packets (each still at or below its pts).
        ([(0, -2), (3, -1), (1, 0), (2, 1), (4, 2), (5, 2), (8, 3), (6, 4)], [-2, -1, 0, 1, 2, 3, 4, 5], 3),
        // Already increasing: untouched.
        ([(0, -1), (2, 0), (1, 1), (3, 2)], [-1, 0, 1, 2], 0),
        // A segment reaching back so far that its keyframe's dts would pass its pts.
        ([(0, 0), (10, 10), (10, 5)], [0, 10, nil], 1),
    ] as [([(Int64, Int64)], [Int64?], Int)])
    func keepsDtsStrictlyIncreasingAndPtsUntouched(packets: [(Int64, Int64)], expected: [Int64?], rewrites: Int) {
        var sequencer = DecodeTimestampSequencer()
        let written = packets.map { sequencer.next(pts: $0.0, dts: $0.1) }
        #expect(written == expected)
        #expect(sequencer.rewrites == rewrites)
    }
}

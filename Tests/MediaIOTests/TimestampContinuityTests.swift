import CFFmpeg
import Testing

@testable import MediaIO

@Suite struct TimestampContinuityTests {
    /// Runs packets of (stream, dts in ms, duration in ms, continuous) through one corrector; the corrected dts.
    private func corrected(_ packets: [(Int32, Int64, Int64, Bool)]) -> [Int64] {
        var continuity = TimestampContinuity()
        var packet = av_packet_alloc()
        defer { av_packet_free(&packet) }
        return packets.map { stream, dts, duration, continuous in
            packet!.pointee.stream_index = stream
            (packet!.pointee.dts, packet!.pointee.pts, packet!.pointee.duration) = (dts, dts, duration)
            continuity.correct(packet!, timeBase: AVRational(num: 1, den: 1000), isContinuous: continuous)
            return packet!.pointee.dts
        }
    }

    @Test func aClockThatRestartsRunsOnForEveryStream() {
        // Video at 0…200 ms, then the clock restarts at 0; audio after the restart follows the same offset.
        var packets: [(Int32, Int64, Int64, Bool)] = (0...5).map { (0, Int64($0) * 40, 40, true) }
        packets += [(0, 0, 40, true), (1, 10, 20, true)]
        #expect(corrected(packets) == [0, 40, 80, 120, 160, 200, 240, 250])
    }

    @Test func aForwardJumpOfMoreThanTenSecondsIsClosed() {
        let out = corrected([(0, 0, 40, true), (0, 40, 40, true), (0, 60_000, 40, true), (0, 60_040, 40, true)])
        #expect(out == [0, 40, 80, 120])
    }

    /// Subtitles may be silent for minutes: their gaps are not jumps, and the video keeps its own timestamps.
    @Test func sparseSubtitlesAreNotJumps() {
        var packets: [(Int32, Int64, Int64, Bool)] = [(2, 0, 1000, false)]
        packets += (0..<10).map { (0, Int64($0) * 40, 40, true) }
        packets += [(2, 30_000, 1000, false), (0, 400, 40, true)]
        let out = corrected(packets)
        #expect(out == packets.map(\.1))
    }
}

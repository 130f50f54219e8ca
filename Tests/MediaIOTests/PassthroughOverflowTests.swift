import Foundation
import MaximTestSupport
import Testing

@testable import MediaIO

/// A video whose pictures end long before its sound: the copied packets after the last frame must not pile up in
/// memory until the end of the file (a one-piece job held all 115 MB of a 10-minute PCM track).
@Suite("copied packets with no frame to carry them")
struct PassthroughOverflowTests {
    /// 2 frames, then 100 s of 48 kHz stereo PCM (19 MB): more than the reader holds between two frames.
    static func writeShortVideoLongSound(to path: String) throws {
        var clip = SyntheticClip()
        (clip.frames, clip.audio, clip.audioAfterLastFrame) = (2, AudioTrackSettings(codec: "pcm_s16le"), 100)
        try clip.write(to: path)
    }

    /// Collects what the reader hands on (the callback runs on the reading thread only).
    private final class Taken: @unchecked Sendable {
        var chunks: [(packets: Int, bytes: Int)] = []
    }

    @Test func readerHandsThemOnInPiecesOfItsHoldLimit() throws {
        let dir = try TemporaryDirectory()
        try Self.writeShortVideoLongSound(to: dir.path("in.mkv"))
        let reader = try VideoReader(file: dir.path("in.mkv"))
        let taken = Taken()
        reader.passthroughOverflow = { packets in
            taken.chunks.append((packets.count, packets.map { Int($0.packet.pointer.pointee.size) }.reduce(0, +)))
        }
        var frames = 0, carried = 0
        while let frame = try reader.nextFrame() {
            frames += 1
            carried += frame.passthrough.count
        }
        let tail = reader.takeRemainingPassthrough().count
        #expect(frames == 2)
        #expect(taken.chunks.count >= 1)
        #expect(taken.chunks.allSatisfy { $0.bytes <= VideoReader.passthroughHoldLimit + 65_536 }, "\(taken.chunks)")
        let audioPackets = try #require(try MediaInfo.probe(dir.path("in.mkv")).audio?.frameCount)
        #expect(carried + taken.chunks.map(\.packets).reduce(0, +) + tail == audioPackets)
    }
}

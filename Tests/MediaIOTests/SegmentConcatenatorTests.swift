import Foundation
import MaximTestSupport
import Testing

@testable import MediaIO

@Suite("Segments and concatenation")
struct SegmentConcatenatorTests {
    /// A variable-frame-rate clip with AAC audio, cut into segments of 10 frames, each encoded by a fresh libx264
    /// (B-frames, so each segment's first dts is below its first pts), then concatenated into mp4.
    @Test(arguments: ["out.mp4", "out.mkv"])
    func concatenationKeepsPtsAudioAndIncreasingDts(output: String) throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.frames = 35
        clip.variableFrameRate = true
        clip.audio = AudioTrackSettings(codec: "aac")
        try clip.write(to: dir.path("in.mkv"))
        let source = try DecodedClip(dir.path("in.mkv"))
        let settings = EncoderSettings(codec: "libx264", preset: "medium")

        var paths: [String] = []
        for start in stride(from: 0, to: clip.frames, by: 10) {
            let path = dir.path("seg-\(start).mxseg")
            let encoder = try SegmentEncoder(
                path: path, file: output, video: source.format, encoder: settings, output: output)
            for i in start..<min(start + 10, clip.frames) { try encoder.write(source.images[i], timing: source.timings[i]) }
            let summary = try encoder.finish()
            #expect(summary.frameCount == min(10, clip.frames - start))
            #expect(summary.lastPTS == source.timings[min(start + 10, clip.frames) - 1].pts)
            #expect(SHA256.hex(ofFile: path) == summary.sha256)
            paths.append(path)
        }
        let result = try SegmentConcatenator.concatenate(
            segments: paths, video: source.format, encoder: settings, input: dir.path("in.mkv"),
            path: dir.path(output), file: output)
        #expect(result.videoPackets == clip.frames)

        let decoded = try DecodedClip(dir.path(output))
        // The container may pick a finer time base (mp4: 16000 per second here); the instants must be identical.
        let inTB = source.format.timeBase
        let outTB = decoded.format.timeBase
        #expect(decoded.timings.map { $0.pts * Int64(outTB.numerator) * Int64(inTB.denominator) }
            == source.timings.map { $0.pts * Int64(inTB.numerator) * Int64(outTB.denominator) })
        let inputAudio = try #require(try MediaInfo.probe(dir.path("in.mkv")).audio)
        let outputAudio = try #require(try MediaInfo.probe(dir.path(output)).audio)
        #expect(outputAudio.codec == "aac")
        #expect(outputAudio.frameCount == inputAudio.frameCount)

        let packets = try videoPackets(dir.path(output))
        #expect(packets.count == clip.frames)
        if output.hasSuffix(".mp4") {  // Matroska stores no dts for video; mp4 does
            for (previous, next) in zip(packets, packets.dropFirst()) { #expect(previous.dts < next.dts) }
            for p in packets { #expect(p.dts <= p.pts) }
            #expect(packets.contains { $0.dts < $0.pts }, "B-frames expected")
        }
        #expect(packets.filter(\.key).count == paths.count, "each segment starts with a keyframe")
    }

    @Test func truncatedSegmentIsRejectedWithItsName() throws {
        let file = SegmentFile(
            extradata: [1, 2, 3], packets: [.init(pts: 5, dts: 3, duration: 1, flags: 1, data: [9, 9, 9, 9])])
        let bytes = file.encoded()
        let parsed = try SegmentFile(decoding: bytes, file: "s.mxseg")
        #expect(parsed.packets.count == 1 && parsed.packets[0].pts == 5 && parsed.packets[0].dts == 3)
        #expect(parsed.extradata == [1, 2, 3])
        #expect(throws: MediaError.self) { try SegmentFile(decoding: Array(bytes.dropLast()), file: "s.mxseg") }
    }

    private func videoPackets(_ path: String) throws -> [(pts: Int64, dts: Int64, key: Bool)] {
        let demuxer = try Demuxer(file: path)
        let index = try demuxer.bestVideoStream()
        let packet = try Packet(file: path)
        var out: [(pts: Int64, dts: Int64, key: Bool)] = []
        while try demuxer.read(into: packet) {
            let p = packet.pointer.pointee
            if p.stream_index == Int32(index) { out.append((p.pts, p.dts, p.flags & 1 != 0 /* AV_PKT_FLAG_KEY */)) }
        }
        return out
    }
}

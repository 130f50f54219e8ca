import Foundation
import MaximTestSupport
import MediaIO
import Testing

/// Resuming needs the reader to continue at an exact frame index: seek to the keyframe before, decode forward.
@Suite("VideoReader seek and skip")
struct VideoReaderSeekTests {
    /// (container, codec) with keyframes every 7 frames for the inter-coded ones.
    @Test(arguments: [("in.mp4", "libx264"), ("in.mkv", "libx264"), ("in.mkv", "ffv1")])
    func seekContinuesAtTheExactFrame(file: String, codec: String) throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.frames = 30
        clip.variableFrameRate = true
        clip.codec = codec
        if codec == "libx264" { clip.encoderOptions = ["g": "7", "bf": "2"] }
        try clip.write(to: dir.path(file))
        let all = try DecodedClip(dir.path(file))
        // (A VFR B-frame mp4 written by VideoWriter decodes to 29 of its 30 frames — a writer matter, not seeking's.)
        let count = all.images.count
        #expect(count >= 29)
        for start in [1, 8, 13, count - 1] {
            let reader = try VideoReader(file: dir.path(file), copyOtherStreams: false)
            #expect(try reader.seek(toFrame: start, after: all.timings[start - 1].pts), "seek to \(start)")
            var index = start
            while let frame = try reader.nextFrame() {
                #expect(frame.index == index - start, "indices restart at 0 for the pipeline")
                // Pts decide; Matroska may report a block duration after a seek where a linear read had none.
                #expect(frame.timing.pts == all.timings[index].pts, "frame \(index)")
                #expect(frame.image == all.images[index], "frame \(index)")
                index += 1
            }
            #expect(index == count)
        }
    }

    @Test func skipDecodesForwardAndFailsPastTheEnd() throws {
        let dir = try TemporaryDirectory()
        try SyntheticClip().write(to: dir.path("in.mkv"))
        let all = try DecodedClip(dir.path("in.mkv"))
        let reader = try VideoReader(file: dir.path("in.mkv"), copyOtherStreams: false)
        try reader.skip(frames: 5)
        let frame = try #require(try reader.nextFrame())
        #expect(frame.index == 0 && frame.timing.pts == all.timings[5].pts && frame.image == all.images[5])
        let short = try VideoReader(file: dir.path("in.mkv"), copyOtherStreams: false)
        #expect(throws: MediaError.self) { try short.skip(frames: 13) }
    }
}

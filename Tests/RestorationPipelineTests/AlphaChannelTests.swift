import Foundation
import MaximTestSupport
import MediaIO
import RestorationPipeline
import Testing

/// Restoration changes colour only: a picture's alpha channel reaches the output as it came in.
@Suite("alpha channel")
struct AlphaChannelTests {
    /// RGBA frame sequences (8 and 16 bits, PNG and TIFF) come out with the same format and every alpha sample.
    @Test(arguments: [("png", "rgba", "png"), ("png", "rgba64be", "png"), ("tiff", "rgba", "tif")])
    func rgbaSequenceKeepsEveryAlphaSample(codec: String, pixelFormat: String, ext: String) throws {
        let dir = try TemporaryDirectory()
        for sub in ["in", "out"] {
            try FileManager.default.createDirectory(atPath: dir.path(sub), withIntermediateDirectories: false)
        }
        var clip = SyntheticClip()
        (clip.codec, clip.pixelFormat, clip.frames, clip.withAlpha) = (codec, pixelFormat, 3, true)
        try clip.write(to: dir.path("in/%04d.\(ext)"))

        let summary = try VideoRestorer(
            input: dir.path("in/%04d.\(ext)"), output: dir.path("out/%04d.\(ext)"), stages: [IdentityStage()],
            encoder: EncoderSettings(codec: codec)
        ).run()
        #expect(summary.outputPixelFormat == pixelFormat)
        let input = try DecodedClip(dir.path("in/%04d.\(ext)")), output = try DecodedClip(dir.path("out/%04d.\(ext)"))
        #expect(output.alphas.count == 3)
        let depth: Float = pixelFormat == "rgba" ? 255 : 65535
        for i in 0..<3 {
            let read = try #require(input.alphas[i]), written = try #require(output.alphas[i])
            #expect(written.values == read.values, "frame \(i)")
            // The input really holds the ramp (transparent to opaque), not an opaque plane.
            let ramp = clip.alpha(i).values
            #expect(zip(read.values, ramp).allSatisfy { abs($0 - $1) <= 0.5 / depth + 1e-6 }, "frame \(i)")
            #expect(read.values.min()! < 0.1 && read.values.max() == 1)
            #expect(maxAbsDifference(output.images[i], input.images[i]) == 0, "frame \(i)")
        }
    }

    /// A video with alpha (FFV1 `yuva420p`) keeps it through the resumable file-to-file path's segments.
    @Test func yuvaVideoKeepsItsAlphaThroughSegments() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        (clip.pixelFormat, clip.frames, clip.withAlpha) = ("yuva420p", 6, true)
        try clip.write(to: dir.path("in.mkv"))
        let summary = try SegmentedRestorer(
            input: dir.path("in.mkv"), output: dir.path("out.mkv"), stages: [IdentityStage()],
            encoder: EncoderSettings(codec: "ffv1"), options: RestorerOptions(),
            segments: SegmentOptions(stateDirectory: dir.path("state"), segmentFrames: 4, resume: false)
        ).run()
        #expect(summary.frames == 6)
        #expect(summary.outputPixelFormat == "yuva420p")
        let input = try DecodedClip(dir.path("in.mkv")), output = try DecodedClip(dir.path("out.mkv"))
        #expect(output.alphas.count == 6)
        for i in 0..<6 {
            let read = try #require(input.alphas[i]).values
            #expect(try #require(output.alphas[i]).values == read, "frame \(i)")
            #expect(zip(read, clip.alpha(i).values).allSatisfy { abs($0 - $1) <= 0.5 / 255 + 1e-6 }, "frame \(i)")
        }
    }

    /// Frames without alpha written into a format with alpha are opaque.
    @Test func framesWithoutAlphaAreWrittenOpaque() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        (clip.codec, clip.pixelFormat, clip.frames) = ("png", "rgba", 2)
        try clip.write(to: dir.path("%04d.png"))
        let decoded = try DecodedClip(dir.path("%04d.png"))
        #expect(decoded.format.pixelFormat == "rgba")
        #expect(try decoded.alphas.allSatisfy { try #require($0).values.allSatisfy { $0 == 1 } })
    }
}

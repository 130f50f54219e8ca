import Foundation
import MaximTestSupport
import MediaIO
import Testing

@testable import QualityMetrics

@Suite("VideoComparison")
struct VideoComparisonTests {
    /// PSNR of 8-bit images that differ by `levels` everywhere: MSE = levels².
    static func offsetPSNR(_ levels: Int) -> Double { 10 * log10(255.0 * 255 / Double(levels * levels)) }

    @Test(arguments: ["clip.mkv", "frames/%04d.png"])
    func identicalClipsGiveInfinitePSNRAndUnitSSIM(name: String) throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path("frames"), withIntermediateDirectories: true)
        try LevelClip().write(to: dir.path(name))
        try LevelClip().write(to: dir.path("copy.mkv"))
        let report = try VideoComparison(reference: dir.path("copy.mkv"), restored: dir.path(name)).run().report
        #expect(report.frames.count == 6)
        #expect(report.frames.map(\.index) == Array(0..<6))
        #expect(report.frames.allSatisfy { $0.psnr == .infinity && abs($0.ssim - 1) < 1e-12 })
        #expect(report.meanPSNR == .infinity)
        #expect(report.meanInputPSNR == nil && report.meanPSNRGain == nil)
    }

    @Test(arguments: [1, 4, 9])
    func uniformOffsetGivesTheFormulaPSNR(levels: Int) throws {
        let dir = try TemporaryDirectory()
        try LevelClip().write(to: dir.path("ref.mkv"))
        try LevelClip(offset: levels).write(to: dir.path("out.mkv"))
        let report = try VideoComparison(reference: dir.path("ref.mkv"), restored: dir.path("out.mkv"), threads: 3)
            .run().report
        #expect(report.frames.count == 6)
        for f in report.frames {
            #expect(abs(f.psnr - Self.offsetPSNR(levels)) < 1e-9, "frame \(f.index)")
            #expect(f.ssim < 1 && f.ssim > 0.9, "frame \(f.index)")
        }
        #expect(abs(report.meanPSNR - Self.offsetPSNR(levels)) < 1e-9)
    }

    @Test func inputCloserThanRestoredGivesAPositiveGain() throws {
        let dir = try TemporaryDirectory()
        try LevelClip().write(to: dir.path("ref.mkv"))
        try LevelClip(offset: 3).write(to: dir.path("out.mkv"))
        try LevelClip(offset: -12).write(to: dir.path("in.mkv"))
        let report = try VideoComparison(
            reference: dir.path("ref.mkv"), restored: dir.path("out.mkv"), input: dir.path("in.mkv")
        ).run().report
        let gain = try #require(report.meanPSNRGain)
        // 20·log10(12/3): the restored error is a quarter of the input's.
        #expect(abs(gain - 20 * log10(4.0)) < 1e-9)
        #expect(abs(try #require(report.meanInputPSNR) - Self.offsetPSNR(12)) < 1e-9)
        #expect(report.frames.allSatisfy { ($0.psnrGain ?? 0) > 0 && $0.ssim > ($0.inputSSIM ?? 1) })

        // Swapped, the "restoration" made things worse: the gain turns negative.
        let worse = try VideoComparison(
            reference: dir.path("ref.mkv"), restored: dir.path("in.mkv"), input: dir.path("out.mkv")
        ).run().report
        #expect(abs(try #require(worse.meanPSNRGain) + 20 * log10(4.0)) < 1e-9)
    }

    @Test(arguments: [(restored: 4, input: 6), (restored: 6, input: 8), (restored: 9, input: 6)])
    func frameCountMismatchNamesTheFileAndBothCounts(counts: (restored: Int, input: Int)) throws {
        let dir = try TemporaryDirectory()
        try LevelClip(frames: 6).write(to: dir.path("ref.mkv"))
        try LevelClip(frames: counts.restored).write(to: dir.path("out.mkv"))
        try LevelClip(frames: counts.input).write(to: dir.path("in.mkv"))
        let comparison = VideoComparison(reference: dir.path("ref.mkv"), restored: dir.path("out.mkv"), input: dir.path("in.mkv"))
        let (file, frames) = counts.restored != 6 ? ("out.mkv", counts.restored) : ("in.mkv", counts.input)
        #expect(throws: ComparisonError.frameCountMismatch(
            file: dir.path(file), frames: frames, reference: dir.path("ref.mkv"), referenceFrames: 6)
        ) {
            try comparison.run()
        }
        let message = ComparisonError.frameCountMismatch(file: "a.mkv", frames: 4, reference: "b.mkv", referenceFrames: 6)
            .description
        #expect(message == "a.mkv has 4 frames but b.mkv has 6; eval pairs frames by index")
    }

    @Test func sizeMismatchIsReportedBeforeMeasuring() throws {
        let dir = try TemporaryDirectory()
        try LevelClip().write(to: dir.path("ref.mkv"))
        try LevelClip(width: 32).write(to: dir.path("out.mkv"))
        #expect(throws: ComparisonError.sizeMismatch(
            file: dir.path("out.mkv"), width: 32, height: 40, reference: dir.path("ref.mkv"), referenceWidth: 48,
            referenceHeight: 40)
        ) {
            try VideoComparison(reference: dir.path("ref.mkv"), restored: dir.path("out.mkv")).run()
        }
    }

    @Test func previewShowsTheChosenFrameAndRegionOfEachClip() throws {
        let dir = try TemporaryDirectory()
        let ref = LevelClip(), out = LevelClip(offset: 3), input = LevelClip(offset: -12)
        try ref.write(to: dir.path("ref.mkv"))
        try out.write(to: dir.path("out.mkv"))
        try input.write(to: dir.path("in.mkv"))
        let region = PixelRegion(x: 5, y: 7, width: 20, height: 11)
        let outcome = try VideoComparison(
            reference: dir.path("ref.mkv"), restored: dir.path("out.mkv"), input: dir.path("in.mkv")
        ).run(preview: PreviewRequest(frame: 4, region: region, gap: 3))
        let preview = try #require(outcome.preview)
        #expect(preview.width == 3 * 20 + 2 * 3 && preview.height == 11)
        // Left to right: input | restored | reference, each the region of frame 4.
        for (panel, clip) in [input, out, ref].enumerated() {
            let expected = clip.image(4)
            for c in 0..<3 {
                for (x, y) in [(0, 0), (19, 10), (8, 5)] {
                    let got = preview.pixels[c * preview.planeSize + y * preview.width + panel * 23 + x]
                    let want = expected.pixels[c * expected.planeSize + (7 + y) * expected.width + 5 + x]
                    #expect(abs(got - want) < 1e-6, "panel \(panel) channel \(c) at \(x),\(y)")
                }
            }
        }
        #expect(preview.pixels[20] == SideBySide.gapLevel)
    }

    @Test func previewDefaultsToTheMiddleFrameAndACentredCrop() throws {
        let dir = try TemporaryDirectory()
        try LevelClip(frames: 7).write(to: dir.path("ref.mkv"))
        try LevelClip(frames: 7, offset: 2).write(to: dir.path("out.mkv"))
        let outcome = try VideoComparison(reference: dir.path("ref.mkv"), restored: dir.path("out.mkv"))
            .run(preview: PreviewRequest())
        let preview = try #require(outcome.preview)
        #expect(preview.width == 2 * 48 + 4 && preview.height == 40)
        let middle = LevelClip(frames: 7, offset: 2).image(3)
        // The restored panel's first row is frame 3's (neighbouring frames differ by 17 levels).
        #expect(zip(preview.pixels[0..<48], middle.pixels[0..<48]).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func previewOutsideTheClipIsAnError() throws {
        let dir = try TemporaryDirectory()
        try LevelClip().write(to: dir.path("ref.mkv"))
        let comparison = VideoComparison(reference: dir.path("ref.mkv"), restored: dir.path("ref.mkv"))
        #expect(throws: ComparisonError.previewFrameOutOfRange(reference: dir.path("ref.mkv"), frame: 6, frames: 6)) {
            try comparison.run(preview: PreviewRequest(frame: 6))
        }
        let region = PixelRegion(x: 40, y: 0, width: 10, height: 10)
        #expect(throws: ComparisonError.regionOutsideFrame(reference: dir.path("ref.mkv"), region: region, width: 48, height: 40)) {
            try comparison.run(preview: PreviewRequest(region: region))
        }
    }

    @Test func regionParsing() {
        #expect(PixelRegion(parsing: "1,2,30,40") == PixelRegion(x: 1, y: 2, width: 30, height: 40))
        #expect(PixelRegion(parsing: "1,2,30") == nil)
        #expect(PixelRegion(parsing: "1,2,0,40") == nil)
        #expect(PixelRegion(parsing: "-1,2,3,4") == nil)
        #expect(PixelRegion.centred(inWidth: 1280, height: 720) == PixelRegion(x: 384, y: 104, width: 512, height: 512))
        #expect(PixelRegion.centred(inWidth: 64, height: 48) == PixelRegion(x: 0, y: 0, width: 64, height: 48))
    }
}

import Foundation
import MaximTestSupport
import MediaIO
import Testing

@Suite("maxim-video eval")
struct EvalCommandTests {
    /// ref.mkv, out.mkv (3 levels off) and in.mkv (12 levels off), 6 frames of 48×40.
    static func clips() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        try LevelClip().write(to: dir.path("ref.mkv"))
        try LevelClip(offset: 3).write(to: dir.path("out.mkv"))
        try LevelClip(offset: -12).write(to: dir.path("in.mkv"))
        return dir
    }

    @Test func textHasATableAndASummaryLine() throws {
        let dir = try Self.clips()
        let result = try CommandRunner.run(
            ["eval", "--reference", "ref.mkv", "--restored", "out.mkv", "--input", "in.mkv"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 1 + 6 + 1)
        #expect(lines.first?.contains("gain dB") == true)
        // 8-bit offsets of 3 and 12 levels: 38.59 and 26.55 dB, a gain of 20·log10(4) = 12.04 dB.
        #expect(lines[1].split(separator: " ").map(String.init).prefix(2) == ["0", "38.59"])
        #expect(lines[1].contains("26.55") && lines[1].hasSuffix("+12.04"))
        let summary = try #require(lines.last)
        #expect(summary.hasPrefix("mean PSNR 38.59 dB (input 26.55 dB, +12.04 dB), mean SSIM "), "\(summary)")
        #expect(summary.contains(" (input 0.9"), "\(summary)")
        #expect(summary.hasSuffix("over 6 frames"))
    }

    @Test func identicalClipsPrintInf() throws {
        let dir = try Self.clips()
        let result = try CommandRunner.run(["eval", "--reference", "ref.mkv", "--restored", "ref.mkv"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").last == "mean PSNR inf dB, mean SSIM 1.000 over 6 frames")
    }

    struct Report: Decodable {
        let reference, restored: String
        let input: String?
        let frame_count: Int
        let psnr, ssim: [Double]
        let input_psnr, input_ssim, psnr_gain: [Double]?
        let mean_psnr, mean_ssim: Double
        let mean_input_psnr, mean_input_ssim, mean_psnr_gain: Double?
    }

    @Test func jsonHasPerFrameArraysAndMeans() throws {
        let dir = try Self.clips()
        let result = try CommandRunner.run(
            ["eval", "--reference", "ref.mkv", "--restored", "out.mkv", "--input", "in.mkv", "--json"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.reference == "ref.mkv" && report.restored == "out.mkv" && report.input == "in.mkv")
        #expect(report.frame_count == 6 && report.psnr.count == 6 && report.ssim.count == 6)
        #expect(report.psnr.allSatisfy { abs($0 - 10 * log10(65025.0 / 9)) < 1e-9 })
        #expect(try #require(report.input_psnr).allSatisfy { abs($0 - 10 * log10(65025.0 / 144)) < 1e-9 })
        #expect(try #require(report.psnr_gain).allSatisfy { abs($0 - 20 * log10(4.0)) < 1e-9 })
        #expect(abs(try #require(report.mean_psnr_gain) - 20 * log10(4.0)) < 1e-9)
        #expect(report.mean_ssim > (report.mean_input_ssim ?? 1))
    }

    @Test func jsonWritesInfiniteAsInf() throws {
        let dir = try Self.clips()
        let result = try CommandRunner.run(
            ["eval", "--reference", "ref.mkv", "--restored", "ref.mkv", "--json"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["mean_psnr"] as? String == "inf")
        #expect(object["mean_ssim"] as? Double == 1)
        #expect(object["input_psnr"] == nil)
    }

    @Test func previewAndPlotAreWritten() throws {
        let dir = try Self.clips()
        let result = try CommandRunner.run(
            [
                "eval", "--reference", "ref.mkv", "--restored", "out.mkv", "--input", "in.mkv",
                "--preview", "side.png", "--preview-frame", "2", "--preview-region", "4,4,30,20", "--plot", "plot.png",
            ], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let preview = try StillImage.read(dir.path("side.png")).image
        #expect(preview.width == 3 * 30 + 2 * 4 && preview.height == 20)
        let chart = try StillImage.read(dir.path("plot.png")).image
        #expect(chart.width == 800 && chart.height == 320)
        // Not blank: besides the white background there are dark axis pixels and coloured line pixels.
        let plane = chart.planeSize
        let coloured = (0..<plane).filter { abs(chart.pixels[$0] - chart.pixels[2 * plane + $0]) > 0.3 }.count
        let dark = (0..<plane).filter { chart.pixels[$0] + chart.pixels[plane + $0] < 0.2 }.count
        #expect(coloured > 500 && dark > 500)
    }

    @Test func defaultPreviewOmitsTheInputPanel() throws {
        let dir = try Self.clips()
        let result = try CommandRunner.run(
            ["eval", "--reference", "ref.mkv", "--restored", "out.mkv", "--preview", "side.png"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let preview = try StillImage.read(dir.path("side.png")).image
        #expect(preview.width == 2 * 48 + 4 && preview.height == 40)
    }

    @Test func frameCountMismatchFailsWithOneLine() throws {
        let dir = try Self.clips()
        try LevelClip(frames: 4).write(to: dir.path("short.mkv"))
        let result = try CommandRunner.run(
            ["eval", "--reference", "ref.mkv", "--restored", "short.mkv", "--plot", "plot.png"], in: dir.url)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "maxim-video: error: short.mkv has 4 frames but ref.mkv has 6; eval pairs frames by index\n")
        #expect(!FileManager.default.fileExists(atPath: dir.path("plot.png")))
    }

    @Test func unreadableInputFailsWithOneLineNamingIt() throws {
        let dir = try Self.clips()
        let result = try CommandRunner.run(
            ["eval", "--reference", "ref.mkv", "--restored", "out.mkv", "--input", "missing.mkv"], in: dir.url)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("maxim-video: error: missing.mkv: cannot "), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func sequencesAndVideosPairByIndex() throws {
        let dir = try Self.clips()
        try FileManager.default.createDirectory(atPath: dir.path("frames"), withIntermediateDirectories: true)
        try LevelClip(offset: 3).write(to: dir.path("frames/%04d.png"))
        let result = try CommandRunner.run(
            ["eval", "--reference", "ref.mkv", "--restored", "frames/%04d.png", "--json"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.psnr.count == 6 && report.psnr.allSatisfy { abs($0 - 10 * log10(65025.0 / 9)) < 1e-9 })
    }

    @Test(arguments: [
        ["--preview-frame", "2"],
        ["--preview", "p.png", "--preview-region", "1,2,3"],
        ["--preview", "p.png", "--preview-frame", "-1"],
    ])
    func badPreviewOptionsAreUsageErrors(extra: [String]) throws {
        let dir = try Self.clips()
        let result = try CommandRunner.run(["eval", "--reference", "ref.mkv", "--restored", "out.mkv"] + extra, in: dir.url)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--preview"))
    }
}

import ArgumentParser
import Foundation
import MediaIO
import QualityMetrics

/// `maxim-video eval --reference REF --restored OUT [--input IN]`: how close a restoration came to the ground truth,
/// per frame and on average, with optional preview and chart pictures.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure PSNR and SSIM of a restored video against its reference, frame by frame.",
        discussion: """
            Frames are paired by index; the clips must have the same frame count and size. PSNR and SSIM are \
            computed on RGB at 8 bits (PSNR of identical frames prints as inf). With --input, the degraded input is \
            measured too and the gain (restored - input) is printed. --plot draws restored PSNR in blue and input \
            PSNR in red.
            """)

    @Option(help: "The ground truth: a video file or an image-sequence pattern such as frames/%04d.png.")
    var reference: String

    @Option(help: "The restored clip to measure.")
    var restored: String

    @Option(help: "The degraded input the restoration started from, to report the gain.")
    var input: String?

    @Option(help: "Write a side-by-side PNG of one frame: input | restored | reference.")
    var preview: String?

    @Option(help: "0-based frame for --preview (default: the middle frame).")
    var previewFrame: Int?

    @Option(help: "Region X,Y,W,H for --preview (default: a centred crop of at most 512x512).")
    var previewRegion: String?

    @Option(help: "Write a per-frame PSNR chart PNG.")
    var plot: String?

    @Flag(help: "Print one JSON object (per-frame arrays and means) instead of text.")
    var json = false

    func validate() throws {
        if previewFrame != nil || previewRegion != nil, preview == nil {
            throw ValidationError("--preview-frame and --preview-region need --preview PNG")
        }
        if let previewFrame, previewFrame < 0 {
            throw ValidationError("--preview-frame \(previewFrame) is not allowed (0 or more)")
        }
        if let previewRegion, PixelRegion(parsing: previewRegion) == nil {
            throw ValidationError("--preview-region '\(previewRegion)' is not X,Y,W,H with a positive size")
        }
    }

    func run() throws {
        LibavLog.configure(verbose: false)
        let request = preview.map { _ in
            PreviewRequest(frame: previewFrame, region: previewRegion.flatMap(PixelRegion.init(parsing:)))
        }
        do {
            let outcome = try VideoComparison(reference: reference, restored: restored, input: input).run(preview: request)
            if let preview, let image = outcome.preview { try StillImage.write(image, to: preview) }
            if let plot {
                let frames = outcome.report.frames
                let chart = PSNRChart.render(restored: frames.map(\.psnr), input: input == nil ? nil : frames.compactMap(\.inputPSNR))
                try StillImage.write(chart, to: plot)
            }
            print(json ? try Self.json(outcome.report) : Self.text(outcome.report))
        } catch {
            reportFailure(error)
            throw ExitStatus.failure
        }
    }

    /// Infinite PSNR (identical frames) is written as the string "inf", as in the text output; JSON has no infinity.
    static func json(_ report: QualityReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    static func text(_ report: QualityReport) -> String {
        let withInput = report.input != nil
        var lines = [
            withInput
                ? "frame   PSNR dB    SSIM   input dB  input SSIM   gain dB"
                : "frame   PSNR dB    SSIM",
        ]
        for f in report.frames {
            var line = pad(String(f.index), 5) + pad(decibels(f.psnr), 10) + pad(fraction(f.ssim, 4), 8)
            if let ip = f.inputPSNR, let isim = f.inputSSIM, let gain = f.psnrGain {
                line += pad(decibels(ip), 11) + pad(fraction(isim, 4), 12) + pad(signed(gain), 10)
            }
            lines.append(line)
        }
        var summary = "mean PSNR \(decibels(report.meanPSNR)) dB"
        if let ip = report.meanInputPSNR, let gain = report.meanPSNRGain {
            summary += " (input \(decibels(ip)) dB, \(signed(gain)) dB)"
        }
        summary += ", mean SSIM \(fraction(report.meanSSIM, 3))"
        if let isim = report.meanInputSSIM { summary += " (input \(fraction(isim, 3)))" }
        lines.append(summary + " over \(report.frames.count) frames")
        return lines.joined(separator: "\n")
    }

    static func pad(_ s: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - s.count)) + s
    }

    static func decibels(_ v: Double) -> String {
        v.isNaN ? "nan" : v.isInfinite ? (v > 0 ? "inf" : "-inf") : String(format: "%.2f", v)
    }

    static func signed(_ v: Double) -> String {
        v.isFinite ? String(format: "%+.2f", v) : (v > 0 ? "+inf" : decibels(v))
    }

    static func fraction(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
}

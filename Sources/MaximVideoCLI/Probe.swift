import ArgumentParser
import Foundation
import MediaIO

/// `maxim-video probe INPUT [--json]`: what a file contains, counted by reading it.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Show the streams of a video: size, pixel format, colour tags, frame count.")

    @Argument(help: "A video file, an image-sequence pattern such as frames/%04d.png, or - for stdin.")
    var input: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        LibavLog.configure(verbose: false)
        let info: MediaInfo
        do {
            info = try MediaInfo.probe(input)
        } catch {
            reportFailure(error)
            throw ExitStatus.failure
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(info), as: UTF8.self))
        } else {
            print(Self.text(info))
        }
    }

    static func text(_ info: MediaInfo) -> String {
        var lines = ["\(info.file): \(info.container)" + (info.duration.map { String(format: ", %.3f s", $0) } ?? "")]
        for s in info.streams {
            var parts = ["stream \(s.index): \(s.type) \(s.codec)"]
            if let w = s.width, let h = s.height { parts.append("\(w)x\(h)") }
            if let f = s.pixelFormat { parts.append(f) }
            if let r = s.frameRate, !r.isUnknown { parts.append(String(format: "%.3f fps", r.doubleValue)) }
            if let sar = s.sampleAspectRatio, !sar.isUnknown { parts.append("SAR \(sar)") }
            if let rotation = s.rotation { parts.append("turned \(rotation)° clockwise to show upright") }
            if let range = s.colorRange {
                parts.append(
                    "range \(range), primaries \(s.colorPrimaries ?? "?"), transfer \(s.colorTransfer ?? "?"), "
                        + "matrix \(s.colorMatrix ?? "?")")
            }
            if let rate = s.sampleRate, let ch = s.channels { parts.append("\(rate) Hz, \(ch) ch") }
            if let language = s.language { parts.append("language \(language)") }
            if let n = s.frameCount { parts.append(s.type == "video" ? "\(n) frames" : "\(n) packets") }
            if let d = s.duration { parts.append(String(format: "%.3f s", d)) }
            lines.append(parts.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}

import Foundation
import Testing

@testable import BatchMode

/// Checks the Prometheus text exposition format (0.0.4): HELP/TYPE comments, then `name value` samples
/// whose names are valid and declared, values parse as floats, each metric family declared once.
func parsePrometheusText(_ text: String) throws -> [String: Double] {
    struct FormatError: Error, CustomStringConvertible { let description: String }
    guard text.hasSuffix("\n") else { throw FormatError(description: "must end with a newline") }
    var types: [String: String] = [:]
    var samples: [String: Double] = [:]
    let name = #/^[a-zA-Z_:][a-zA-Z0-9_:]*$/#
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
        let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
        if line.hasPrefix("# TYPE ") {
            guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]),
                types[parts[2]] == nil
            else { throw FormatError(description: "bad TYPE line: \(line)") }
            types[parts[2]] = parts[3]
        } else if line.hasPrefix("# HELP ") {
            guard parts.count >= 3, parts[2].wholeMatch(of: name) != nil else { throw FormatError(description: "bad HELP: \(line)") }
        } else if line.hasPrefix("#") || line.isEmpty {
            continue
        } else {
            guard parts.count == 2, parts[0].wholeMatch(of: name) != nil, let value = Double(parts[1]) else {
                throw FormatError(description: "bad sample line: \(line)")
            }
            guard types[parts[0]] != nil else { throw FormatError(description: "sample before its TYPE: \(line)") }
            samples[parts[0]] = value
        }
    }
    return samples
}

@Suite struct PrometheusMetricsTests {
    @Test func textParsesAsPrometheusFormatWithEveryValue() throws {
        var m = PrometheusMetrics()
        m.filesProcessed = 3
        m.filesFailed = 1
        m.framesProcessed = 240
        m.secondsProcessing = 12.5
        m.lastSuccess = 1_790_000_000
        let samples = try parsePrometheusText(m.text)
        #expect(samples["maxim_video_batch_files_processed"] == 3)
        #expect(samples["maxim_video_batch_files_failed"] == 1)
        #expect(samples["maxim_video_batch_frames"] == 240)
        #expect(samples["maxim_video_batch_seconds"] == 12.5)
        #expect(samples["maxim_video_batch_last_success_timestamp_seconds"] == 1_790_000_000)
    }

    @Test func noSuccessYetOmitsTheTimestamp() throws {
        let samples = try parsePrometheusText(PrometheusMetrics().text)
        #expect(samples["maxim_video_batch_last_success_timestamp_seconds"] == nil)
        #expect(samples.count == 4)
    }

    @Test func writeReplacesTheFileAtomicallyAndLeavesNoTemporary() throws {
        let dir = try scratchDirectory("metrics")
        let path = dir.appendingPathComponent("maxim.prom").path
        var m = PrometheusMetrics()
        try m.write(to: path)
        m.filesProcessed = 9
        try m.write(to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(try parsePrometheusText(text)["maxim_video_batch_files_processed"] == 9)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["maxim.prom"])
    }
}

import Foundation
import MaximTestSupport
import Testing

@testable import BatchMode

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

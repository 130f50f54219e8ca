import Foundation
import MaximTestSupport
import Testing

/// `maxim-video bench` reports a model's speed against the machine's matrix peak measured in the same run.
@Suite struct BenchCommandTests {
    @Test func benchReportsTheModelsShareOfTheMatrixPeakAndPeakMemory() throws {
        let dir = try TemporaryDirectory()
        let result = try CommandRunner.run(
            ["bench", "--checkpoint", tinyCheckpoint, "--size", "64", "--runs", "1", "--threads", "1", "--json"],
            in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let modelRate = try #require(report["gflops_per_second"] as? Double)
        let peak = try #require(report["sgemm_peak_gflops_per_second"] as? Double)
        let fraction = try #require(report["fraction_of_sgemm_peak"] as? Double)
        // A single-threaded AVX2/AVX-512 sgemm sustains tens of GFLOP/s at least; a tiny 64² model far less.
        #expect(peak > 10, "sgemm peak \(peak) GFLOP/s")
        #expect(modelRate > 0 && modelRate < peak)
        #expect(abs(fraction - modelRate / peak) < 1e-9)
        let rss = try #require(report["peak_rss_bytes"] as? Int)
        #expect(rss > 10 << 20 && rss < 4 << 30, "peak RSS \(rss) bytes")
    }
}

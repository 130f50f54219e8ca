@testable import MaximVideoCLI
import RestorationPipeline
import Testing

@Suite("ProgressReporter")
struct ProgressReporterTests {
    @Test func lineShowsFrameTotalRateAndETA() {
        let line = ProgressReporter.describe(RestorationProgress(framesDone: 50, framesTotal: 200, elapsed: 5))
        #expect(line == "frame 50/200 (25%), 10.00 fps, ETA 0:15")
    }

    @Test func unknownTotalOmitsPercentageAndETA() {
        let line = ProgressReporter.describe(RestorationProgress(framesDone: 7, framesTotal: nil, elapsed: 2))
        #expect(line == "frame 7, 3.50 fps")
    }

    @Test(arguments: [(59.4, "0:59"), (61, "1:01"), (3725, "1:02:05")])
    func durationsAreClockStyle(seconds: Double, text: String) {
        #expect(ProgressReporter.formatDuration(seconds) == text)
    }
}

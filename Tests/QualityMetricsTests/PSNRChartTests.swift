import MediaIO
import Testing

@testable import QualityMetrics

@Suite("PSNRChart")
struct PSNRChartTests {
    static func count(_ image: RGBImage, _ colour: (r: Float, g: Float, b: Float)) -> Int {
        let plane = image.planeSize
        return (0..<plane).filter {
            image.pixels[$0] == colour.r && image.pixels[plane + $0] == colour.g && image.pixels[2 * plane + $0] == colour.b
        }.count
    }

    @Test func drawsBothSeriesAxesAndLabels() {
        let restored = [31.0, 32.5, 30.2, 33.0, 31.8], input = [28.0, 29.1, 27.5, 29.9, 28.2]
        let chart = PSNRChart.render(restored: restored, input: input, width: 400, height: 200)
        #expect(chart.width == 400 && chart.height == 200)
        #expect(Self.count(chart, PSNRChart.restoredColour) > 100)
        #expect(Self.count(chart, PSNRChart.inputColour) > 100)
        #expect(Self.count(chart, PSNRChart.black) > 300)
        // The restored line lies above the input line in every column where both are drawn.
        let plane = chart.planeSize
        for x in stride(from: PSNRChart.left + 5, to: 400 - PSNRChart.right - 5, by: 17) {
            let rows = (0..<200).map { $0 * 400 + x }
            let blue = rows.firstIndex { chart.pixels[$0] == PSNRChart.restoredColour.r && chart.pixels[2 * plane + $0] == PSNRChart.restoredColour.b }
            let red = rows.firstIndex { chart.pixels[$0] == PSNRChart.inputColour.r && chart.pixels[plane + $0] == PSNRChart.inputColour.g }
            if let blue, let red { #expect(blue < red, "column \(x)") }
        }
        #expect(Self.count(PSNRChart.render(restored: restored, width: 400, height: 200), PSNRChart.inputColour) == 0)
    }

    @Test func infiniteAndSingleFrameSeriesStillDraw() {
        let chart = PSNRChart.render(restored: [.infinity, .infinity])
        #expect(Self.count(chart, PSNRChart.restoredColour) > 50)
        #expect(Self.count(PSNRChart.render(restored: [30]), PSNRChart.restoredColour) == 25)
    }

    @Test(arguments: [
        ([20.2, 36.4], 20.0, 40.0, 5.0),
        ([30.1, 30.3], 29.5, 31.0, 0.5),
        ([Double.infinity], 0.0, 50.0, 10.0),
    ])
    func valueAxisIsRound(values: [Double], lo: Double, hi: Double, step: Double) {
        let axis = PSNRChart.valueAxis(values)
        #expect(axis.lo == lo && axis.hi == hi && axis.step == step)
    }
}

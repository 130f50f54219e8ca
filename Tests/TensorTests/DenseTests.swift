import Testing
import Tensor

@Suite struct DenseTests {
    @Test func denseIsAMatrixProductOverTheLastAxisPlusBias() {
        let x = pseudoRandom([2, 3, 5, 4], seed: 1)
        let k = pseudoRandom([4, 6], seed: 2), b = pseudoRandom([6], seed: 3)
        let out = x.dense(kernel: k, bias: b)
        let expected = naiveMatmul(x.scalars, k.scalars, m: 30, k: 4, n: 6).enumerated().map { $1 + b.scalars[$0 % 6] }
        #expect(out.shape == [2, 3, 5, 6])
        expectClose(out, expected, rtol: 1e-5, atol: 1e-6)
    }

    @Test func severalInputsActAsTheirConcatenation() {
        let a = pseudoRandom([1, 7, 9, 3], seed: 4), b = pseudoRandom([1, 7, 9, 2], seed: 5)
        let k = pseudoRandom([5, 4], seed: 6)
        expectClose(Tensor.dense([a, b], kernel: k, bias: nil),
                    Tensor.concatenateChannels([a, b]).dense(kernel: k, bias: nil), rtol: 1e-6, atol: 1e-6)
    }

    @Test func epilogueAppliesActivationBeforeAddingResiduals() {
        let x = pseudoRandom([1, 2, 2, 3], seed: 7), r1 = pseudoRandom([1, 2, 2, 3], seed: 8)
        let r2 = pseudoRandom([1, 2, 2, 3], seed: 9), k = pseudoRandom([3, 3], seed: 10)
        let fused = x.dense(kernel: k, bias: nil, activation: .relu, residuals: [r1, r2])
        let separate = x.dense(kernel: k, bias: nil).activated(.relu) + r1 + r2
        expectClose(fused, separate, rtol: 1e-6, atol: 1e-6)
    }

    @Test func largeInputsSplitIntoChunksGiveTheSameResult() {
        let x = pseudoRandom([1, 64, 80, 8], seed: 11), k = pseudoRandom([8, 8], seed: 12)
        BLASRuntime.configure(threads: 2)
        let parallel = x.dense(kernel: k, bias: nil, activation: .gelu)
        BLASRuntime.configure(threads: 1)
        let serial = x.dense(kernel: k, bias: nil, activation: .gelu)
        #expect(parallel.scalars == serial.scalars)
    }

    /// Thin layers sweep bias and activation over a repeated bias pattern; rows past the last whole pattern, and
    /// channel counts that do not divide 16, must still get their own bias.
    @Test(arguments: [12, 20, 24, 7])
    func biasAndGELUOfThinLayersMatchARowByRowReference(channels: Int) {
        let x = pseudoRandom([1, 37, 41, 9], seed: 21), k = pseudoRandom([9, channels], seed: 22)
        let b = pseudoRandom([channels], seed: 23)
        let out = x.dense(kernel: k, bias: b, activation: .gelu)
        let expected = naiveMatmul(x.scalars, k.scalars, m: 37 * 41, k: 9, n: channels).enumerated()
            .map { Activation.gelu($1 + b.scalars[$0 % channels]) }
        expectClose(out, expected, rtol: 1e-5, atol: 1e-6)
    }

    /// The scale is swept as a repeated pattern over thin rows: every pixel of every image must still get its own
    /// image's vector and the residuals, exactly as pixel by pixel (same float operations, same order).
    @Test(arguments: [(12, 0), (12, 1), (7, 2), (48, 1), (3, 1)])
    func channelAttentionMatchesPixelByPixelForThinRowsAndResiduals(channels: Int, residualCount: Int) {
        let shape = [3, 29, 31, channels]
        let x = pseudoRandom(shape, seed: 31), s = pseudoRandom([3, 1, 1, channels], seed: 32)
        let residuals = (0..<residualCount).map { pseudoRandom(shape, seed: 33 + UInt64($0)) }
        let out = x.scaledChannels(by: s, adding: residuals)
        let pixels = 29 * 31
        let expected = x.scalars.enumerated().map { i, v in
            let image = i / (pixels * channels), channel = i % channels
            return residuals.reduce(v * s.scalars[image * channels + channel]) { $0 + $1.scalars[i] }
        }
        let mismatched = zip(out.scalars, expected).filter { $0 != $1 }.count
        #expect(mismatched == 0, "\(mismatched) of \(expected.count) values differ")
    }

    @Test func channelAttentionScalesEveryPixelByItsImagesVector() {
        let x = pseudoRandom([2, 2, 3, 2], seed: 13)
        let s = Tensor(shape: [2, 1, 1, 2], scalars: [1, 2, 3, 4])
        let out = x.scaledChannels(by: s)
        #expect(out[1, 1, 2, 1] == x[1, 1, 2, 1] * 4)
        #expect(out[0, 0, 1, 0] == x[0, 0, 1, 0] * 1)
        let mean = x.spatialMean()
        #expect(abs(mean[1, 0, 0, 1] - (0..<6).map { x[1, $0 / 3, $0 % 3, 1] }.reduce(0, +) / 6) < 1e-6)
    }

    /// The spatial mean sums eight, then four channels at a time in vectors and the rest one by one: every channel
    /// of every image matches a float64 mean, with the pixels split into one part or several.
    @Test(arguments: [8, 12, 13, 20, 3], [(24, 40), (64, 64)])
    func spatialMeanMatchesAFloat64MeanForEveryChannel(channels: Int, size: (height: Int, width: Int)) {
        let (h, w) = size
        let x = pseudoRandom([2, h, w, channels], seed: 17)
        let mean = x.spatialMean(), values = x.scalars
        for image in 0..<2 {
            for c in 0..<channels {
                var sum = 0.0
                for p in 0..<(h * w) { sum += Double(values[(image * h * w + p) * channels + c]) }
                let expected = Float(sum / Double(h * w))
                #expect(abs(mean[image, 0, 0, c] - expected) <= 1e-7, "image \(image), channel \(c)")
            }
        }
    }
}

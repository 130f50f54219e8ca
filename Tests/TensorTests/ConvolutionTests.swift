import Testing
@testable import Tensor

@Suite struct ConvolutionTests {
    @Test func conv3x3PadsWithZerosOnEverySide() {
        let x = Tensor(shape: [1, 3, 3, 1], repeating: 1)
        let k = Tensor(shape: [3, 3, 1, 1], repeating: 1)
        let out = x.conv2d(kernel: k, bias: Tensor(shape: [1], scalars: [0.5]))
        expectClose(out, [4, 6, 4, 6, 9, 6, 4, 6, 4].map { $0 + 0.5 })
    }

    @Test func convIsCrossCorrelationWithoutKernelFlip() {
        let x = Tensor(shape: [1, 3, 3, 1], scalars: (1...9).map(Float.init))
        var taps = [Float](repeating: 0, count: 9)
        taps[0] = 1  // K[0, 0]: output (y, x) reads input (y−1, x−1)
        let out = x.conv2d(kernel: Tensor(shape: [3, 3, 1, 1], scalars: taps), bias: nil)
        expectClose(out, [0, 0, 0, 0, 1, 2, 0, 4, 5])
    }

    @Test func conv4x4Stride2PadsOneBeforeAndOneAfter() {
        let x = Tensor(shape: [1, 4, 4, 1], scalars: (0..<16).map(Float.init))
        let out = x.conv2d(kernel: Tensor(shape: [4, 4, 1, 1], repeating: 1), bias: nil, stride: 2)
        #expect(out.shape == [1, 2, 2, 1])
        // Output o covers input rows/cols 2o−1 … 2o+2, clipped to the image.
        expectClose(out, [45, 54, 81, 90])
    }

    @Test func convMatchesDirectSumOnRandomData() {
        let x = pseudoRandom([2, 5, 7, 3], seed: 11)
        let k = pseudoRandom([3, 3, 3, 4], seed: 12)
        let b = pseudoRandom([4], seed: 13)
        let out = x.conv2d(kernel: k, bias: b, activation: .leakyReLU(0.2))
        let expected = naiveConv3x3(x, kernel: k, bias: b).map { $0 >= 0 ? Float($0) : Float(0.2 * $0) }
        expectClose(out, expected, rtol: 1e-5, atol: 1e-5)
    }

    @Test func transposedConvFlipsTheKernel() {
        let x = Tensor(shape: [1, 1, 1, 1], scalars: [1])
        // K[r, c] = 1, 2 / 3, 4 → out[r, c] = K[1−r, 1−c]
        let k = Tensor(shape: [2, 2, 1, 1], scalars: [1, 2, 3, 4])
        let out = x.convTranspose2x2(kernel: k, bias: Tensor(shape: [1], scalars: [10]))
        #expect(out.shape == [1, 2, 2, 1])
        expectClose(out, [14, 13, 12, 11])
    }

    /// The thin vector kernel (AVX-512 or AVX2; products and the bias repeated per tap, then two copies per pixel) against the
    /// library product and the Swift scatter, at a decoder's widths (24 → 12: 48 outputs per pixel, three vectors).
    @Test(.enabled(if: ThinDense.enabled, "the kernel is off in this process"))
    func transposedConvThroughTheThinKernelMatchesTheLibraryPath() {
        let x = pseudoRandom([2, 3, 5, 24], seed: 7)
        let k = pseudoRandom([2, 2, 24, 12], seed: 8), bias = pseudoRandom([12], seed: 9)
        for b in [bias, nil] {
            let kernel = x.convTranspose2x2(kernel: k, bias: b)
            let library = ThinDense.$bypassed.withValue(true) { x.convTranspose2x2(kernel: k, bias: b) }
            #expect(kernel.shape == [2, 6, 10, 12])
            expectClose(kernel, library, rtol: 2e-6, atol: 2e-6)
        }
    }

    /// The pixels-in-lanes 3×3 convolution to ≤ 4 channels (MAXIM's output convolutions) or 8 (a features-8 model's)
    /// against the library path: widths with whole blocks (64 pixels for ≤ 4 outputs, 32 for 8), single vectors and a
    /// partial one (83 = 64 + 16 + 3), heights past one band of 32 rows (37), two images, with and without bias,
    /// residual and leaky ReLU (RCAB's, slope 0.2), 3 to 64 input channels.
    @Test(.enabled(if: ThinDense.enabled, "the kernel is off in this process"),
          arguments: [([2, 37, 83, 12], 3, true, false), ([1, 5, 16, 3], 4, false, true), ([1, 70, 20, 64], 1, true, true),
                      ([1, 9, 130, 20], 2, false, false), ([2, 37, 83, 8], 8, true, true), ([1, 5, 16, 3], 8, false, false),
                      ([1, 33, 35, 16], 8, true, false), ([1, 4, 7, 8], 8, false, true)])
    func narrowConvWithPixelsInLanesMatchesTheLibraryPath(shape: [Int], outputs: Int, biasAndResidual: Bool, leaky: Bool) {
        let x = pseudoRandom(shape, seed: 50)
        let k = pseudoRandom([3, 3, shape[3], outputs], seed: 51)
        let bias = biasAndResidual ? pseudoRandom([outputs], seed: 52) : nil
        let residuals = biasAndResidual ? [pseudoRandom([shape[0], shape[1], shape[2], outputs], seed: 53)] : []
        let activation: Activation = leaky ? .leakyReLU(0.2) : .identity
        let narrow = x.conv2d(kernel: k, bias: bias, activation: activation, residuals: residuals)
        let library = ThinDense.$bypassed.withValue(true) {
            x.conv2d(kernel: k, bias: bias, activation: activation, residuals: residuals)
        }
        #expect(narrow.shape == [shape[0], shape[1], shape[2], outputs])
        expectClose(narrow, library, rtol: 1e-5, atol: 1e-5)
    }

    @Test func transposedConvMapsEveryPixelToItsOwnTwoByTwoBlock() {
        let x = pseudoRandom([1, 2, 3, 2], seed: 5)
        let k = pseudoRandom([2, 2, 2, 3], seed: 6)
        let out = x.convTranspose2x2(kernel: k, bias: nil)
        let xs = x.scalars, ks = k.scalars
        for m in 0..<2 {
            for n in 0..<3 {
                for r in 0..<2 {
                    for c in 0..<2 {
                        for o in 0..<3 {
                            var s: Float = 0
                            for ci in 0..<2 { s += xs[(m * 3 + n) * 2 + ci] * ks[(((1 - r) * 2 + (1 - c)) * 2 + ci) * 3 + o] }
                            #expect(abs(out[0, 2 * m + r, 2 * n + c, o] - s) <= 1e-6)
                        }
                    }
                }
            }
        }
    }

    @Test func oneByOneConvOverSeveralInputsEqualsConvOverTheirConcatenation() {
        let a = pseudoRandom([1, 3, 4, 2], seed: 1), b = pseudoRandom([1, 3, 4, 5], seed: 2)
        let k = pseudoRandom([1, 1, 7, 3], seed: 3)
        let joined = Tensor.conv2d([a, b], kernel: k, bias: nil)
        let concatenated = Tensor.concatenateChannels([a, b]).conv2d(kernel: k, bias: nil)
        expectClose(joined, concatenated, rtol: 1e-6, atol: 1e-6)
    }
}

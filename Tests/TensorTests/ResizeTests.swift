import Testing
@testable import Tensor

/// `jax.image.resize` conventions (MAXIM-SEMANTICS "jax.image.resize"), checked on 1-D signals laid
/// out along H (then W) of an NHWC tensor.
@Suite struct ResizeTests {
    let signal: [Float] = [1, 2, 4, 8]

    func column(_ values: [Float]) -> Tensor { Tensor(shape: [1, values.count, 1, 1], scalars: values) }
    func row(_ values: [Float]) -> Tensor { Tensor(shape: [1, 1, values.count, 1], scalars: values) }

    @Test func bilinearUpsamplingByTwoUsesQuarterStencilAndClampsAtBorders() {
        let out = column(signal).resizedBilinear(height: 8, width: 1)
        expectClose(out, [1, 1.25, 1.75, 2.5, 3.5, 5, 7, 8])
    }

    @Test func bilinearUpsamplingByFourUsesEighthStencilAndClampsAtBorders() {
        let out = row(signal).resizedBilinear(height: 1, width: 16)
        expectClose(out, [1, 1, 1.125, 1.375, 1.625, 1.875, 2.25, 2.75, 3.25, 3.75, 4.5, 5.5, 6.5, 7.5, 8, 8])
    }

    @Test func bilinearDownsamplingByTwoIsAntialiasedWithRenormalisedBorders() {
        let input: [Float] = [1, 2, 4, 8, 16, 32, 64, 128]
        let out = column(input).resizedBilinear(height: 4, width: 1)
        // (1 3 3 1)/8 inside; (3 3 1)/7 and (1 3 3)/7 at the borders — not a 2×2 box average.
        expectClose(out, [13.0 / 7, 54.0 / 8, 216.0 / 8, 608.0 / 7])
    }

    @Test func bilinearDownsamplingByFourIsAntialiasedWithRenormalisedBorders() {
        let input = (0..<16).map { Float($0 * $0) }
        let out = row(input).resizedBilinear(height: 1, width: 4)
        func dot(_ w: [Float], _ start: Int, _ scale: Float) -> Float {
            zip(w, input[start..<(start + w.count)]).reduce(0) { $0 + $1.0 * $1.1 } / scale
        }
        let inner: [Float] = [1, 3, 5, 7, 7, 5, 3, 1]
        let expected = [dot([5, 7, 7, 5, 3, 1], 0, 28), dot(inner, 2, 32), dot(inner, 6, 32), dot([1, 3, 5, 7, 7, 5], 10, 28)]
        expectClose(out, expected, rtol: 2e-6)
    }

    @Test func bilinearResizeToTheSameSizeIsTheIdentity() {
        let x = pseudoRandom([1, 4, 6, 3])
        #expect(x.resizedBilinear(height: 4, width: 6).scalars == x.scalars)
    }

    @Test func bilinearResizeIsSeparableOverHeightAndWidth() {
        let x = pseudoRandom([1, 4, 4, 2], seed: 3)
        let both = x.resizedBilinear(height: 8, width: 2)
        let stepwise = x.resizedBilinear(height: 8, width: 4).resizedBilinear(height: 8, width: 2)
        expectClose(both, stepwise, rtol: 1e-5, atol: 1e-6)
    }

    @Test func nearestDownsamplingTakesTheCentreSample() {
        let x = column((0..<8).map(Float.init))
        #expect(x.resizedNearest(height: 4, width: 1).scalars == [1, 3, 5, 7])
        #expect(x.resizedNearest(height: 2, width: 1).scalars == [2, 6])
    }

    /// The vector (AVX-512 or AVX2) vertical and horizontal passes give the Swift loops' bits (same products, added in the same
    /// order), up and down, for one- and two-vector pixels, rows of 348 and 580 floats (whole blocks of four vectors
    /// and a remainder).
    @Test(.enabled(if: ThinDense.enabled, "the kernel is off in this process"), arguments: [12, 20])
    func vectorPassesGiveTheSwiftLoopsBits(channels: Int) {
        let x = pseudoRandom([2, 13, 29, channels], seed: 5)
        func resized() -> [Tensor] {
            [x.resizedBilinear(height: 52, width: 116), x.resizedBilinear(height: 7, width: 9),
             x.resizedBilinear(height: 26, width: 3)]
        }
        let kernel = resized(), swift = ThinDense.$bypassed.withValue(true) { resized() }
        for (a, b) in zip(kernel, swift) {
            let same = a.scalars == b.scalars
            #expect(same, "\(x.shape) → \(a.shape) differs")
        }
    }
}

import Testing
import Tensor

@Suite struct LayerNormTests {
    let identity = LayerNormParameters(scale: Tensor(shape: [8], repeating: 1), bias: Tensor(zeros: [8]))

    @Test func normalisesEachPixelOverChannelsWithEpsilonOneMillionth() {
        let values: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        let scale = Tensor(shape: [8], scalars: [1, 2, 1, 2, 1, 2, 1, 2])
        let bias = Tensor(shape: [8], repeating: 0.5)
        let out = Tensor(shape: [1, 1, 1, 8], scalars: values).layerNorm(LayerNormParameters(scale: scale, bias: bias))
        let mean = 4.5, variance = 5.25
        let expected = values.enumerated().map { i, v in
            Float((Double(v) - mean) / (variance + 1e-6).squareRoot() * Double(scale.scalars[i]) + 0.5)
        }
        expectClose(out, expected, rtol: 1e-6, atol: 1e-6)
    }

    @Test func staysAccurateOnLargeMagnitudeInputs() {
        // |x| ≈ 100 as in the golden activations; one-pass float32 statistics lose a few bits only.
        let offsets: [Float] = [-1.5, -0.5, 0.5, 1.5, -1.5, -0.5, 0.5, 1.5]
        let out = Tensor(shape: [1, 1, 1, 8], scalars: offsets.map { 100 + $0 }).layerNorm(identity)
        let expected = offsets.map { Float(Double($0) / (1.25 + 1e-6).squareRoot()) }
        expectClose(out, expected, rtol: 1e-3, atol: 1e-3)
    }

    @Test func constantLargeInputGivesTheBiasNotNaN() {
        // E[x²] − E[x]² can round below zero; it is clamped at zero as flax does.
        let bias = Tensor(shape: [8], scalars: (0..<8).map { Float($0) / 8 })
        let p = LayerNormParameters(scale: Tensor(shape: [8], repeating: 1), bias: bias)
        let out = Tensor(shape: [2, 1, 1, 8], repeating: 1000.1).layerNorm(p)
        let finite = out.scalars.allSatisfy { $0.isFinite }
        #expect(finite)
        // One float32 ulp of the mean (6e-5 at 1000) is amplified by 1/√ε = 1000.
        expectClose(out, bias.scalars + bias.scalars, rtol: 0, atol: 0.13)
    }

    @Test func fusedIntoDenseEqualsSeparateNormalisationThenDense() {
        let x = pseudoRandom([1, 4, 4, 8], seed: 4)
        let scale = pseudoRandom([8], seed: 5), bias = pseudoRandom([8], seed: 6)
        let p = LayerNormParameters(scale: scale, bias: bias)
        let k = pseudoRandom([8, 16], seed: 7)
        let fused = x.dense(kernel: k, bias: nil, normalization: p, activation: .gelu)
        let separate = x.layerNorm(p).dense(kernel: k, bias: nil).activated(.gelu)
        expectClose(fused, separate, rtol: 1e-6, atol: 1e-6)
    }
}

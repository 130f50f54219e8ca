import Testing
@testable import Tensor

/// The fused mixes against the same layers run as separate operations (`dense` for `in_project`, then
/// `spatialMix`, with the projection inside its scatter): every dense layer on the thin kernel (`ThinDense.routing`),
/// same bits; every one on the library, float rounding.
@Suite struct FusedMixTests {
    func weights(channels c: Int, mixed: Int, biases: Bool, seed: UInt64) -> GmlpWeights {
        func ln(_ s: UInt64) -> LayerNormParameters {
            LayerNormParameters(scale: pseudoRandom([c], seed: s), bias: pseudoRandom([c], seed: s + 1))
        }
        let inProjection = MixInProjection(normalization: ln(seed), kernel: pseudoRandom([c, 2 * c], seed: seed + 2),
                                           bias: biases ? pseudoRandom([2 * c], seed: seed + 3) : nil)
        return GmlpWeights(inProjection: inProjection, gateNorm: ln(seed + 4),
                           spatialKernel: pseudoRandom([mixed, mixed], seed: seed + 6),
                           spatialBias: biases ? pseudoRandom([mixed], seed: seed + 7) : nil,
                           outKernel: pseudoRandom([c, c], seed: seed + 8),
                           outBias: biases ? pseudoRandom([c], seed: seed + 9) : nil)
    }

    func twoOperations(_ x: ChannelSlice, axis: SpatialMixAxis, _ w: GmlpWeights) -> Tensor {
        let p = w.inProjection
        let y = Tensor.dense([x], kernel: p.kernel, bias: p.bias, normalization: p.normalization, activation: .gelu)
        let half = y.channels / 2
        return y.spatialMix(channels: half..<y.channels, axis: axis, kernel: w.spatialKernel, bias: w.spatialBias,
                            normalization: w.gateNorm, gate: 0..<half,
                            projection: SpatialMixProjection(kernel: w.outKernel, bias: w.outBias, residual: x))
    }

    /// Same bits on both axes, for one-vector (8, 12), two-vector (24) and two-vector-hidden (32) widths, with and
    /// without biases; the input a channel slice of a wider tensor (as the MAB hands over its halves), two images.
    /// 48×48 images with 8×8 blocks or an 8×8 grid (36 sets of 64 mixed pixels): 32 channels take two chunks, the
    /// second shorter, 64 channels (MAXIM-M's first level, the widest the fused layer takes) three.
    @Test(.enabled(if: ThinDense.enabled, "the kernel is off in this process"),
          arguments: [(true, 8, true), (false, 8, true), (true, 12, true), (false, 12, false), (true, 24, false),
                      (false, 24, true), (true, 32, true), (false, 32, true), (true, 64, true), (false, 64, false)])
    func fusedLayerHasTheBitsOfItsTwoOperations(grid: Bool, channels: Int, biases: Bool) {
        let wide = pseudoRandom([2, 48, 48, 3 * channels], seed: grid ? 50 : 51)
        let x = wide.channels(channels..<(2 * channels))
        let axis: SpatialMixAxis = grid ? .grid(height: 8, width: 8) : .block(height: 8, width: 8)
        let w = weights(channels: channels, mixed: 64, biases: biases, seed: 52)
        guard let fused = ThinDense.$routing.withValue(.kernel, operation: { Tensor.gmlpLayer(x, axis: axis, weights: w) })
        else {
            Issue.record("the fused layer declined \(channels) channels")
            return
        }
        let expected = ThinDense.$routing.withValue(.kernel) { twoOperations(x, axis: axis, w) }
        #expect(fused.shape == [2, 48, 48, channels])
        let same = fused.scalars == expected.scalars
        #expect(same, "the fused layer differs from dense then spatialMix")
    }

    /// Where the thin kernel does not beat the library for `in_project`'s widths (AVX2 from 12 channels on), the fused
    /// layer runs it on the library's product per chunk; that gives what the separate operations give on the library
    /// path (float rounding: the product's blocking follows the chunk's row count).
    @Test(.enabled(if: ThinDense.enabled, "the kernel is off in this process"),
          arguments: [(true, 12, true), (false, 32, false), (true, 64, true)])
    func fusedLayerOnTheLibraryProductMatchesItsTwoOperations(grid: Bool, channels: Int, biases: Bool) throws {
        let wide = pseudoRandom([2, 48, 48, 3 * channels], seed: grid ? 53 : 54)
        let x = wide.channels(channels..<(2 * channels))
        let axis: SpatialMixAxis = grid ? .grid(height: 8, width: 8) : .block(height: 8, width: 8)
        let w = weights(channels: channels, mixed: 64, biases: biases, seed: 55)
        let before = libraryProjectionCount.load(ordering: .relaxed)
        let fused = ThinDense.$routing.withValue(.library) { Tensor.gmlpLayer(x, axis: axis, weights: w) }
        // The library projection really ran (other tests can only add to the count).
        #expect(libraryProjectionCount.load(ordering: .relaxed) > before, "the library projection was not taken")
        let expected = ThinDense.$routing.withValue(.library) { twoOperations(x, axis: axis, w) }
        let got = try #require(fused, "the fused layer declined \(channels) channels")
        expectClose(got, expected, rtol: 2e-5, atol: 2e-5)
    }

    /// A cross-gating block's gating weights: each mix with its half of `in_project` (the grid mix plain, the block
    /// mix with `out_project` over both mixes inside its scatter, the grid mix its prefix) has the bits of
    /// `in_project` over both halves followed by the two mixes.
    @Test(.enabled(if: ThinDense.enabled, "the kernel is off in this process"),
          arguments: [(8, true), (12, true), (24, false), (32, true), (64, false)])
    func projectedMixesHaveTheBitsOfTheSeparateOperations(channels c: Int, biases: Bool) {
        let x = pseudoRandom([2, 48, 48, c], seed: 70)
        let grid = SpatialMixAxis.grid(height: 8, width: 8), block = SpatialMixAxis.block(height: 8, width: 8)
        let whole = weights(channels: c, mixed: 64, biases: biases, seed: 71).inProjection
        let gridKernel = pseudoRandom([64, 64], seed: 72), gridBias = biases ? pseudoRandom([64], seed: 73) : nil
        let blockKernel = pseudoRandom([64, 64], seed: 74), blockBias = biases ? pseudoRandom([64], seed: 75) : nil
        let outKernel = pseudoRandom([2 * c, c], seed: 76), outBias = biases ? pseudoRandom([c], seed: 77) : nil
        func fused() -> (Tensor, Tensor)? {
            guard let u = Tensor.projectedMix(x.allChannels, axis: grid, inProjection: whole.outputs(0..<c),
                                              spatialKernel: gridKernel, spatialBias: gridBias),
                  let out = Tensor.projectedMix(x.allChannels, axis: block, inProjection: whole.outputs(c..<(2 * c)),
                                                spatialKernel: blockKernel, spatialBias: blockBias,
                                                projection: SpatialMixProjection(kernel: outKernel, bias: outBias,
                                                                                 prefix: u.allChannels))
            else { return nil }
            return (u, out)
        }
        guard let (u, out) = ThinDense.$routing.withValue(.kernel, operation: fused) else {
            Issue.record("the fused mixes declined \(c) channels")
            return
        }
        let (expectedU, expected) = ThinDense.$routing.withValue(.kernel) {
            let y = Tensor.dense([x.allChannels], kernel: whole.kernel, bias: whole.bias,
                                 normalization: whole.normalization, activation: .gelu)
            let expectedU = y.spatialMix(channels: 0..<c, axis: grid, kernel: gridKernel, bias: gridBias)
            return (expectedU, y.spatialMix(channels: c..<(2 * c), axis: block, kernel: blockKernel, bias: blockBias,
                                            projection: SpatialMixProjection(kernel: outKernel, bias: outBias,
                                                                             prefix: expectedU.allChannels)))
        }
        let sameU = u.scalars == expectedU.scalars, same = out.scalars == expected.scalars
        #expect(sameU, "the grid mix differs")
        #expect(same, "the block mix with its projection differs")
    }

    /// Widths past the thin kernels, and a process or task without them, take the two operations instead.
    @Test func declinesWhereTheThinKernelsDoNot() {
        let x = pseudoRandom([1, 8, 8, 80], seed: 60)
        let axis = SpatialMixAxis.block(height: 4, width: 4)
        #expect(Tensor.gmlpLayer(x.channels(0..<80), axis: axis, weights: weights(channels: 80, mixed: 16,
                                                                                   biases: true, seed: 61)) == nil)
        let narrow = weights(channels: 8, mixed: 16, biases: true, seed: 62)
        let bypassed = ThinDense.$bypassed.withValue(true) {
            Tensor.gmlpLayer(x.channels(0..<8), axis: axis, weights: narrow)
        }
        #expect(bypassed == nil)
    }
}

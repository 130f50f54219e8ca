import Testing
@testable import Tensor

/// `spatialMix` against the reference's literal recipe: block, swap axes, Dense, swap back, unblock.
@Suite struct SpatialMixingTests {
    /// Blocks into `(g, p)`, mixes along g (grid) or p (block) with `K` and `b`, unblocks.
    func reference(_ v: Tensor, grid: Bool, gh: Int, gw: Int, fh: Int, fw: Int, kernel: Tensor, bias: Tensor) -> Tensor {
        let blocked = v.blocked(patchHeight: fh, patchWidth: fw)
        let (g, p, c) = (gh * gw, fh * fw, v.channels)
        let s = blocked.scalars, k = kernel.scalars, b = bias.scalars
        var out = [Float](repeating: 0, count: s.count)
        for gi in 0..<g {
            for pi in 0..<p {
                for ci in 0..<c {
                    var acc = Double(grid ? b[gi] : b[pi])
                    if grid {
                        for gj in 0..<g { acc += Double(s[(gj * p + pi) * c + ci]) * Double(k[gj * g + gi]) }
                    } else {
                        for pj in 0..<p { acc += Double(s[(gi * p + pj) * c + ci]) * Double(k[pj * p + pi]) }
                    }
                    out[(gi * p + pi) * c + ci] = Float(acc)
                }
            }
        }
        return Tensor(shape: blocked.shape, scalars: out).unblocked(gridHeight: gh, gridWidth: gw, patchHeight: fh, patchWidth: fw)
    }

    @Test(arguments: [true, false])
    func mixesAlongGridOrBlockLikeTheBlockedReference(grid: Bool) {
        let x = pseudoRandom([1, 8, 12, 6], seed: grid ? 1 : 2)
        let (gh, gw, fh, fw) = grid ? (2, 3, 4, 4) : (2, 2, 4, 6)
        let n = grid ? gh * gw : fh * fw
        let k = pseudoRandom([n, n], seed: 3), b = pseudoRandom([n], seed: 4)
        let axis: SpatialMixAxis = grid ? .grid(height: gh, width: gw) : .block(height: fh, width: fw)
        let mixed = x.spatialMix(channels: 3..<6, axis: axis, kernel: k, bias: b)
        let expected = reference(x.channelSlice(3..<6), grid: grid, gh: gh, gw: gw, fh: fh, fw: fw, kernel: k, bias: b)
        expectClose(mixed, expected, rtol: 1e-5, atol: 1e-5)
    }

    @Test func gatingUnitMultipliesUByMixedNormalisedVPlusOne() {
        let x = pseudoRandom([1, 4, 4, 4], seed: 8)
        let k = pseudoRandom([4, 4], seed: 9), b = pseudoRandom([4], seed: 10)
        let ln = LayerNormParameters(scale: pseudoRandom([2], seed: 11), bias: pseudoRandom([2], seed: 12))
        let axis = SpatialMixAxis.grid(height: 2, width: 2)
        let gated = x.spatialMix(channels: 2..<4, axis: axis, kernel: k, bias: b, normalization: ln, gate: 0..<2)
        let (u, v) = x.splitChannelsInHalf()
        let mixed = v.layerNorm(ln).spatialMix(channels: 0..<2, axis: axis, kernel: k, bias: b)
        let expected = zip(u.scalars, mixed.scalars).map { $0 * ($1 + 1) }
        expectClose(gated, expected, rtol: 1e-5, atol: 1e-6)
    }

    /// The vector gather (AVX-512 or AVX2, with its LayerNorm) and scatter (with the gate) against the Swift loops, on both axes,
    /// for one-vector (8, 12), two-vector (20) and four-vector (64) channel slices of a wider tensor, and 80
    /// channels (past what the gather holds in registers: Swift gather, vector scatter): the same bits without the
    /// LayerNorm, the same values to float rounding with it (its sums run in another order).
    @Test(.enabled(if: ThinDense.enabled, "the kernel is off in this process"),
          arguments: [(true, 12), (false, 12), (true, 20), (false, 20), (true, 64), (false, 80), (true, 8), (false, 8)])
    func vectorGatherAndScatterAgreeWithTheSwiftLoops(grid: Bool, channels: Int) {
        let x = pseudoRandom([2, 16, 24, 2 * channels], seed: grid ? 20 : 21)
        let axis: SpatialMixAxis = grid ? .grid(height: 4, width: 4) : .block(height: 4, width: 4)
        let k = pseudoRandom([16, 16], seed: 22), b = pseudoRandom([16], seed: 23)
        let ln = LayerNormParameters(scale: pseudoRandom([channels], seed: 24), bias: pseudoRandom([channels], seed: 25))
        let v = channels..<(2 * channels), u = 0..<channels
        func mixes() -> [Tensor] {
            [x.spatialMix(channels: v, axis: axis, kernel: k, bias: b),
             x.spatialMix(channels: v, axis: axis, kernel: k, bias: nil, gate: u),
             x.spatialMix(channels: v, axis: axis, kernel: k, bias: b, normalization: ln, gate: u)]
        }
        let kernel = mixes(), swift = ThinDense.$bypassed.withValue(true) { mixes() }
        let sameMix = kernel[0].scalars == swift[0].scalars, sameGated = kernel[1].scalars == swift[1].scalars
        #expect(sameMix, "the mix without LayerNorm differs")
        #expect(sameGated, "the gated mix without LayerNorm differs")
        expectClose(kernel[2], swift[2], rtol: 2e-6, atol: 2e-6)
    }

    /// A gMLP layer's `out_project` applied inside the scatter gives what the mix followed by the dense layer gives:
    /// the same bits where both run on the thin kernel (same sums in the same order), float rounding against the
    /// library path; the residual a channel slice of a wider tensor, as the MAB hands over its halves. The scatter
    /// projects four pixels at a time: 12×24 images with 3×3 blocks (9 pixels) or a 4×4 grid (cells of 18) leave
    /// partial groups. 80 channels do not fit the fused scatter and take the two passes; 8 channels take its
    /// variant with constant counts.
    @Test(arguments: [(true, 12, 16), (false, 12, 16), (true, 20, 16), (false, 24, 16), (true, 48, 16), (false, 80, 16),
                      (true, 12, 12), (false, 12, 12), (false, 40, 12), (true, 8, 16), (false, 8, 16), (true, 8, 12),
                      (false, 8, 12)])
    func projectionInsideTheScatterMatchesMixThenDense(grid: Bool, channels: Int, height: Int) {
        let width = 24
        let x = pseudoRandom([2, height, width, 2 * channels], seed: grid ? 30 : 31)
        let residual = pseudoRandom([2, height, width, 3 * channels], seed: 32).channels(channels..<(2 * channels))
        let side = height == 16 ? 4 : (grid ? 4 : 3)
        let axis: SpatialMixAxis = grid ? .grid(height: side, width: side) : .block(height: side, width: side)
        let mixed = side * side
        let k = pseudoRandom([mixed, mixed], seed: 33), b = pseudoRandom([mixed], seed: 34)
        let ln = LayerNormParameters(scale: pseudoRandom([channels], seed: 35), bias: pseudoRandom([channels], seed: 36))
        let outKernel = pseudoRandom([channels, channels], seed: 37), outBias = pseudoRandom([channels], seed: 38)
        let v = channels..<(2 * channels), u = 0..<channels
        func fused() -> Tensor {
            x.spatialMix(channels: v, axis: axis, kernel: k, bias: b, normalization: ln, gate: u,
                         projection: SpatialMixProjection(kernel: outKernel, bias: outBias, residual: residual))
        }
        func twoPasses() -> Tensor {
            let gated = x.spatialMix(channels: v, axis: axis, kernel: k, bias: b, normalization: ln, gate: u)
            return Tensor.dense([gated.allChannels], kernel: outKernel, bias: outBias, residuals: [residual])
        }
        let (got, expected) = ThinDense.$routing.withValue(.kernel) { (fused(), twoPasses()) }
        #expect(got.shape == [2, height, width, channels])
        if ThinDense.enabled {
            let same = got.scalars == expected.scalars
            #expect(same, "the fused scatter differs from the scatter and the thin dense kernel")
        }
        let library = ThinDense.$bypassed.withValue(true) { twoPasses() }
        expectClose(got, library, rtol: 2e-5, atol: 2e-5)
    }

    /// A cross-gating block's `out_project` over both of its mixes, applied inside the second mix's scatter with the
    /// first mix read per pixel (the prefix), gives what the dense layer over both mixed tensors gives: the same bits
    /// on the thin kernel (prefix products, bias, then the row's products — the dense kernel's order for two
    /// inputs), float rounding against the library path. 8 channels take the variant with constant counts.
    @Test(arguments: [(true, 12, 16), (false, 12, 16), (false, 24, 16), (true, 12, 12), (false, 20, 12), (true, 8, 16),
                      (false, 8, 12)])
    func projectionWithAPrefixMatchesTheDenseOverBothMixes(grid: Bool, channels: Int, height: Int) {
        let x = pseudoRandom([2, height, 24, 2 * channels], seed: grid ? 40 : 41)
        let side = height == 16 ? 4 : (grid ? 4 : 3)
        let axis: SpatialMixAxis = grid ? .grid(height: side, width: side) : .block(height: side, width: side)
        let other: SpatialMixAxis = grid ? .block(height: side, width: side) : .grid(height: side, width: side)
        let mixed = side * side
        let k = pseudoRandom([mixed, mixed], seed: 42), b = pseudoRandom([mixed], seed: 43)
        let k2 = pseudoRandom([mixed, mixed], seed: 44), b2 = pseudoRandom([mixed], seed: 45)
        let outKernel = pseudoRandom([2 * channels, channels], seed: 46), outBias = pseudoRandom([channels], seed: 47)
        let first = x.spatialMix(channels: 0..<channels, axis: other, kernel: k2, bias: b2)
        let v = channels..<(2 * channels)
        func fused() -> Tensor {
            x.spatialMix(channels: v, axis: axis, kernel: k, bias: b,
                         projection: SpatialMixProjection(kernel: outKernel, bias: outBias, prefix: first.allChannels))
        }
        func twoPasses() -> Tensor {
            let second = x.spatialMix(channels: v, axis: axis, kernel: k, bias: b)
            return Tensor.dense([first, second], kernel: outKernel, bias: outBias)
        }
        let (got, expected) = ThinDense.$routing.withValue(.kernel) { (fused(), twoPasses()) }
        #expect(got.shape == [2, height, 24, channels])
        if ThinDense.enabled {
            let same = got.scalars == expected.scalars
            #expect(same, "the fused scatter differs from the scatter and the thin dense kernel")
        }
        let library = ThinDense.$bypassed.withValue(true) { twoPasses() }
        expectClose(got, library, rtol: 2e-5, atol: 2e-5)
    }
}

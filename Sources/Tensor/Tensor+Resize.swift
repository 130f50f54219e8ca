import CVectorKernels
import Synchronization

/// One output sample of a separable resize: `out[o] = Σ weights[t] · in[first + t]`.
struct ResampleTap {
    var first: Int
    var weights: [Float]
}

/// `jax.image.resize` weights for one axis (`scale_and_translate` with a triangle kernel):
/// half-pixel centres `c(o) = (o + 0.5)/s − 0.5`, kernel widened by `1/s` only when downsampling
/// (antialias, jax's default), taps outside the input dropped and the rest renormalised. Computed
/// in float32 like the reference. Gives e.g. ×2 up `[.25, .75]`, /2 down `[1, 3, 3, 1]/8`.
func bilinearTaps(input: Int, output: Int) -> [ResampleTap] {
    let scale = Float(output) / Float(input)
    let invScale = 1 / scale
    let kernelScale = max(invScale, 1)
    var taps: [ResampleTap] = []
    taps.reserveCapacity(output)
    for o in 0..<output {
        let centre = (Float(o) + 0.5) * invScale - 0.5
        let lo = max(0, Int((centre - kernelScale).rounded(.down)))
        let hi = min(input - 1, Int((centre + kernelScale).rounded(.up)))
        var weights: [Float] = []
        var total: Float = 0
        for i in lo...hi {
            let wgt = max(0, 1 - abs(centre - Float(i)) / kernelScale)
            weights.append(wgt)
            total += wgt
        }
        if abs(total) > 1000 * Float.ulpOfOne {
            weights = weights.map { $0 / total }
        } else {
            weights = weights.map { _ in 0 }
        }
        taps.append(ResampleTap(first: lo, weights: weights))
    }
    return taps
}

/// One axis's taps as flat tables for the inner loops of both passes (no per-sample arrays), owned here so the
/// loops and the vector row pass read them through pointers: output `o` reads `count[o]` inputs from `first[o]` on
/// with weights `weights[o·stride ..< o·stride + count[o]]`. Zero weights at a tap's ends are left out (the triangle
/// kernel has none inside), so the sums add the same products in the same order as a loop skipping zero weights.
final class FlatTaps: @unchecked Sendable {  // immutable after init
    let first: UnsafeMutablePointer<Int>, count: UnsafeMutablePointer<Int>, weights: UnsafeMutablePointer<Float>
    let stride: Int

    init(_ taps: [ResampleTap]) {
        stride = max(1, taps.map(\.weights.count).max() ?? 1)
        first = .allocate(capacity: max(1, taps.count))
        count = .allocate(capacity: max(1, taps.count))
        weights = .allocate(capacity: max(1, taps.count) * stride)
        weights.initialize(repeating: 0, count: max(1, taps.count) * stride)
        for (o, tap) in taps.enumerated() {
            let nonZero = tap.weights.indices.filter { tap.weights[$0] != 0 }
            let lo = nonZero.first ?? 0, hi = nonZero.last ?? -1
            (first + o).initialize(to: tap.first + lo)
            (count + o).initialize(to: hi - lo + 1)
            if hi >= lo { for t in lo...hi { weights[o * stride + t - lo] = tap.weights[t] } }
        }
    }

    deinit {
        first.deallocate()
        count.deallocate()
        weights.deallocate()
    }

    /// The tables of `bilinearTaps(input:output:)`, built once per size pair: a model resizes between the same few
    /// sizes on every tile, and building them (an array per output sample) took ~1 % of a small model's tile. At
    /// most 64 pairs are kept (tiles come in a few sizes; the cache starts over past that).
    static func bilinear(input: Int, output: Int) -> FlatTaps {
        let key = SIMD2(input, output)
        if let taps = cache.withLock({ $0[key] }) { return taps }
        let taps = FlatTaps(bilinearTaps(input: input, output: output))
        cache.withLock { cache in
            if cache.count >= 64 { cache.removeAll() }
            cache[key] = taps
        }
        return taps
    }

    private static let cache = Mutex<[SIMD2<Int>: FlatTaps]>([:])
}

extension Tensor {
    /// `jax.image.resize(method="nearest")`: `out[o] = in[floor((o + 0.5)·n_in/n_out)]`, so a
    /// downscale by 2 takes the ODD rows and columns (1, 3, 5, …), by 4 rows 2, 6, 10, ….
    public func resizedNearest(height oh: Int, width ow: Int) -> Tensor {
        let (n, h, w, c) = nhwc
        return OpProfiler.measure(.layout, #function) {
            let out = Tensor(uninitializedShape: [n, oh, ow, c])
            let rowsIdx = (0..<oh).map { min(h - 1, ((2 * $0 + 1) * h) / (2 * oh)) }
            let colsIdx = (0..<ow).map { min(w - 1, ((2 * $0 + 1) * w) / (2 * ow)) }
            for b in 0..<n {
                for y in 0..<oh {
                    for x in 0..<ow {
                        (out.pointer + ((b * oh + y) * ow + x) * c)
                            .update(from: pointer + ((b * h + rowsIdx[y]) * w + colsIdx[x]) * c, count: c)
                    }
                }
            }
            return out
        }
    }

    /// `jax.image.resize(method="bilinear", antialias=True)` of an NHWC tensor: separable, H first
    /// then W (see `bilinearTaps`). Same size returns `self` unchanged, as the reference skips it.
    public func resizedBilinear(height oh: Int, width ow: Int) -> Tensor {
        let (n, h, w, c) = nhwc
        if oh == h, ow == w { return self }
        return OpProfiler.measure(.layout, "resizeBilinear \(h)×\(w)→\(oh)×\(ow) × \(c) ch") {
            let rows = FlatTaps.bilinear(input: h, output: oh)
            let columns = FlatTaps.bilinear(input: w, output: ow)
            let out = Tensor(uninitializedShape: [n, oh, ow, c])
            let src = pointer, dst = out.pointer
            let rowLen = w * c
            let (first, count, weights, tapStride) = (columns.first, columns.count, columns.weights, columns.stride)
            // Rows in chunks of eight, one scratch row per chunk: a scratch allocation per row cost as much as the
            // arithmetic (the heap's fill byte, `ReproducibleHeap`, makes every malloc and free a memset).
            let rowsPerChunk = 8, chunksPerImage = (oh + rowsPerChunk - 1) / rowsPerChunk
            ComputeThreads.forEach(chunks: n * chunksPerImage) { job in
                let b = job / chunksPerImage, y0 = (job % chunksPerImage) * rowsPerChunk
                let tmp = allocateScratch(rowLen)
                defer { freeScratch(tmp) }
                for y in y0..<min(oh, y0 + rowsPerChunk) { resizeRow(b, y, tmp) }
            }
            /// Vertical pass for output row y of image b into `tmp`, then horizontal pass.
            func resizeRow(_ b: Int, _ y: Int, _ tmp: UnsafeMutablePointer<Float>) {
                let wy = rows.weights + y * rows.stride
                let orow = dst + (b * oh + y) * ow * c
                if ThinDense.isUsed {
                    mv_resize_column(src + (b * h + rows.first[y]) * rowLen, rowLen, wy, rows.count[y], rowLen, tmp)
                    mv_resize_row(tmp, Int32(c), Int32(ow), first, count, weights, tapStride, orow)
                    return
                }
                tmp.update(repeating: 0, count: rowLen)
                for t in 0..<rows.count[y] {
                    let s = src + (b * h + rows.first[y] + t) * rowLen, wgt = wy[t]
                    for k in 0..<rowLen { tmp[k] += wgt * s[k] }
                }
                for x in 0..<ow {
                    let d = orow + x * c
                    let taps = count[x]
                    guard taps > 0 else { d.update(repeating: 0, count: c); continue }
                    let wx = weights + x * tapStride
                    // The first tap assigns (0 + w·s is w·s), the rest add in the same order as before.
                    let s0 = tmp + first[x] * c
                    let w0 = wx[0]
                    for k in 0..<c { d[k] = w0 * s0[k] }
                    for t in 1..<taps {
                        let s = s0 + t * c, wgt = wx[t]
                        for k in 0..<c { d[k] += wgt * s[k] }
                    }
                }
            }
            withExtendedLifetime((rows, columns)) {}  // the loops read their tables through pointers
            return out
        }
    }
}

import CVectorKernels
/// LayerNorm over the last axis, flax defaults: epsilon 1e-6 and the one-pass ("fast") variance
/// `max(0, E[x²] − E[x]²)` in float32, as the reference computes it.
public struct LayerNormParameters: Sendable {
    public let scale: Tensor
    public let bias: Tensor
    public let epsilon: Float

    public init(scale: Tensor, bias: Tensor, epsilon: Float = 1e-6) {
        precondition(scale.rank == 1 && bias.shape == scale.shape,
                     "LayerNorm scale \(scale.shape) and bias \(bias.shape) must be equal vectors")
        self.scale = scale
        self.bias = bias
        self.epsilon = epsilon
    }
}

/// Normalises `rows` rows of `channels` values read with stride `stride` from `src` into a dense
/// `[rows, channels]` block at `dst`.
@inline(__always)
func layerNormRows(
    _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, rows: Int, channels: Int, stride: Int,
    _ p: LayerNormParameters
) {
    precondition(p.scale.count == channels, "LayerNorm has \(p.scale.count) channels, input has \(channels)")
    layerNormRows(src, dst, rows: rows, channels: channels, stride: stride, scale: p.scale.pointer,
                  bias: p.bias.pointer, epsilon: p.epsilon)
}

/// Σx and Σx² of a row whose length is a multiple of `V.scalarCount`, in that many independent partial sums.
@inline(__always)
private func partialSums<V: SIMD>(_ x: UnsafePointer<Float>, channels: Int, lanes: V.Type) -> (Float, Float)
where V.Scalar == Float {
    var acc = V(repeating: 0), accSq = V(repeating: 0)
    let raw = UnsafeRawPointer(x)
    var k = 0
    while k < channels {
        let v = raw.loadUnaligned(fromByteOffset: 4 * k, as: V.self)
        acc += v
        accSq += v * v
        k += V.scalarCount
    }
    return (acc.sum(), accSq.sum())
}

/// As above with the parameters as raw pointers, for per-pixel callers (no reference counting).
@inline(__always)
func layerNormRows(
    _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, rows: Int, channels: Int, stride: Int,
    scale: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float
) {
    // Through the vector kernel's LayerNorm: eight rows' statistics in vectors instead of a scalar square root
    // and division per row.
    if channels <= Int(MV_THIN_ROW_MAX_CHANNELS), rows >= 16, ThinDense.isUsed {
        mv_thin_layer_norm(src, dst, rows, Int32(channels), stride, scale, bias, epsilon)
        return
    }
    let inv = 1 / Float(channels)
    let vectorized = channels % 8 == 0
    // Thin rows (12, 20, 36 channels) still split into four independent partial sums: a single running
    // sum is a chain of dependent adds as long as the row.
    let vectorized4 = !vectorized && channels % 4 == 0
    for r in 0..<rows {
        let x = src + r * stride
        let y = dst + r * channels
        var sum: Float = 0
        var sumSq: Float = 0
        if vectorized {
            // Eight partial sums; a different (equally valid) float32 summation order than XLA's.
            (sum, sumSq) = partialSums(x, channels: channels, lanes: SIMD8<Float>.self)
        } else if vectorized4 {
            (sum, sumSq) = partialSums(x, channels: channels, lanes: SIMD4<Float>.self)
        } else {
            for k in 0..<channels {
                let v = x[k]
                sum += v
                sumSq += v * v
            }
        }
        let mean = sum * inv
        let variance = max(0, sumSq * inv - mean * mean)
        let rstd = 1 / (variance + epsilon).squareRoot()
        for k in 0..<channels {
            y[k] = (x[k] - mean) * (rstd * scale[k]) + bias[k]
        }
    }
}

extension Tensor {
    /// LayerNorm over the last axis (see `LayerNormParameters`).
    public func layerNorm(_ parameters: LayerNormParameters) -> Tensor {
        OpProfiler.measure(.elementwise, #function) {
            let out = Tensor(uninitializedShape: shape)
            let c = channels
            let src = pointer
            let dst = out.pointer
            ComputeThreads.forEachRange(total: rows, grain: rowGrain(width: c)) { range in
                layerNormRows(src + range.lowerBound * c, dst + range.lowerBound * c,
                              rows: range.count, channels: c, stride: c, parameters)
            }
            return out
        }
    }
}

import Testing
import Tensor

/// Elementwise `|a − e| ≤ atol + rtol·|e|`; failures are reported at the caller's location.
func expectClose(
    _ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-6, atol: Float = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.shape == expected.shape, "shape", sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    let a = actual.scalars, e = expected.scalars
    for i in 0..<a.count where !(abs(a[i] - e[i]) <= atol + rtol * abs(e[i])) {
        Issue.record("element \(i): \(a[i]) vs expected \(e[i]) (rtol \(rtol), atol \(atol))",
                     sourceLocation: sourceLocation)
        return
    }
}

func expectClose(
    _ actual: Tensor, _ expected: [Float], rtol: Float = 1e-6, atol: Float = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectClose(actual, Tensor(shape: actual.shape, scalars: expected), rtol: rtol, atol: atol,
                sourceLocation: sourceLocation)
}

/// Deterministic pseudo-random values in [-1, 1).
func pseudoRandom(_ shape: [Int], seed: UInt64 = 1) -> Tensor {
    var state = seed &* 0x9E3779B97F4A7C15 | 1
    return Tensor(shape: shape) { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: state) >> 40) / Float(1 << 23)
    }
}

/// Plain triple-loop `[m, k] · [k, n]` as the reference for GEMM-backed kernels.
func naiveMatmul(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
    var c = [Float](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var s: Double = 0
            for t in 0..<k { s += Double(a[i * k + t]) * Double(b[t * n + j]) }
            c[i * n + j] = Float(s)
        }
    }
    return c
}

/// `bias + Σ x · kernel` of a 3×3 'SAME' (zero-padded) convolution of NHWC `x` with the HWIO `kernel`, summed in
/// Float64: the reference for the convolution paths, before their activation and residuals. NHWC `[n, h, w, out]`.
func naiveConv3x3(_ x: Tensor, kernel k: Tensor, bias: Tensor?) -> [Double] {
    let (n, h, w, cin) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]), outputs = k.shape[3]
    let xs = x.scalars, ks = k.scalars, bs = bias?.scalars
    var out = [Double]()
    out.reserveCapacity(n * h * w * outputs)
    for b in 0..<n {
        for y in 0..<h {
            for xx in 0..<w {
                for o in 0..<outputs {
                    var s = Double(bs?[o] ?? 0)
                    for i in 0..<3 {
                        for j in 0..<3 {
                            let (iy, ix) = (y + i - 1, xx + j - 1)
                            guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                            for c in 0..<cin {
                                s += Double(xs[((b * h + iy) * w + ix) * cin + c])
                                    * Double(ks[((i * 3 + j) * cin + c) * outputs + o])
                            }
                        }
                    }
                    out.append(s)
                }
            }
        }
    }
    return out
}

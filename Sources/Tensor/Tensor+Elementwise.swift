extension Tensor {
    /// Applies `body(out, inputs…, range)` over all elements in parallel chunks.
    static func pointwise(
        shape: [Int], _ inputs: [Tensor], _ body: (UnsafeMutablePointer<Float>, [UnsafeMutablePointer<Float>], Range<Int>) -> Void
    ) -> Tensor {
        for x in inputs {
            precondition(x.shape == shape, "Elementwise operands must have equal shapes: \(inputs.map(\.shape))")
        }
        let out = Tensor(uninitializedShape: shape)
        let o = out.pointer
        let ps = inputs.map(\.pointer)
        ComputeThreads.forEachRange(total: out.count, grain: 1 << 16) { range in body(o, ps, range) }
        return out
    }

    public func activated(_ activation: Activation) -> Tensor {
        OpProfiler.measure(.elementwise, #function) {
            Tensor.pointwise(shape: shape, [self]) { o, p, r in
                (o + r.lowerBound).update(from: p[0] + r.lowerBound, count: r.count)
                activation.apply(o + r.lowerBound, count: r.count)
            }
        }
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        OpProfiler.measure(.elementwise, #function) {
            pointwise(shape: a.shape, [a, b]) { o, p, r in
                let x = p[0], y = p[1]
                for i in r { o[i] = x[i] + y[i] }
            }
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        OpProfiler.measure(.elementwise, #function) {
            pointwise(shape: a.shape, [a, b]) { o, p, r in
                let x = p[0], y = p[1]
                for i in r { o[i] = x[i] * y[i] }
            }
        }
    }

    /// `a·b + c` in one pass (SAM's attended features plus residual).
    public static func multiplyAdd(_ a: Tensor, _ b: Tensor, _ c: Tensor) -> Tensor {
        OpProfiler.measure(.elementwise, #function) {
            pointwise(shape: a.shape, [a, b, c]) { o, p, r in
                let x = p[0], y = p[1], z = p[2]
                for i in r { o[i] = x[i] * y[i] + z[i] }
            }
        }
    }

    /// Multiplies every pixel of an NHWC tensor by a per-image channel vector `[n, 1, 1, c]`
    /// (channel attention), then adds `residuals` in order.
    public func scaledChannels(by scale: Tensor, adding residuals: [Tensor] = []) -> Tensor {
        let (n, h, w, c) = nhwc
        precondition(scale.shape == [n, 1, 1, c], "Channel scale must be [\(n), 1, 1, \(c)], got \(scale.shape)")
        for r in residuals { precondition(r.shape == shape, "Residual \(r.shape) must match \(shape)") }
        return OpProfiler.measure(.elementwise, #function) {
            let out = Tensor(uninitializedShape: shape)
            let o = out.pointer, x = pointer, s = scale.pointer, res = residuals.map(\.pointer)
            let pixels = h * w
            // The image's scale vector swept as a repeated pattern (`RowPattern`), the first residual added in the
            // same pass.
            ComputeThreads.forEachRange(total: n * pixels, grain: rowGrain(width: c)) { range in
                var q = range.lowerBound
                while q < range.upperBound {
                    let image = q / pixels
                    let end = min(range.upperBound, (image + 1) * pixels)
                    let start = q * c
                    RowPattern.sweep(repeating: s + image * c, channels: c, total: (end - q) * c) { offset, count, pattern in
                        let (ob, xb) = (o + start + offset, x + start + offset)
                        if let first = res.first {
                            let rb = first + start + offset
                            for i in 0..<count { ob[i] = xb[i] * pattern[i] + rb[i] }
                        } else {
                            for i in 0..<count { ob[i] = xb[i] * pattern[i] }
                        }
                        for r in res.dropFirst() {
                            let rb = r + start + offset
                            for i in 0..<count { ob[i] += rb[i] }
                        }
                    }
                    q = end
                }
            }
            return out
        }
    }

    public func scaledChannels(by scale: Tensor, adding residual: Tensor?) -> Tensor {
        scaledChannels(by: scale, adding: residual.map { [$0] } ?? [])
    }

    /// `V.scalarCount` adjacent columns of `rows` rows summed in row order (a vector of Double sums in registers),
    /// stored to `sums`; `load` reads one row's columns and widens them to Double.
    @inline(__always)
    static func sumColumns<V: SIMD>(
        _ first: UnsafePointer<Float>, stride: Int, rows: Int, into sums: UnsafeMutablePointer<Double>,
        load: (UnsafeRawPointer) -> V
    ) where V.Scalar == Double {
        var sum = V()
        for q in 0..<rows { sum += load(UnsafeRawPointer(first + q * stride)) }
        for j in 0..<V.scalarCount { sums[j] = sum[j] }
    }

    /// Mean over H and W of an NHWC tensor, `[n, 1, 1, c]`. Partial sums in Double over a fixed
    /// number of pixel ranges (so the result does not depend on the thread count).
    public func spatialMean() -> Tensor {
        let (n, h, w, c) = nhwc
        return OpProfiler.measure(.elementwise, #function) {
            let out = Tensor(uninitializedShape: [n, 1, 1, c])
            let pixels = h * w
            let parts = min(32, max(1, pixels / 1024))
            var partial = [Double](repeating: 0, count: n * parts * c)
            let x = pointer
            partial.withUnsafeMutableBufferPointer { acc in
                let accumulator = acc.baseAddress!
                ComputeThreads.forEach(chunks: n * parts) { job in
                    let b = job / parts, part = job % parts
                    let sums = accumulator + job * c
                    let lo = part * pixels / parts, hi = (part + 1) * pixels / parts
                    let first = x + (b * pixels + lo) * c
                    // Eight (then four) channels at a time in vector registers, each channel summed in pixel
                    // order as one at a time would: the same sums, without a load and store of every
                    // channel's sum per pixel (a features-8 288×256 tile's five calls: 0.7–0.8 → 0.4–0.7 ms).
                    var k = 0
                    while k + 8 <= c {
                        Self.sumColumns(first + k, stride: c, rows: hi - lo, into: sums + k) {
                            SIMD8<Double>($0.loadUnaligned(as: SIMD8<Float>.self))
                        }
                        k += 8
                    }
                    while k + 4 <= c {
                        Self.sumColumns(first + k, stride: c, rows: hi - lo, into: sums + k) {
                            SIMD4<Double>($0.loadUnaligned(as: SIMD4<Float>.self))
                        }
                        k += 4
                    }
                    for q in 0..<(hi - lo) {
                        for j in k..<c { sums[j] += Double(first[q * c + j]) }
                    }
                }
            }
            for b in 0..<n {
                for k in 0..<c {
                    var total = 0.0
                    for part in 0..<parts { total += partial[(b * parts + part) * c + k] }
                    out.pointer[b * c + k] = Float(total / Double(pixels))
                }
            }
            return out
        }
    }
}

import CVectorKernels
import Synchronization

extension Tensor {
    /// 2-D cross-correlation of an NHWC tensor with an HWIO kernel `[kh, kw, in, out]`, 'SAME' zero
    /// padding (XLA's split: `before = total / 2`), then `activation(· + bias) + Σ residuals`.
    ///
    /// 1×1 kernels are plain GEMMs. Larger kernels build the im2col matrix one band of output rows
    /// at a time (about 256 KiB), so it stays in L2 and never exists for the whole image.
    public func conv2d(
        kernel: Tensor, bias: Tensor?, stride: Int = 1, activation: Activation = .identity,
        residuals: [Tensor] = []
    ) -> Tensor {
        Tensor.conv2d([self], kernel: kernel, bias: bias, stride: stride, activation: activation, residuals: residuals)
    }

    /// As `conv2d`, with several inputs standing for their channel concatenation (1×1 kernels only).
    public static func conv2d(
        _ inputs: [Tensor], kernel: Tensor, bias: Tensor?, stride: Int = 1, activation: Activation = .identity,
        residuals: [Tensor] = []
    ) -> Tensor {
        precondition(kernel.rank == 4, "conv kernel must be [kh, kw, in, out], got \(kernel.shape)")
        let (kh, kw) = (kernel.shape[0], kernel.shape[1])
        if kh == 1, kw == 1, stride == 1 {
            for x in inputs { _ = x.nhwc }
            return dense(inputs, kernel: kernel.reshaped([kernel.shape[2], kernel.shape[3]]), bias: bias,
                         activation: activation, residuals: residuals)
        }
        precondition(inputs.count == 1, "Only 1×1 convolutions take several inputs")
        return OpProfiler.measure(.gemm, "conv \(kh)×\(kw)/\(stride) \(kernel.shape[2])→\(kernel.shape[3]) "
                                  + "(\(inputs[0].count / kernel.shape[2]) px)") {
            if kh == 3, kw == 3, stride == 1, let slope = activation.narrowConvSlope, residuals.count <= 1,
               ThinDense.isUsed, kernel.shape[2] <= Int(MV_NARROW_CONV_MAX_INPUTS),
               [1, 2, 3, 4, 8].contains(kernel.shape[3]) {
                return inputs[0].convNarrow(kernel: kernel, bias: bias, negativeSlope: slope, residual: residuals.first)
            }
            if kh == 3, kw == 3, stride == 1,
               Winograd.isUsed(inChannels: kernel.shape[2], outChannels: kernel.shape[3], bf16: kernel.bf16Products) {
                return inputs[0].convWinograd(kernel: kernel, bias: bias, activation: activation, residuals: residuals)
            }
            if MatrixBackend.current == .oneDNN, let onednn = OneDNN.shared,
               OneDNN.directConvolutionWins(inChannels: kernel.shape[2], outChannels: kernel.shape[3]),
               let out = inputs[0].convOneDNN(onednn, kernel: kernel, bias: bias, stride: stride,
                                              activation: activation, residuals: residuals) {
                return out
            }
            return inputs[0].convIm2col(kernel: kernel, bias: bias, stride: stride, activation: activation,
                                        residuals: residuals)
        }
    }

    /// A 3×3 convolution to at most four channels (MAXIM's output convolutions, 12 → 3), or to eight (a features-8
    /// model's), with pixels in the vector lanes (`mv_conv3x3_narrow`): oneDNN keeps output channels in the lanes
    /// and ran 12 → 3 at ~28 GFLOP/s (1.5 ms per 256² tile), 8 → 8 at ~70. Bands of 32 output rows, each with its
    /// planar copy of 34 input rows in scratch.
    func convNarrow(kernel: Tensor, bias: Tensor?, negativeSlope: Float, residual: Tensor?) -> Tensor {
        let g = convGeometry(kernel: kernel, bias: bias, stride: 1)
        let (n, h, w, cin, cout) = (g.n, g.h, g.w, g.cin, g.cout)
        let out = Tensor(uninitializedShape: [n, h, w, cout])
        if let residual {
            precondition(residual.shape == out.shape, "conv residual \(residual.shape) must match \(out.shape)")
        }
        OpProfiler.addFlops(2 * n * h * w * 9 * cin * cout)
        let rowsPerBand = 32, bands = (h + rowsPerBand - 1) / rowsPerBand
        let x = pointer, o = out.pointer, k = kernel.pointer, bp = bias?.pointer, rp = residual?.pointer
        ComputeThreads.forEach(chunks: n * bands) { job in
            let b = job / bands, y0 = (job % bands) * rowsPerBand
            let scratch = allocateScratch(mv_conv3x3_narrow_scratch(rowsPerBand, w, Int32(cin)))
            defer { freeScratch(scratch) }
            mv_conv3x3_narrow(x + b * h * w * cin, h, w, Int32(cin), k, bp, Int32(cout), negativeSlope,
                              rp.map { $0 + b * h * w * cout }, y0, min(h, y0 + rowsPerBand), scratch,
                              o + b * h * w * cout)
        }
        return out
    }

    /// oneDNN's direct convolution (no im2col copy; 1.5–6× faster on 3–96 channels, docs/performance.md), one band
    /// of about 256 KiB of output rows per call so the epilogue runs on cache-hot data, as in `convIm2col`. nil
    /// where oneDNN declines a band's shape (the caller then uses im2col).
    func convOneDNN(
        _ onednn: OneDNN, kernel: Tensor, bias: Tensor?, stride: Int, activation: Activation, residuals: [Tensor]
    ) -> Tensor? {
        let g = convGeometry(kernel: kernel, bias: bias, stride: stride)
        let (n, h, w, cin, kh, kw, cout) = (g.n, g.h, g.w, g.cin, g.kh, g.kw, g.cout)
        let (oh, ow, padTop, padLeft, padRight) = (g.oh, g.ow, g.padTop, g.padLeft, g.padRight)
        let rowsPerBand = max(1, min(oh, 65536 / max(ow * cout, 1)))
        let bands = (oh + rowsPerBand - 1) / rowsPerBand
        // Band b computes output rows y0..<y1 from input rows first...last, of which those outside the image are
        // oneDNN's zero padding.
        struct Band {
            let shape: OneDNN.ConvolutionShape
            let firstRow, y0: Int
            let primitive: OneDNN.ConvolutionPrimitive
            let weights: UnsafeMutableRawPointer
        }
        // Every band's primitive and blocked kernel (both cached by `onednn`), before any output is written.
        func band(_ b: Int) -> Band? {
            let y0 = b * rowsPerBand, y1 = min(oh, y0 + rowsPerBand)
            let first = y0 * stride - padTop, last = (y1 - 1) * stride - padTop + kh - 1
            let start = max(0, first), end = min(h - 1, last)
            guard start <= end else { return nil }
            let shape = OneDNN.ConvolutionShape(
                inRows: end - start + 1, width: w, inChannels: cin, outRows: y1 - y0, outWidth: ow, outChannels: cout,
                kernelHeight: kh, kernelWidth: kw, stride: stride, padTop: start - first, padBottom: last - end,
                padLeft: padLeft, padRight: padRight, bf16: kernel.bf16Products)
            guard let primitive = onednn.convolution(shape),
                  let weights = onednn.preparedWeights(primitive, kernel: kernel) else { return nil }
            return Band(shape: shape, firstRow: start, y0: y0, primitive: primitive, weights: weights)
        }
        let plan = (0..<bands).compactMap(band)
        guard plan.count == bands else { return nil }
        let out = Tensor(uninitializedShape: [n, oh, ow, cout])
        for r in residuals { precondition(r.shape == out.shape, "conv residual \(r.shape) must match \(out.shape)") }
        OpProfiler.addFlops(2 * n * oh * ow * kh * kw * cin * cout)
        let x = pointer, o = out.pointer
        let epilogue = Epilogue(bias: bias?.pointer, activation: activation, residuals: residuals.map(\.pointer),
                                channels: cout)
        let failed = Atomic<Bool>(false)
        ComputeThreads.forEach(chunks: n * bands) { job in
            let b = job / bands
            let part = plan[job % bands]
            let rowOffset = (b * oh + part.y0) * ow
            let c = o + rowOffset * cout
            let src = x + (b * h + part.firstRow) * w * cin
            let done: Bool
            if part.shape.bf16 {  // the band's input rows rounded to bf16 (the kernel was, once)
                done = BF16.withRounded(src, columns: part.shape.inRows * w * cin) {
                    onednn.convolve(part.primitive, src: $0, weights: part.weights, dst: c)
                }
            } else {
                done = onednn.convolve(part.primitive, src: src, weights: part.weights, dst: c)
            }
            guard done else {
                failed.store(true, ordering: .relaxed)
                return
            }
            epilogue.apply(c, rows: part.shape.outRows * ow, channels: cout, rowOffset: rowOffset)
        }
        return failed.load(ordering: .relaxed) ? nil : out  // nil: the caller redoes the layer with im2col
    }

    /// Sizes and 'SAME' padding of a convolution of this NHWC tensor, its arguments checked.
    struct ConvGeometry {
        let n, h, w, cin, kh, kw, cout, oh, ow, padTop, padLeft, padRight: Int
    }

    func convGeometry(kernel: Tensor, bias: Tensor?, stride: Int) -> ConvGeometry {
        let (n, h, w, cin) = nhwc
        let (kh, kw, kin, cout) = (kernel.shape[0], kernel.shape[1], kernel.shape[2], kernel.shape[3])
        precondition(kin == cin, "conv kernel \(kernel.shape) expects \(kin) input channels, input has \(cin)")
        precondition(stride >= 1, "conv stride must be positive")
        if let bias { precondition(bias.count == cout, "conv bias \(bias.shape) does not match \(cout) outputs") }
        let (oh, padTop, _) = Tensor.samePadding(size: h, kernel: kh, stride: stride)
        let (ow, padLeft, padRight) = Tensor.samePadding(size: w, kernel: kw, stride: stride)
        return ConvGeometry(n: n, h: h, w: w, cin: cin, kh: kh, kw: kw, cout: cout, oh: oh, ow: ow, padTop: padTop,
                            padLeft: padLeft, padRight: padRight)
    }

    /// 'SAME' output size and padding for one axis, as XLA splits it (the odd pixel after).
    static func samePadding(size: Int, kernel: Int, stride: Int) -> (out: Int, before: Int, after: Int) {
        let out = (size + stride - 1) / stride
        let total = max((out - 1) * stride + kernel - size, 0)
        return (out, total / 2, total - total / 2)
    }

    func convIm2col(kernel: Tensor, bias: Tensor?, stride: Int, activation: Activation, residuals: [Tensor]) -> Tensor {
        let g = convGeometry(kernel: kernel, bias: bias, stride: stride)
        let (n, h, w, cin, kh, kw, cout) = (g.n, g.h, g.w, g.cin, g.kh, g.kw, g.cout)
        let (oh, ow, padTop, padLeft) = (g.oh, g.ow, g.padTop, g.padLeft)
        let out = Tensor(uninitializedShape: [n, oh, ow, cout])
        for r in residuals { precondition(r.shape == out.shape, "conv residual \(r.shape) must match \(out.shape)") }
        let patch = kh * kw * cin
        OpProfiler.addFlops(2 * n * oh * ow * patch * cout)
        let rowsPerBand = max(1, min(oh, 65536 / max(ow * max(patch, cout), 1)))
        let bands = (oh + rowsPerBand - 1) / rowsPerBand
        let x = pointer, o = out.pointer, k = kernel.pointer
        let epilogue = Epilogue(bias: bias?.pointer, activation: activation, residuals: residuals.map(\.pointer),
                                channels: cout)
        ComputeThreads.forEach(chunks: n * bands) { job in
            let b = job / bands
            let y0 = (job % bands) * rowsPerBand
            let y1 = min(oh, y0 + rowsPerBand)
            let m = (y1 - y0) * ow
            let cols = allocateScratch(m * patch)
            defer { freeScratch(cols) }
            let image = x + b * h * w * cin
            var dst = cols
            let run = kw * cin  // one kernel row of taps: contiguous in NHWC unless it crosses a border
            for oy in y0..<y1 {
                for ox in 0..<ow {
                    let ix0 = ox * stride - padLeft
                    for i in 0..<kh {
                        let iy = oy * stride + i - padTop
                        if iy < 0 || iy >= h {
                            for t in 0..<run { dst[t] = 0 }
                        } else if ix0 >= 0, ix0 + kw <= w {
                            let src = image + (iy * w + ix0) * cin
                            for t in 0..<run { dst[t] = src[t] }
                        } else {
                            for j in 0..<kw {
                                let ix = ix0 + j
                                let d = dst + j * cin
                                if ix >= 0, ix < w {
                                    let src = image + (iy * w + ix) * cin
                                    for c in 0..<cin { d[c] = src[c] }
                                } else {
                                    for c in 0..<cin { d[c] = 0 }
                                }
                            }
                        }
                        dst += run
                    }
                }
            }
            let rowOffset = (b * oh + y0) * ow
            let c = o + rowOffset * cout
            sgemm(m: m, n: cout, k: patch, a: cols, lda: patch, b: k, ldb: cout, beta: 0, c: c, ldc: cout)
            epilogue.apply(c, rows: m, channels: cout, rowOffset: rowOffset)
        }
        return out
    }

    /// flax `ConvTranspose` with a 2×2 kernel, stride 2, 'SAME' padding:
    /// `out[2m+r, 2n+c] = x[m, n] · K[1−r, 1−c] + bias` — note the spatial FLIP of the kernel
    /// relative to PyTorch's `ConvTranspose2d`. One product against the four taps side by side (bias included),
    /// band by band in L2, then a scatter into the 2×-sized output.
    public func convTranspose2x2(kernel: Tensor, bias: Tensor?) -> Tensor {
        let (n, h, w, cin) = nhwc
        precondition(kernel.rank == 4 && kernel.shape[0] == 2 && kernel.shape[1] == 2 && kernel.shape[2] == cin,
                     "convTranspose2x2 kernel must be [2, 2, \(cin), out], got \(kernel.shape)")
        let cout = kernel.shape[3]
        if let bias { precondition(bias.count == cout, "convTranspose bias \(bias.shape) does not match \(cout)") }
        return OpProfiler.measure(.gemm, "convTranspose 2×2 \(cin)→\(cout) (\(n * h * w) px)") {
            // taps[ci, (r·2+c)·cout + o] = K[1−r, 1−c, ci, o]
            let taps = Tensor(uninitializedShape: [cin, 4 * cout])
            for r in 0..<2 {
                for c in 0..<2 {
                    let src = kernel.pointer + ((1 - r) * 2 + (1 - c)) * cin * cout
                    for ci in 0..<cin {
                        (taps.pointer + ci * 4 * cout + (r * 2 + c) * cout).update(from: src + ci * cout, count: cout)
                    }
                }
            }
            let out = Tensor(uninitializedShape: [n, 2 * h, 2 * w, cout])
            OpProfiler.addFlops(2 * n * h * w * cin * 4 * cout)
            let x = pointer, o = out.pointer, t = taps.pointer
            // The bias once per tap, added with the products.
            let tapBias = bias.map { b in Tensor(shape: [4 * cout]) { b.pointer[$0 % cout] } }
            let rowsPerBand = max(1, min(h, 65536 / max(w * 4 * cout, 1)))
            let bands = (h + rowsPerBand - 1) / rowsPerBand
            let onKernel = ThinDense.takesLayer(inputWidths: [cin], outputs: 4 * cout)  // once, not per band
            ComputeThreads.forEach(chunks: n * bands) { job in
                let b = job / bands
                let y0 = (job % bands) * rowsPerBand
                let y1 = min(h, y0 + rowsPerBand)
                let m = (y1 - y0) * w
                let scratch = allocateScratch(m * 4 * cout)
                defer { freeScratch(scratch) }
                let band = x + (b * h + y0) * w * cin
                if onKernel, let layer = ThinDense.Layer(
                    inputs: [(UnsafePointer(band), stride: cin, width: cin)], outputs: 4 * cout, normalization: nil,
                    gate: nil, kernel: UnsafePointer(t), bias: tapBias.map { UnsafePointer($0.pointer) },
                    activation: .identity, residuals: [], out: scratch) {
                    layer.compute(rows: 0..<m)
                } else {
                    sgemm(m: m, n: 4 * cout, k: cin, a: band, lda: cin, b: t, ldb: 4 * cout, beta: 0, c: scratch,
                          ldc: 4 * cout)
                    if let tb = tapBias?.pointer {
                        for row in 0..<m {
                            let s = scratch + row * 4 * cout
                            for k in 0..<4 * cout { s[k] += tb[k] }
                        }
                    }
                }
                // Each output row's two taps (c = 0, 1) lie side by side in both the scratch and the output, so a
                // pixel is two copies.
                for y in y0..<y1 {
                    for xx in 0..<w {
                        let src = scratch + ((y - y0) * w + xx) * 4 * cout
                        for r in 0..<2 {
                            (o + ((b * 2 * h + 2 * y + r) * 2 * w + 2 * xx) * cout)
                                .update(from: src + r * 2 * cout, count: 2 * cout)
                        }
                    }
                }
            }
            return out
        }
    }
}

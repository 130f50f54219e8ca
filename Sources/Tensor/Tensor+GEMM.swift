import COpenBLAS

/// Row-major `c = alpha·op(a)·op(b) + beta·c` through OpenBLAS.
@inline(__always)
func sgemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
    cblas_sgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        blasint(m), blasint(n), blasint(k), 1, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
}

/// Rows per chunk so that a chunk's widest row block stays around 256 KiB (L2-resident), which lets
/// the prologue (normalisation) and epilogue (bias, activation, residual) run on cache-hot data.
@inline(__always)
func rowGrain(width: Int, minimum: Int = 32) -> Int {
    max(minimum, min(4096, 65536 / max(width, 1)))
}

extension Tensor {
    /// `activation(concat(inputs, axis: -1) · kernel + bias) + Σ residuals`, over the last axis.
    ///
    /// Several inputs stand for their channel concatenation (the kernel's rows are split between
    /// them), so the concatenation is never materialised. `normalization` applies a LayerNorm to the
    /// (single) input first. Work is chunked by rows so that each step runs on L2-resident data.
    public static func dense(
        _ inputs: [Tensor], kernel: Tensor, bias: Tensor?, normalization: LayerNormParameters? = nil,
        activation: Activation = .identity, residuals: [Tensor] = []
    ) -> Tensor {
        OpProfiler.measure(.gemm) {
            denseKernel(inputs, kernel: kernel, bias: bias, normalization: normalization,
                        activation: activation, residuals: residuals)
        }
    }

    public func dense(
        kernel: Tensor, bias: Tensor?, normalization: LayerNormParameters? = nil,
        activation: Activation = .identity, residuals: [Tensor] = []
    ) -> Tensor {
        Tensor.dense([self], kernel: kernel, bias: bias, normalization: normalization,
                     activation: activation, residuals: residuals)
    }

    static func denseKernel(
        _ inputs: [Tensor], kernel: Tensor, bias: Tensor?, normalization: LayerNormParameters?,
        activation: Activation, residuals: [Tensor]
    ) -> Tensor {
        precondition(!inputs.isEmpty, "dense needs at least one input")
        precondition(kernel.rank == 2, "dense kernel must be [in, out], got \(kernel.shape)")
        let inTotal = inputs.reduce(0) { $0 + $1.channels }
        precondition(kernel.shape[0] == inTotal,
                     "dense kernel \(kernel.shape) does not match \(inTotal) input channels")
        let rows = inputs[0].rows
        let leading = Array(inputs[0].shape.dropLast())
        for x in inputs {
            precondition(Array(x.shape.dropLast()) == leading,
                         "dense inputs must share leading dimensions: \(inputs.map(\.shape))")
        }
        precondition(normalization == nil || inputs.count == 1, "dense normalises a single input only")
        let outC = kernel.shape[1]
        if let bias { precondition(bias.count == outC, "dense bias \(bias.shape) does not match \(outC) outputs") }
        let out = Tensor(uninitializedShape: leading + [outC])
        for r in residuals {
            precondition(r.shape == out.shape, "dense residual \(r.shape) does not match output \(out.shape)")
        }
        OpProfiler.addFlops(2 * rows * inTotal * outC)
        let o = out.pointer
        let w = kernel.pointer
        let epilogue = Epilogue(bias: bias?.pointer, activation: activation, residuals: residuals.map(\.pointer))
        let grain = rowGrain(width: max(inTotal, outC))
        ComputeThreads.forEachRange(total: rows, grain: grain) { range in
            let m = range.count
            let oc = o + range.lowerBound * outC
            var kernelRow = 0
            for (j, x) in inputs.enumerated() {
                let cin = x.channels
                var a = UnsafePointer(x.pointer + range.lowerBound * cin)
                var scratch: UnsafeMutablePointer<Float>?
                if let normalization {
                    let s = allocateScratch(m * cin)
                    layerNormRows(a, s, rows: m, channels: cin, stride: cin, normalization)
                    a = UnsafePointer(s)
                    scratch = s
                }
                sgemm(m: m, n: outC, k: cin, a: a, lda: cin, b: w + kernelRow * outC, ldb: outC,
                      beta: j == 0 ? 0 : 1, c: oc, ldc: outC)
                if let scratch { freeScratch(scratch) }
                kernelRow += cin
            }
            epilogue.apply(oc, rows: m, channels: outC, rowOffset: range.lowerBound)
        }
        return out
    }
}

/// What happens to a GEMM result while it is still in cache: `act(x + bias) + Σ residuals`.
struct Epilogue {
    var bias: UnsafeMutablePointer<Float>?
    var activation: Activation
    var residuals: [UnsafeMutablePointer<Float>]

    /// `rowOffset` locates the chunk inside the residual tensors (same layout as the output).
    @inline(__always)
    func apply(_ c: UnsafeMutablePointer<Float>, rows: Int, channels: Int, rowOffset: Int) {
        let total = rows * channels
        if let bias {
            for r in 0..<rows {
                let row = c + r * channels
                for k in 0..<channels { row[k] += bias[k] }
            }
        }
        activation.apply(c, count: total)
        for res in residuals {
            let rr = res + rowOffset * channels
            for i in 0..<total { c[i] += rr[i] }
        }
    }
}

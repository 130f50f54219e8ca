import COpenBLAS
import Synchronization

/// Row-major `c = op(a)·op(b) + beta·c`, through oneDNN or OpenBLAS as ``MatrixBackend`` routes it.
@inline(__always)
func sgemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
    OpProfiler.timeBLAS {
        if beta == 0 || beta == 1, MatrixBackend.routesToOneDNN(m: m, n: n, k: k), let onednn = OneDNN.shared {
            let shape = OneDNN.MatmulShape(m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc, transA: transA,
                                           transB: transB, accumulate: beta == 1)
            if onednn.multiply(shape, a: a, b: b, c: c) { return }
        }
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), 1, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}

/// `c = a·b + bias`, then tanh-GELU when `gelu`, in one oneDNN kernel (no separate pass over `c`). False where the
/// product is not one oneDNN takes, or its kernels on this CPU do not fuse the two (then nothing was written).
func sgemmAddingBias(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    bias: UnsafePointer<Float>, gelu: Bool, c: UnsafeMutablePointer<Float>, ldc: Int
) -> Bool {
    guard m > 0, n > 0, OneDNN.fusesMatmulPostOps, MatrixBackend.routesToOneDNN(m: m, n: n, k: k),
          let onednn = OneDNN.shared else { return false }
    return OpProfiler.timeBLAS {
        let shape = OneDNN.MatmulShape(m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc, transA: false, transB: false,
                                       accumulate: false, biased: true, gelu: gelu)
        return onednn.multiply(shape, a: a, b: b, c: c, bias: bias)
    }
}

/// `c (+)= round(a)·b (+ bias, then GELU)` in bfloat16 products with fp32 accumulation (``ProductPrecision``):
/// `a` is `m × k` fp32 rows `lda` apart, rounded here into scratch; `b` is a `k × n` bf16 kernel (rows `n` apart);
/// `c` is `m × n` dense. False where oneDNN declines the shape (nothing written; the caller computes in fp32).
func bf16Product(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<UInt16>,
    bias: UnsafePointer<Float>?, gelu: Bool, accumulate: Bool, c: UnsafeMutablePointer<Float>
) -> Bool {
    guard let onednn = OneDNN.shared else { return false }
    let shape = OneDNN.MatmulShape(m: m, n: n, k: k, lda: k, ldb: n, ldc: n, transA: false, transB: false,
                                   accumulate: accumulate, biased: bias != nil, gelu: gelu, bf16: true)
    return OpProfiler.timeBLAS {
        BF16.withRounded(a, rows: m, columns: k, stride: lda) { onednn.multiply(shape, a: $0, b: b, c: c, bias: bias) }
    }
}

/// Rows per chunk so that a chunk's widest row block stays around 256 KiB (L2-resident), which lets
/// the prologue (normalisation) and epilogue (bias, activation, residual) run on cache-hot data.
@inline(__always)
func rowGrain(width: Int, minimum: Int = 32) -> Int {
    max(minimum, min(4096, 65536 / max(width, 1)))
}

/// Channels `channels` of every row of `tensor`, read in place (a strided matrix view), so a
/// layer can work on half of a tensor without copying it out.
public struct ChannelSlice: Sendable {
    public let tensor: Tensor
    public let channels: Range<Int>

    public init(_ tensor: Tensor, channels: Range<Int>) {
        precondition(channels.lowerBound >= 0 && channels.upperBound <= tensor.channels,
                     "Channel range \(channels) outside 0..<\(tensor.channels) of \(tensor.shape)")
        self.tensor = tensor
        self.channels = channels
    }

    var width: Int { channels.count }
    var leadingShape: [Int] { Array(tensor.shape.dropLast()) }
    /// Pointer to channel `channels.lowerBound` of row `row`; rows are `tensor.channels` apart.
    func row(_ row: Int) -> UnsafeMutablePointer<Float> { tensor.pointer + row * tensor.channels + channels.lowerBound }
}

extension Tensor {
    /// A view of channels `range` (no copy), for `dense` inputs and residuals.
    public func channels(_ range: Range<Int>) -> ChannelSlice { ChannelSlice(self, channels: range) }

    var allChannels: ChannelSlice { ChannelSlice(self, channels: 0..<channels) }

    /// `activation(concat(inputs, axis: -1) · kernel + bias) + Σ residuals`, over the last axis.
    ///
    /// Several inputs stand for their channel concatenation (the kernel's rows are split between
    /// them), so the concatenation is never materialised. `normalization` applies a LayerNorm to the
    /// (single) input first; `gate` multiplies it elementwise first (cross-gating). Work is chunked by
    /// rows so that prologue, GEMM and epilogue run on L2-resident data.
    public static func dense(
        _ inputs: [Tensor], kernel: Tensor, bias: Tensor?, normalization: LayerNormParameters? = nil,
        gate: Tensor? = nil, activation: Activation = .identity, residuals: [Tensor] = []
    ) -> Tensor {
        dense(inputs.map(\.allChannels), kernel: kernel, bias: bias, normalization: normalization, gate: gate,
              activation: activation, residuals: residuals.map(\.allChannels))
    }

    public static func dense(
        _ inputs: [ChannelSlice], kernel: Tensor, bias: Tensor?, normalization: LayerNormParameters? = nil,
        gate: Tensor? = nil, activation: Activation = .identity, residuals: [ChannelSlice] = []
    ) -> Tensor {
        OpProfiler.measure(.gemm, denseShape(inputs, kernel: kernel, normalization: normalization, gate: gate,
                                             activation: activation, residuals: residuals.count)) {
            denseKernel(inputs, kernel: kernel, bias: bias, normalization: normalization, gate: gate,
                        activation: activation, residuals: residuals)
        }
    }

    public func dense(
        kernel: Tensor, bias: Tensor?, normalization: LayerNormParameters? = nil, gate: Tensor? = nil,
        activation: Activation = .identity, residuals: [Tensor] = []
    ) -> Tensor {
        Tensor.dense([self], kernel: kernel, bias: bias, normalization: normalization, gate: gate,
                     activation: activation, residuals: residuals)
    }

    /// The profiler's name for a dense layer's shape, e.g. `dense 12→24 LN GELU (65536 rows)`.
    static func denseShape(
        _ inputs: [ChannelSlice], kernel: Tensor, normalization: LayerNormParameters?, gate: Tensor?,
        activation: Activation, residuals: Int
    ) -> String {
        var parts = ["dense \(inputs.map { String($0.width) }.joined(separator: "+"))→\(kernel.shape[1])"]
        if normalization != nil { parts.append("LN") }
        if gate != nil { parts.append("gated") }
        if activation != .identity { parts.append("\(activation)") }
        if residuals > 0 { parts.append("+\(residuals) res") }
        parts.append("(\(inputs[0].leadingShape.reduce(1, *)) rows)")
        return parts.joined(separator: " ")
    }

    static func denseKernel(
        _ inputs: [ChannelSlice], kernel: Tensor, bias: Tensor?, normalization: LayerNormParameters?, gate: Tensor?,
        activation: Activation, residuals: [ChannelSlice]
    ) -> Tensor {
        precondition(!inputs.isEmpty, "dense needs at least one input")
        precondition(kernel.rank == 2, "dense kernel must be [in, out], got \(kernel.shape)")
        let inTotal = inputs.reduce(0) { $0 + $1.width }
        precondition(kernel.shape[0] == inTotal,
                     "dense kernel \(kernel.shape) does not match \(inTotal) input channels")
        let leading = inputs[0].leadingShape
        let rows = leading.reduce(1, *)
        for x in inputs {
            precondition(x.leadingShape == leading,
                         "dense inputs must share leading dimensions: \(inputs.map(\.tensor.shape))")
        }
        precondition((normalization == nil && gate == nil) || inputs.count == 1,
                     "dense normalises or gates a single input only")
        precondition(normalization == nil || gate == nil, "dense either normalises or gates its input")
        if let gate {
            precondition(gate.shape == leading + [inputs[0].width], "dense gate \(gate.shape) does not match its input")
        }
        let outC = kernel.shape[1]
        if let bias { precondition(bias.count == outC, "dense bias \(bias.shape) does not match \(outC) outputs") }
        let out = Tensor(uninitializedShape: leading + [outC])
        for r in residuals {
            precondition(r.leadingShape == leading && r.width == outC,
                         "dense residual \(r.tensor.shape)[\(r.channels)] does not match output \(out.shape)")
        }
        OpProfiler.addFlops(2 * rows * inTotal * outC)
        let o = out.pointer
        let w = kernel.pointer
        let grain = rowGrain(width: max(inTotal, outC))
        if ThinDense.takesLayer(inputWidths: inputs.map(\.width), outputs: outC), let layer = ThinDense.Layer(
            inputs: inputs.map { (UnsafePointer($0.row(0)), stride: $0.tensor.channels, width: $0.width) },
            outputs: outC, normalization: normalization, gate: gate.map { UnsafePointer($0.pointer) }, kernel: w,
            bias: bias.map { UnsafePointer($0.pointer) }, activation: activation,
            residuals: residuals.map { (UnsafePointer($0.row(0)), stride: $0.tensor.channels) }, out: o) {
            ComputeThreads.forEachRange(total: rows, grain: grain) { layer.compute(rows: $0) }
            return out
        }
        let layer = LibraryDense(
            inputs: inputs.map { (UnsafePointer($0.row(0)), stride: $0.tensor.channels, width: $0.width) }, outputs: outC,
            kernel: kernel, bias: bias.map { UnsafePointer($0.pointer) }, normalization: normalization,
            gate: gate.map { UnsafePointer($0.pointer) }, activation: activation,
            residuals: residuals.map { ($0.row(0), $0.tensor.channels) }, out: o)
        ComputeThreads.forEachRange(total: rows, grain: grain) { layer.compute(rows: $0) }
        return out
    }
}

/// Chunks of fused mixes projected on the library path so far (tests check that the path was really taken).
let libraryProjectionCount = Atomic<Int>(0)

/// A dense layer on the library path, set up once; `compute` runs any range of its rows (a chunk per call): the
/// LayerNorm or gate into scratch, the product (oneDNN or OpenBLAS; bf16 where the kernel has a bf16 copy), then bias,
/// activation and residuals inside oneDNN's kernel where it fuses them, else in the engine's epilogue. Pointers are
/// at row 0; `gate` is `[rows, width]` of the single input.
struct LibraryDense {
    let inputs: [(UnsafePointer<Float>, stride: Int, width: Int)]
    let outputs: Int
    let kernel: UnsafePointer<Float>
    let bf16Kernel: UnsafePointer<UInt16>?
    let bias: UnsafePointer<Float>?
    let normalization: LayerNormParameters?
    let gate: UnsafePointer<Float>?
    let activation: Activation
    /// One input with a bias and no activation or GELU: oneDNN adds the bias and applies GELU inside the product
    /// (where its kernels fuse them), so only residuals are left for the epilogue (`residualsOnly`).
    let fusable: Bool
    let epilogue, residualsOnly: Epilogue
    let out: UnsafeMutablePointer<Float>

    init(inputs: [(UnsafePointer<Float>, stride: Int, width: Int)], outputs: Int, kernel: Tensor,
         bias: UnsafePointer<Float>?, normalization: LayerNormParameters?, gate: UnsafePointer<Float>?,
         activation: Activation, residuals: [(UnsafeMutablePointer<Float>, Int)], out: UnsafeMutablePointer<Float>) {
        (self.inputs, self.outputs, self.kernel, self.bias) = (inputs, outputs, UnsafePointer(kernel.pointer), bias)
        (self.normalization, self.gate, self.activation, self.out) = (normalization, gate, activation, out)
        // Looked up once per layer, not per chunk (the copy sits behind the storage's lock).
        bf16Kernel = kernel.bf16Products ? kernel.bf16Copy : nil
        fusable = inputs.count == 1 && bias != nil && (activation == .identity || activation == .gelu)
        epilogue = Epilogue(bias: bias.map { UnsafeMutablePointer(mutating: $0) }, activation: activation,
                            residuals: residuals)
        residualsOnly = Epilogue(bias: nil, activation: .identity, residuals: residuals)
    }

    func compute(rows range: Range<Int>) {
        let m = range.count, outC = outputs
        let oc = out + range.lowerBound * outC
        var kernelRow = 0
        var fused = false
        for (j, (row0, stride, cin)) in inputs.enumerated() {
            var a = row0 + range.lowerBound * stride
            var lda = stride
            var scratch: UnsafeMutablePointer<Float>?
            if let normalization {
                let s = allocateScratch(m * cin)
                layerNormRows(a, s, rows: m, channels: cin, stride: stride, normalization)
                (a, lda, scratch) = (UnsafePointer(s), cin, s)
            } else if let gate {
                let s = allocateScratch(m * cin)
                let g = gate + range.lowerBound * cin
                for r in 0..<m {
                    let src = a + r * stride, gr = g + r * cin, dst = s + r * cin
                    for k in 0..<cin { dst[k] = src[k] * gr[k] }
                }
                (a, lda, scratch) = (UnsafePointer(s), cin, s)
            }
            if let bf16Kernel, bf16Product(
                m: m, n: outC, k: cin, a: a, lda: lda, b: bf16Kernel + kernelRow * outC,
                bias: fusable ? bias : nil, gelu: fusable && activation == .gelu, accumulate: j > 0, c: oc) {
                fused = fusable
            } else if fusable, sgemmAddingBias(m: m, n: outC, k: cin, a: a, lda: lda, b: kernel + kernelRow * outC,
                                               ldb: outC, bias: bias!, gelu: activation == .gelu, c: oc, ldc: outC) {
                fused = true
            } else {
                sgemm(m: m, n: outC, k: cin, a: a, lda: lda, b: kernel + kernelRow * outC, ldb: outC,
                      beta: j == 0 ? 0 : 1, c: oc, ldc: outC)
            }
            if let scratch { freeScratch(scratch) }
            kernelRow += cin
        }
        (fused ? residualsOnly : epilogue).apply(oc, rows: m, channels: outC, rowOffset: range.lowerBound)
    }
}

/// What happens to a GEMM result while it is still in cache: `act(x + bias) + Σ residuals`.
struct Epilogue {
    var bias: UnsafeMutablePointer<Float>?
    var activation: Activation
    /// Row 0 of each residual and its row stride (residuals may be channel slices).
    var residuals: [(UnsafeMutablePointer<Float>, Int)]

    init(bias: UnsafeMutablePointer<Float>?, activation: Activation, residuals: [(UnsafeMutablePointer<Float>, Int)]) {
        self.bias = bias
        self.activation = activation
        self.residuals = residuals
    }

    init(bias: UnsafeMutablePointer<Float>?, activation: Activation, residuals: [UnsafeMutablePointer<Float>], channels: Int) {
        self.init(bias: bias, activation: activation, residuals: residuals.map { ($0, channels) })
    }

    /// `rowOffset` locates the chunk inside the residual tensors.
    @inline(__always)
    func apply(_ c: UnsafeMutablePointer<Float>, rows: Int, channels: Int, rowOffset: Int) {
        let total = rows * channels
        if let bias {
            // Bias and activation in one pass over the (cache-hot) chunk, in the stride of the repeated bias.
            RowPattern.sweep(repeating: bias, channels: channels, total: total) { offset, count, pattern in
                activation.applyAddingBias(c + offset, pattern, count: count)
            }
        } else {
            activation.apply(c, count: total)
        }
        for (res, stride) in residuals {
            if stride == channels {
                let rr = res + rowOffset * channels
                for i in 0..<total { c[i] += rr[i] }
            } else {
                for r in 0..<rows {
                    let row = c + r * channels, rr = res + (rowOffset + r) * stride
                    for k in 0..<channels { row[k] += rr[k] }
                }
            }
        }
    }
}

import CVectorKernels
/// Which pixels a gMLP spatial Dense mixes (see MAXIM-SEMANTICS "Blocking").
public enum SpatialMixAxis: Sendable, Equatable {
    /// Grid gMLP: a FIXED grid `gh × gw`; mixes the `gh·gw` pixels that share an in-patch offset
    /// (global, dilated mixing). Kernel `[gh·gw, gh·gw]`.
    case grid(height: Int, width: Int)
    /// Block gMLP: FIXED blocks `fh × fw`; mixes the `fh·fw` pixels inside one block (local window).
    /// Kernel `[fh·fw, fh·fw]`.
    case block(height: Int, width: Int)

    /// Patch size `(fh, fw)` for an image of `h × w`.
    func patch(height h: Int, width w: Int) -> (fh: Int, fw: Int) {
        switch self {
        case .grid(let gh, let gw):
            precondition(h % gh == 0 && w % gw == 0, "Image \(h)×\(w) is not divisible by grid \(gh)×\(gw)")
            return (h / gh, w / gw)
        case .block(let fh, let fw):
            precondition(h % fh == 0 && w % fw == 0, "Image \(h)×\(w) is not divisible by block \(fh)×\(fw)")
            return (fh, fw)
        }
    }

    var isGrid: Bool { if case .grid = self { true } else { false } }
}

/// The Dense after a spatial mix, `out = concat(prefix, mixed) · kernel + bias + residual`: a gMLP layer's
/// `out_project` with the layer's residual, or a cross-gating block's `out_project` over both of its mixes (the
/// first mix the prefix). Where the thin kernel runs it is applied inside the mix's scatter, pixel by pixel, so the
/// mixed tensor is never written out and read back by a separate dense pass.
public struct SpatialMixProjection: Sendable {
    public let kernel: Tensor
    public let bias: Tensor?
    public let prefix: ChannelSlice?
    public let residual: ChannelSlice?

    public init(kernel: Tensor, bias: Tensor?, prefix: ChannelSlice? = nil, residual: ChannelSlice? = nil) {
        self.kernel = kernel
        self.bias = bias
        self.prefix = prefix
        self.residual = residual
    }

    var outputs: Int { kernel.shape[1] }

    /// Preconditions: the kernel takes the prefix and `mixedChannels`, prefix and residual are per pixel of a
    /// `leadingShape` image, the residual as wide as the outputs.
    func checkShapes(mixedChannels: Int, leadingShape: [Int]) {
        let prefixWidth = prefix?.width ?? 0
        precondition(kernel.shape.count == 2 && kernel.shape[0] == prefixWidth + mixedChannels,
                     "Projection kernel \(kernel.shape) does not take \(prefixWidth) + \(mixedChannels) channels")
        if let prefix {
            precondition(prefix.leadingShape == leadingShape, "Projection prefix does not match \(leadingShape)")
        }
        if let residual {
            precondition(residual.leadingShape == leadingShape && residual.width == outputs,
                         "Projection residual does not match \(leadingShape + [outputs])")
        }
    }

    /// Whether the vector scatter applies it: the scatter holds a row and the packed kernel in registers and on
    /// the stack.
    func fitsScatter(mixedChannels: Int) -> Bool {
        let limit = Int(MV_THIN_ROW_MAX_CHANNELS)
        return mixedChannels <= limit && outputs <= limit && (prefix?.width ?? 0) <= limit
    }
}

extension Tensor {
    /// The spatial Dense of the gMLP layers, without materialising the blocked layout.
    ///
    /// Reads channels `source` of an NHWC tensor, optionally LayerNorms them per pixel, mixes them
    /// along `axis` with `v'[mix′] = Σ_mix v[mix] · K[mix, mix′] + b[mix′]`, and writes either `v'`
    /// or, with `gate`, `u · (v' + 1)` where `u` is channels `gate` (the gating unit). Work is split
    /// by the non-mixed index: each chunk gathers a `[mixed, chunk·C]` matrix, runs one GEMM and
    /// scatters the result, all in L2. With `projection`, returns `projection` applied to that result.
    public func spatialMix(
        channels source: Range<Int>, axis: SpatialMixAxis, kernel: Tensor, bias: Tensor?,
        normalization: LayerNormParameters? = nil, gate: Range<Int>? = nil, projection: SpatialMixProjection? = nil
    ) -> Tensor {
        let (n, h, w, c) = nhwc
        if let projection {
            projection.checkShapes(mixedChannels: source.count, leadingShape: [n, h, w])
            if !(ThinDense.isUsed && projection.fitsScatter(mixedChannels: source.count)) {
                let mixed = spatialMix(channels: source, axis: axis, kernel: kernel, bias: bias,
                                       normalization: normalization, gate: gate)
                return Tensor.dense((projection.prefix.map { [$0] } ?? []) + [mixed.allChannels],
                                    kernel: projection.kernel, bias: projection.bias,
                                    residuals: projection.residual.map { [$0] } ?? [])
            }
        }
        precondition(source.lowerBound >= 0 && source.upperBound <= c, "Channels \(source) outside 0..<\(c)")
        if let gate {
            precondition(gate.count == source.count && gate.upperBound <= c, "Gate channels \(gate) do not match \(source)")
        }
        let layout = SpatialMixLayout(height: h, width: w, axis: axis, channels: source.count)
        let mixCount = layout.mixCount, otherCount = layout.otherCount
        precondition(kernel.shape == [mixCount, mixCount],
                     "Spatial kernel must be [\(mixCount), \(mixCount)] for \(h)×\(w) and \(axis), got \(kernel.shape)")
        if let bias { precondition(bias.count == mixCount, "Spatial bias \(bias.shape) does not match \(mixCount)") }
        let k = source.count
        let outputs = projection?.kernel.shape[1] ?? k
        return OpProfiler.measure(.gemm, "spatialMix \(axis.isGrid ? "grid" : "block") \(mixCount)² × \(k) ch"
                                  + (normalization == nil ? "" : " LN")
                                  + (projection.map(Self.projectionShape) ?? "") + " (\(n * h * w) px)") {
            let out = Tensor(uninitializedShape: [n, h, w, outputs])
            let projectedInputs = projection == nil ? 0 : (projection?.prefix?.width ?? 0) + k
            OpProfiler.addFlops(2 * n * mixCount * mixCount * otherCount * k
                                + 2 * n * h * w * projectedInputs * outputs)
            let chunks = layout.chunks
            let x = pointer, o = out.pointer, kp = kernel.pointer, bp = bias?.pointer
            let bf16Kernel = kernel.bf16Products ? kernel.bf16Copy : nil  // once, not per chunk
            if let normalization {
                precondition(normalization.scale.count == k, "Spatial LayerNorm has \(normalization.scale.count) channels, not \(k)")
            }
            let lnScale = normalization.map { UnsafePointer($0.scale.pointer) }
            let lnBias = normalization.map { UnsafePointer($0.bias.pointer) }
            let lnEpsilon = normalization?.epsilon ?? 0
            let mixOffsets = layout.mixOffsets, otherOffsets = layout.otherOffsets
            // The vector gather holds a row in registers: up to MV_THIN_ROW_MAX_CHANNELS (the official models' widest
            // gMLP halves take the Swift loop).
            let vectorGather = ThinDense.isUsed && k <= Int(MV_THIN_ROW_MAX_CHANNELS)
            ComputeThreads.forEach(chunks: n * chunks) { job in
                let b = job / chunks
                let others = layout.others(ofChunk: job % chunks), o0 = others.lowerBound, o1 = others.upperBound
                let cols = (o1 - o0) * k
                let gatheredV = allocateScratch(mixCount * cols)
                let mixed = allocateScratch(mixCount * cols)
                defer { freeScratch(gatheredV); freeScratch(mixed) }
                let image = x + b * h * w * c
                let otherSlice = otherOffsets + o0
                if vectorGather {  // masked vector copies, the LayerNorm on the rows in registers
                    mv_spatial_gather(image + source.lowerBound, c, mixOffsets, Int32(mixCount), otherSlice,
                                      Int32(o1 - o0), Int32(k), gatheredV, lnScale, lnBias, lnEpsilon)
                } else {
                    for mix in 0..<mixCount {
                        let mixOffset = mixOffsets[mix]
                        for other in o0..<o1 {
                            let src = image + (mixOffset + otherOffsets[other]) * c + source.lowerBound
                            let dst = gatheredV + mix * cols + (other - o0) * k
                            dst.update(from: src, count: k)
                        }
                    }
                    // The gathered block is a dense [pixels, k] matrix: normalised in place, all rows at once.
                    if let lnScale, let lnBias {
                        layerNormRows(gatheredV, gatheredV, rows: mixCount * (o1 - o0), channels: k, stride: k,
                                      scale: lnScale, bias: lnBias, epsilon: lnEpsilon)
                    }
                }
                Self.mix(gatheredV, mixCount: mixCount, cols: cols, kernel: kp, bf16Kernel: bf16Kernel, into: mixed)
                let outImage = o + b * h * w * outputs
                if let projection {  // only where the thin kernel runs (above)
                    /// Image b's pixel 0 of a slice, and its pixel stride.
                    func rows(_ slice: ChannelSlice?) -> (UnsafePointer<Float>?, Int) {
                        guard let slice else { return (nil, 0) }
                        let c = slice.tensor.channels
                        return (UnsafePointer(slice.tensor.pointer + b * h * w * c + slice.channels.lowerBound), c)
                    }
                    let (residual, residualStride) = rows(projection.residual)
                    let (prefix, prefixStride) = rows(projection.prefix)
                    var fused = mv_scatter_projection(
                        n: Int32(outputs), kernel: projection.kernel.pointer, bias: projection.bias?.pointer,
                        residual: residual, residual_stride: residualStride, prefix: prefix,
                        prefix_stride: prefixStride, prefix_width: Int32(projection.prefix?.width ?? 0),
                        inputs_by_row: 0)
                    mv_spatial_scatter(mixed, mixOffsets, Int32(mixCount), otherSlice, Int32(o1 - o0), Int32(k), bp,
                                       gate.map { image + $0.lowerBound }, c, &fused, outImage)
                    return
                }
                if ThinDense.isUsed {
                    mv_spatial_scatter(mixed, mixOffsets, Int32(mixCount), otherSlice, Int32(o1 - o0), Int32(k), bp,
                                       gate.map { image + $0.lowerBound }, c, nil, outImage)
                    return
                }
                for mix in 0..<mixCount {
                    let bv = bp?[mix] ?? 0
                    let mixOffset = mixOffsets[mix]
                    for other in o0..<o1 {
                        let q = mixOffset + otherOffsets[other]
                        let m = mixed + mix * cols + (other - o0) * k
                        let dst = outImage + q * k
                        if let gate {
                            let u = image + q * c + gate.lowerBound
                            for i in 0..<k { dst[i] = u[i] * ((m[i] + bv) + 1) }
                        } else {
                            for i in 0..<k { dst[i] = m[i] + bv }
                        }
                    }
                }
            }
            return out
        }
    }

    /// `mixed = kernelᵀ · gathered` for a chunk's `[mixCount, cols]` rows: in bfloat16 where the kernel's copy is
    /// given and oneDNN takes it, else in fp32.
    static func mix(_ gathered: UnsafePointer<Float>, mixCount: Int, cols: Int, kernel: UnsafePointer<Float>,
                    bf16Kernel: UnsafePointer<UInt16>?, into mixed: UnsafeMutablePointer<Float>) {
        if let bf16Kernel, mixBF16(bf16Kernel, mixCount: mixCount, gathered: gathered, cols: cols, into: mixed) {
            return
        }
        sgemm(transA: true, m: mixCount, n: cols, k: mixCount, a: kernel, lda: mixCount, b: gathered, ldb: cols,
              beta: 0, c: mixed, ldc: cols)
    }

    /// `mixed = kernelᵀ · gathered` (`kernel`: the bf16 copy) with `gathered` rounded to bfloat16 (fp32
    /// accumulation); false where oneDNN declines.
    private static func mixBF16(_ kernel: UnsafePointer<UInt16>, mixCount: Int, gathered: UnsafePointer<Float>,
                                cols: Int, into mixed: UnsafeMutablePointer<Float>) -> Bool {
        guard let onednn = OneDNN.shared else { return false }
        let shape = OneDNN.MatmulShape(m: mixCount, n: cols, k: mixCount, lda: mixCount, ldb: cols, ldc: cols,
                                       transA: true, transB: false, accumulate: false, bf16: true)
        return OpProfiler.timeBLAS {
            BF16.withRounded(gathered, columns: mixCount * cols) { onednn.multiply(shape, a: kernel, b: $0, c: mixed) }
        }
    }

    /// The profiler's name for a projection, e.g. ` → dense 12+12→12` or ` → dense 12→12 +res`.
    static func projectionShape(_ projection: SpatialMixProjection) -> String {
        let inputs = [projection.prefix?.width, projection.kernel.shape[0] - (projection.prefix?.width ?? 0)]
        return " → dense " + inputs.compactMap { $0.map(String.init) }.joined(separator: "+")
            + "→\(projection.kernel.shape[1])" + (projection.residual == nil ? "" : " +res")
    }
}

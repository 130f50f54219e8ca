import CVectorKernels

/// `GELU(LN(x) · kernel + bias)`: the dense layer that opens a gMLP layer (`in_project`) and, split in its two
/// halves of outputs, a cross-gating block's gating weights; the fused mixes below run it on each chunk's rows.
public struct MixInProjection: Sendable {
    public let normalization: LayerNormParameters
    public let kernel: Tensor
    public let bias: Tensor?

    public init(normalization: LayerNormParameters, kernel: Tensor, bias: Tensor?) {
        self.normalization = normalization
        self.kernel = kernel
        self.bias = bias
    }

    /// The same layer restricted to outputs `range` (a contiguous copy of those kernel columns): each output's sums
    /// do not depend on the others, so the restricted layer computes the same bits for them.
    public func outputs(_ range: Range<Int>) -> MixInProjection {
        MixInProjection(normalization: normalization, kernel: kernel.channelSlice(range),
                        bias: bias?.channelSlice(range))
    }

    /// The layer split into its two halves of outputs (a cross-gating block's: one per mix, `projectedMix`), where
    /// each half is whole vectors of the thin kernel (16 floats); nil otherwise. Split, a narrower layer recomputes
    /// its LayerNorm per half and fills half-empty vectors (8 channels: 8 of 16 lanes): measured slower than the
    /// unfused mixes (720p `denoise` +2–4 %, `deblur`'s 12 channels no gain), while 32 channels gain at large tiles.
    public var vectorHalves: (first: MixInProjection, second: MixInProjection)? {
        let half = outputs / 2
        guard outputs == 2 * half, half % 16 == 0 else { return nil }
        return (self.outputs(0..<half), self.outputs(half..<outputs))
    }

    var inputs: Int { kernel.shape[0] }
    var outputs: Int { kernel.shape[1] }
}

/// A gMLP layer's weights (`GridGmlpLayer`, `BlockGmlpLayer`): `x + Dense_C(u · (spatialDense(LN(v)) + 1))` with
/// `u, v = split(gelu(Dense_2C(LN(x))))`.
public struct GmlpWeights: Sendable {
    public let inProjection: MixInProjection
    public let gateNorm: LayerNormParameters
    public let spatialKernel: Tensor
    public let spatialBias: Tensor?
    public let outKernel: Tensor
    public let outBias: Tensor?

    public init(inProjection: MixInProjection, gateNorm: LayerNormParameters, spatialKernel: Tensor,
                spatialBias: Tensor?, outKernel: Tensor, outBias: Tensor?) {
        self.inProjection = inProjection
        self.gateNorm = gateNorm
        self.spatialKernel = spatialKernel
        self.spatialBias = spatialBias
        self.outKernel = outKernel
        self.outBias = outBias
    }
}

/// Spatial mixes fused with the dense layer before them (and, through the scatter, the one after), chunk by chunk.
///
/// Run as separate operations, a gMLP layer's `in_project` writes a `[pixels, 2C]` tensor that the mix reads back,
/// and the mix's scatter reads the gate half and the residual from the image again; where a level's tensors outgrow
/// the caches (S-3 at 512²: 64–128 MiB each), each of those passes runs at main memory's speed. Here each chunk
/// (the pixels one GEMM mixes) is gathered from the layer's input once; the dense layer, the mix and what follows
/// run on its cache-resident rows, and one scatter writes the output. Every row's sums run as in the separate
/// operations' kernels, so the results have the same bits. nil where the thin kernels do not take the widths (the
/// callers then run the separate operations).
extension Tensor {
    /// A whole gMLP layer.
    public static func gmlpLayer(_ x: ChannelSlice, axis: SpatialMixAxis, weights w: GmlpWeights) -> Tensor? {
        let c = x.width, hidden = w.inProjection.outputs, half = hidden / 2
        guard hidden == 2 * half, w.outKernel.shape == [half, c], half <= Int(MV_THIN_ROW_MAX_CHANNELS),
              let fused = FusedMix(x, axis: axis, inProjection: w.inProjection, mixedChannels: half,
                                   spatialKernel: w.spatialKernel)
        else { return nil }
        let spatialBias = w.spatialBias.map { UnsafePointer($0.pointer) }
        let gateScale = UnsafePointer(w.gateNorm.scale.pointer), gateShift = UnsafePointer(w.gateNorm.bias.pointer)
        let name = "gmlp \(fused.axisName) \(fused.layout.mixCount)² × \(half) ch, dense \(c)→\(hidden)→\(c)"
        return fused.run(name: name, outputs: c, projectedFlops: 2 * half * c) { chunk in
            // v = LN(second half), already in the mix's [mixCount, others · half] order.
            let normalised = allocateScratch(chunk.rows * half), mixed = allocateScratch(chunk.rows * half)
            defer { freeScratch(normalised); freeScratch(mixed) }
            mv_thin_layer_norm(chunk.projected + half, normalised, chunk.rows, Int32(half), hidden, gateScale,
                               gateShift, w.gateNorm.epsilon)
            fused.mix(normalised, chunk: chunk, into: mixed)
            // u · (mixed + bias + 1), out_project and the residual, scattered to the output: the gate and the
            // residual are the chunk's own rows, read in the mixed rows' order.
            var projection = mv_scatter_projection(
                n: Int32(c), kernel: w.outKernel.pointer, bias: w.outBias?.pointer, residual: chunk.gathered,
                residual_stride: c, prefix: nil, prefix_stride: 0, prefix_width: 0, inputs_by_row: 1)
            fused.scatter(mixed, chunk: chunk, bias: spatialBias, gate: chunk.projected, gateStride: hidden,
                          projection: &projection)
        }
    }

    /// `spatialDense(GELU(LN(x) · kernel + bias))` along `axis` (plus its bias), then, with `projection`, the dense
    /// layer after it: a cross-gating block's gating weights, one half of `in_project`'s outputs per mix (the
    /// projection's prefix, the other mix, read per pixel).
    public static func projectedMix(
        _ x: ChannelSlice, axis: SpatialMixAxis, inProjection: MixInProjection, spatialKernel: Tensor,
        spatialBias: Tensor?, projection: SpatialMixProjection? = nil
    ) -> Tensor? {
        let k = inProjection.outputs
        if let projection {
            projection.checkShapes(mixedChannels: k, leadingShape: x.leadingShape)
            // A residual would be read per row (the scatter's `inputs_by_row`), where this one is per pixel.
            guard projection.residual == nil, projection.fitsScatter(mixedChannels: k) else { return nil }
        }
        guard k <= Int(MV_THIN_ROW_MAX_CHANNELS),
              let fused = FusedMix(x, axis: axis, inProjection: inProjection, mixedChannels: k,
                                   spatialKernel: spatialKernel)
        else { return nil }
        let outputs = projection?.outputs ?? k
        let bias = spatialBias.map { UnsafePointer($0.pointer) }
        let name = "projected mix \(fused.axisName) \(fused.layout.mixCount)² × \(k) ch, dense \(x.width)→\(k)"
            + (projection.map(Self.projectionShape) ?? "")
        return fused.run(name: name, outputs: outputs, projectedFlops: projection.map { 2 * $0.kernel.count } ?? 0) {
            chunk in
            let mixed = allocateScratch(chunk.rows * k)
            defer { freeScratch(mixed) }
            fused.mix(chunk.projected, chunk: chunk, into: mixed)
            guard let projection else {
                fused.scatter(mixed, chunk: chunk, bias: bias, gate: nil, gateStride: 0, projection: nil)
                return
            }
            let prefix = projection.prefix.map { UnsafePointer($0.row(chunk.image * fused.pixels)) }
            var fusedProjection = mv_scatter_projection(
                n: Int32(outputs), kernel: projection.kernel.pointer, bias: projection.bias?.pointer, residual: nil,
                residual_stride: 0, prefix: prefix, prefix_stride: projection.prefix?.tensor.channels ?? 0,
                prefix_width: Int32(projection.prefix?.width ?? 0), inputs_by_row: 1)
            fused.scatter(mixed, chunk: chunk, bias: bias, gate: nil, gateStride: 0, projection: &fusedProjection)
        }
    }
}

/// One fused mix's set-up: the input, the dense layer run on each chunk's gathered rows, the chunks.
private struct FusedMix {
    let x: ChannelSlice
    let inProjection: MixInProjection
    let layout: SpatialMixLayout
    /// Channels of each mixed row (the kernel mixes `mixCount` rows of them).
    let mixedChannels: Int
    let spatialKernel: Tensor
    let bf16Kernel: UnsafePointer<UInt16>?
    /// Pixels per image.
    let pixels: Int
    let axisName: String

    /// One chunk's rows: the input's pixels gathered (`[rows, C]`, mix-major) and the dense layer's outputs for
    /// them (`[rows, inProjection.outputs]`).
    struct Chunk {
        let image: Int
        let others: Range<Int>
        let rows: Int
        let gathered: UnsafeMutablePointer<Float>
        let projected: UnsafeMutablePointer<Float>
        let out: UnsafeMutablePointer<Float>
    }

    init?(_ x: ChannelSlice, axis: SpatialMixAxis, inProjection: MixInProjection, mixedChannels: Int,
          spatialKernel: Tensor) {
        // The gather holds a row in registers, and the thin kernel must take the dense layer.
        let c = x.width
        guard ThinDense.isUsed, x.tensor.rank == 4, inProjection.inputs == c, c <= Int(MV_THIN_ROW_MAX_CHANNELS),
              ThinDense.Layer.takes(inputs: 1, channels: c, outputs: inProjection.outputs, prologue: true,
                                    activation: .gelu, residuals: 0) else { return nil }
        let (_, h, w, _) = x.tensor.nhwc
        layout = SpatialMixLayout(height: h, width: w, axis: axis, channels: mixedChannels)
        precondition(spatialKernel.shape == [layout.mixCount, layout.mixCount],
                     "Spatial kernel must be [\(layout.mixCount), \(layout.mixCount)] for \(h)×\(w) and \(axis), "
                     + "got \(spatialKernel.shape)")
        self.x = x
        self.inProjection = inProjection
        self.mixedChannels = mixedChannels
        self.spatialKernel = spatialKernel
        bf16Kernel = spatialKernel.bf16Products ? spatialKernel.bf16Copy : nil  // once, not per chunk
        pixels = h * w
        axisName = axis.isGrid ? "grid" : "block"
    }

    /// The output `[n, h, w, outputs]` from `body` run on every chunk (on the compute threads), profiled as `name`.
    /// `projectedFlops`: per pixel, of what `body` computes after the mix.
    func run(name: String, outputs: Int, projectedFlops: Int, _ body: (Chunk) -> Void) -> Tensor {
        let c = x.width, hidden = inProjection.outputs, mixCount = layout.mixCount
        let (n, h, w, pixelStride) = x.tensor.nhwc
        return OpProfiler.measure(.gemm, name + " (\(n * pixels) px)") {
            let out = Tensor(uninitializedShape: [n, h, w, outputs])
            OpProfiler.addFlops(n * pixels * (2 * c * hidden + 2 * mixCount * mixedChannels + projectedFlops))
            let norm = inProjection.normalization, bias = inProjection.bias.map { UnsafePointer($0.pointer) }
            // The dense layer on the thin kernel where it beats the library path for these widths (always with
            // AVX-512), else on the library's product: the fusion's gain is the passes over memory it saves.
            let onKernel = ThinDense.takesLayer(inputWidths: [c], outputs: hidden)
            ComputeThreads.forEach(chunks: n * layout.chunks) { job in
                let b = job / layout.chunks, others = layout.others(ofChunk: job % layout.chunks)
                let rows = mixCount * others.count
                let gathered = allocateScratch(rows * c), projected = allocateScratch(rows * hidden)
                defer { freeScratch(gathered); freeScratch(projected) }
                mv_spatial_gather(x.row(b * pixels), pixelStride, layout.mixOffsets, Int32(mixCount),
                                  layout.otherOffsets + others.lowerBound, Int32(others.count), Int32(c), gathered,
                                  nil, nil, 0)
                if onKernel {
                    guard let dense = ThinDense.Layer(
                        inputs: [(UnsafePointer(gathered), stride: c, width: c)], outputs: hidden, normalization: norm,
                        gate: nil, kernel: inProjection.kernel.pointer, bias: bias, activation: .gelu, residuals: [],
                        out: projected)
                    else { preconditionFailure("dense \(c)→\(hidden) outside the thin kernel's limits (init checked)") }
                    dense.compute(rows: 0..<rows)
                } else {
                    libraryProjectionCount.add(1, ordering: .relaxed)
                    LibraryDense(inputs: [(UnsafePointer(gathered), stride: c, width: c)], outputs: hidden,
                                 kernel: inProjection.kernel, bias: bias, normalization: norm, gate: nil,
                                 activation: .gelu, residuals: [], out: projected).compute(rows: 0..<rows)
                }
                body(Chunk(image: b, others: others, rows: rows, gathered: gathered, projected: projected,
                           out: out.pointer + b * pixels * outputs))
            }
            return out
        }
    }

    /// `mixed = spatialKernelᵀ · rows` for a chunk's `[mixCount, others · mixedChannels]` rows.
    func mix(_ rows: UnsafePointer<Float>, chunk: Chunk, into mixed: UnsafeMutablePointer<Float>) {
        Tensor.mix(rows, mixCount: layout.mixCount, cols: chunk.others.count * mixedChannels,
                   kernel: spatialKernel.pointer, bf16Kernel: bf16Kernel, into: mixed)
    }

    /// The mixed rows (plus the mix's bias, gated, projected: `mv_spatial_scatter`) to the chunk's output pixels.
    func scatter(_ mixed: UnsafePointer<Float>, chunk: Chunk, bias: UnsafePointer<Float>?, gate: UnsafePointer<Float>?,
                 gateStride: Int, projection: UnsafePointer<mv_scatter_projection>?) {
        mv_spatial_scatter(mixed, layout.mixOffsets, Int32(layout.mixCount),
                           layout.otherOffsets + chunk.others.lowerBound, Int32(chunk.others.count),
                           Int32(mixedChannels), bias, gate, gateStride, projection, chunk.out)
    }
}

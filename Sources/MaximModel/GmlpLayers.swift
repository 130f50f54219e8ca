import Tensor

/// `GridGmlpLayer` / `BlockGmlpLayer` with their gating unit:
/// `x + Dense_C(GatingUnit(gelu(Dense_2C(LN(x)))))`, where the gating unit splits channels into
/// `u, v` and returns `u · (spatialDense(LN(v)) + 1)` mixing along the grid or inside blocks.
///
/// Everything except the spatial Dense is per pixel, so it runs on the NHWC layout directly; the
/// blocked layout of the reference exists only inside `Tensor.spatialMix`.
struct GmlpLayer: Sendable {
    let axis: SpatialMixAxis
    let norm: LayerNorm
    let inProject: Dense
    let gateNorm: LayerNorm
    let spatial: Dense
    let outProject: Dense
    let path: String

    /// `grid`: mixes across a fixed grid (GridGmlpLayer); otherwise within fixed blocks.
    init(
        _ p: ParameterSource, _ path: String, grid: Bool, size: MaximConfiguration.Size, features: Int,
        factor: Int = 2, useBias: Bool
    ) throws(CheckpointError) {
        let unit = path + (grid ? "/GridGatingUnit" : "/BlockGatingUnit")
        let positions = size.height * size.width
        axis = grid ? .grid(height: size.height, width: size.width) : .block(height: size.height, width: size.width)
        norm = try LayerNorm(p, path + "/LayerNorm", channels: features)
        inProject = try Dense(p, path + "/in_project", input: features, output: features * factor, useBias: useBias)
        gateNorm = try LayerNorm(p, unit + "/intermediate_layernorm", channels: features * factor / 2)
        spatial = try Dense(p, unit + "/Dense_0", input: positions, output: positions, useBias: useBias)
        outProject = try Dense(p, path + "/out_project", input: features * factor / 2, output: features, useBias: useBias)
        self.path = path
    }

    var weights: GmlpWeights {
        GmlpWeights(inProjection: MixInProjection(normalization: norm.parameters, kernel: inProject.kernel,
                                                  bias: inProject.bias),
                    gateNorm: gateNorm.parameters, spatialKernel: spatial.kernel, spatialBias: spatial.bias,
                    outKernel: outProject.kernel, outBias: outProject.bias)
    }

    /// `x` may be a channel slice (the MAB hands over its halves without copying them out).
    func callAsFunction(_ x: ChannelSlice) -> Tensor {
        if ForwardProbe.recorder == nil, let out = Tensor.gmlpLayer(x, axis: axis, weights: weights) {
            ForwardProbe.record(path, out)
            return out
        }
        let y = inProject([x], normalization: norm, activation: .gelu)
        let half = y.channels / 2
        let out: Tensor
        if ForwardProbe.recorder == nil {  // widths past the fused layer's: out_project inside the mix's scatter
            out = y.spatialMix(channels: half..<y.channels, axis: axis, kernel: spatial.kernel, bias: spatial.bias,
                               normalization: gateNorm.parameters, gate: 0..<half,
                               projection: SpatialMixProjection(kernel: outProject.kernel, bias: outProject.bias,
                                                                residual: x))
        } else {  // unfused, so out_project's own output is recorded
            let gated = y.spatialMix(channels: half..<y.channels, axis: axis, kernel: spatial.kernel,
                                     bias: spatial.bias, normalization: gateNorm.parameters, gate: 0..<half)
            out = outProject([gated.channels(0..<gated.channels)], residuals: [x])
        }
        ForwardProbe.record(path, out)
        return out
    }
}

/// `ResidualSplitHeadMultiAxisGmlpLayer` (MAB): `x + Dense_C(concat[Grid(u), Block(v)])` with
/// `u, v = split(gelu(Dense_2C(LN(x))))`.
struct MultiAxisGmlpLayer: Sendable {
    let norm: LayerNorm
    let inProject: Dense
    let gridLayer: GmlpLayer
    let blockLayer: GmlpLayer
    let outProject: Dense
    let path: String

    init(
        _ p: ParameterSource, _ path: String, features: Int, blockSize: MaximConfiguration.Size,
        gridSize: MaximConfiguration.Size, inputProjFactor: Int = 2, useBias: Bool
    ) throws(CheckpointError) {
        let hidden = features * inputProjFactor
        norm = try LayerNorm(p, path + "/LayerNorm_in", channels: features)
        inProject = try Dense(p, path + "/in_project", input: features, output: hidden, useBias: useBias)
        gridLayer = try GmlpLayer(p, path + "/GridGmlpLayer", grid: true, size: gridSize, features: hidden / 2,
                                  useBias: useBias)
        blockLayer = try GmlpLayer(p, path + "/BlockGmlpLayer", grid: false, size: blockSize, features: hidden / 2,
                                   useBias: useBias)
        outProject = try Dense(p, path + "/out_project", input: hidden, output: features, useBias: useBias)
        self.path = path
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let y = inProject(x, normalization: norm, activation: .gelu)
        let half = y.channels / 2
        let out = outProject([gridLayer(y.channels(0..<half)), blockLayer(y.channels(half..<y.channels))], residuals: [x])
        ForwardProbe.record(path, out)
        return out
    }
}

import Tensor

/// `GetSpatialGatingWeights`: `Dense_C(concat[gridDense(u), blockDense(v)])` with
/// `u, v = split(gelu(Dense_2C(LN(x))))`; no gating product inside.
struct SpatialGatingWeights: Sendable {
    let norm: LayerNorm
    let inProject: Dense
    let gridDense: Dense
    let blockDense: Dense
    let outProject: Dense
    let gridAxis: SpatialMixAxis
    let blockAxis: SpatialMixAxis
    /// `in_project`'s halves with their LayerNorm, for the fused mixes (each mixes one half), where they pay
    /// (``MixInProjection/vectorHalves``).
    let projectionHalves: (first: MixInProjection, second: MixInProjection)?
    let path: String

    init(
        _ p: ParameterSource, _ path: String, features: Int, blockSize: MaximConfiguration.Size,
        gridSize: MaximConfiguration.Size, inputProjFactor: Int = 2, useBias: Bool
    ) throws(CheckpointError) {
        let hidden = features * inputProjFactor
        norm = try LayerNorm(p, path + "/LayerNorm_in", channels: features)
        inProject = try Dense(p, path + "/in_project", input: features, output: hidden, useBias: useBias)
        let g = gridSize.height * gridSize.width, b = blockSize.height * blockSize.width
        gridDense = try Dense(p, path + "/Dense_0", input: g, output: g, useBias: useBias)
        blockDense = try Dense(p, path + "/Dense_1", input: b, output: b, useBias: useBias)
        outProject = try Dense(p, path + "/out_project", input: hidden, output: features, useBias: useBias)
        gridAxis = .grid(height: gridSize.height, width: gridSize.width)
        blockAxis = .block(height: blockSize.height, width: blockSize.width)
        projectionHalves = MixInProjection(normalization: norm.parameters, kernel: inProject.kernel,
                                           bias: inProject.bias).vectorHalves
        self.path = path
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        if ForwardProbe.recorder == nil, let out = fused(x) {
            ForwardProbe.record(path, out)
            return out
        }
        let y = inProject(x, normalization: norm, activation: .gelu)
        let half = y.channels / 2
        let u = y.spatialMix(channels: 0..<half, axis: gridAxis, kernel: gridDense.kernel, bias: gridDense.bias)
        let out: Tensor
        if ForwardProbe.recorder == nil {  // out_project inside the second mix's scatter, u read per pixel
            out = y.spatialMix(channels: half..<y.channels, axis: blockAxis, kernel: blockDense.kernel,
                               bias: blockDense.bias,
                               projection: SpatialMixProjection(kernel: outProject.kernel, bias: outProject.bias,
                                                                prefix: u.channels(0..<u.channels)))
        } else {  // unfused, so out_project's own output is recorded
            let v = y.spatialMix(channels: half..<y.channels, axis: blockAxis, kernel: blockDense.kernel,
                                 bias: blockDense.bias)
            out = outProject([u, v])
        }
        ForwardProbe.record(path, out)
        return out
    }

    /// Each mix with its half of `in_project` run on its own chunks (`Tensor.projectedMix`), the second with
    /// `out_project` inside its scatter: `in_project`'s `[pixels, 2C]` output is never written out. nil where the
    /// halves do not pay (`projectionHalves`) or the fused mixes do not take the widths.
    private func fused(_ x: Tensor) -> Tensor? {
        let input = x.channels(0..<x.channels)
        guard let projectionHalves,
              let u = Tensor.projectedMix(input, axis: gridAxis, inProjection: projectionHalves.first,
                                          spatialKernel: gridDense.kernel, spatialBias: gridDense.bias)
        else { return nil }
        return Tensor.projectedMix(input, axis: blockAxis, inProjection: projectionHalves.second,
                                   spatialKernel: blockDense.kernel, spatialBias: blockDense.bias,
                                   projection: SpatialMixProjection(kernel: outProject.kernel, bias: outProject.bias,
                                                                    prefix: u.channels(0..<u.channels)))
    }
}

/// `CrossGatingBlock`: two signals gate each other spatially.
/// `x, y = conv1x1(x), conv1x1(ConvT?(y))`; `x' = gelu(Dense(LN(x)))`, `y'` likewise;
/// `y_out = Dense(y' · G(x')) + y`; `x_out = Dense(x' · G(y')) + y_out + x`.
struct CrossGatingBlock: Sendable {
    let up: ConvTranspose?
    let convX: Conv
    let convY: Conv
    let normX: LayerNorm
    let inProjectX: Dense
    let gatingX: SpatialGatingWeights
    let normY: LayerNorm
    let inProjectY: Dense
    let gatingY: SpatialGatingWeights
    let outProjectY: Dense
    let outProjectX: Dense
    let path: String

    /// `inputChannels`: channels of x (all of its concatenated parts); `upsampleFrom`: channels of
    /// y before the transposed conv, or nil when y is already at x's size with `features` channels.
    init(
        _ p: ParameterSource, _ path: String, level: Int, inputChannels: Int, upsampleFrom: Int?,
        configuration c: MaximConfiguration
    ) throws(CheckpointError) {
        let features = c.channels(level: level)
        up = try upsampleFrom.map { (channels: Int) throws(CheckpointError) -> ConvTranspose in
            try ConvTranspose(p, path + "/ConvTranspose_0", input: channels, output: features, useBias: c.useBias)
        }
        convX = try Conv(p, path + "/Conv_0", size: 1, input: inputChannels, output: features, useBias: c.useBias)
        convY = try Conv(p, path + "/Conv_1", size: 1, input: features, output: features, useBias: c.useBias)
        normX = try LayerNorm(p, path + "/LayerNorm_x", channels: features)
        inProjectX = try Dense(p, path + "/in_project_x", input: features, output: features, useBias: c.useBias)
        gatingX = try SpatialGatingWeights(p, path + "/SplitHeadMultiAxisGating_x", features: features,
                                           blockSize: c.blockSizes[level], gridSize: c.gridSizes[level],
                                           useBias: c.useBias)
        normY = try LayerNorm(p, path + "/LayerNorm_y", channels: features)
        inProjectY = try Dense(p, path + "/in_project_y", input: features, output: features, useBias: c.useBias)
        gatingY = try SpatialGatingWeights(p, path + "/SplitHeadMultiAxisGating_y", features: features,
                                           blockSize: c.blockSizes[level], gridSize: c.gridSizes[level],
                                           useBias: c.useBias)
        outProjectY = try Dense(p, path + "/out_project_y", input: features, output: features, useBias: c.useBias)
        outProjectX = try Dense(p, path + "/out_project_x", input: features, output: features, useBias: c.useBias)
        self.path = path
    }

    /// `x` stands for the channel concatenation of its parts.
    func callAsFunction(_ x: consuming [Tensor], _ y: Tensor) -> (x: Tensor, y: Tensor) {
        let y0 = up.map { $0(y) } ?? y
        let shortcutX = convX(x)
        x = []  // the (wide) multi-scale signal is dead from here on
        let shortcutY = convY(y0)
        precondition(shortcutX.shape == shortcutY.shape,
                     "\(path): x \(shortcutX.shape) and y \(shortcutY.shape) differ")
        let xs = inProjectX(shortcutX, normalization: normX, activation: .gelu)
        let gx = gatingX(xs)
        let ys = inProjectY(shortcutY, normalization: normY, activation: .gelu)
        let gy = gatingY(ys)
        let yOut = outProjectY(ys, gate: gx, residuals: [shortcutY])
        let xOut = outProjectX(xs, gate: gy, residuals: [yOut, shortcutX])
        ForwardProbe.record(path, xOut, element: 0)
        ForwardProbe.record(path, yOut, element: 1)
        return (xOut, yOut)
    }
}

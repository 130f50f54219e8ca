import Tensor

/// flax `nn.Dense`: kernel `[in, out]`, applied over the last axis.
public struct Dense: Sendable {
    public let kernel: Tensor
    public let bias: Tensor?
    let path: String

    init(_ p: ParameterSource, _ path: String, input: Int, output: Int, useBias: Bool) throws(CheckpointError) {
        kernel = try p.take(path + "/kernel", shape: [input, output])
        bias = useBias ? try p.take(path + "/bias", shape: [output]) : nil
        self.path = path
    }

    /// `activation(LN?(concat(inputs)) ⊙ gate? · K + b) + Σ residuals`; inputs and residuals may be
    /// channel slices of wider tensors.
    func callAsFunction(
        _ inputs: [ChannelSlice], normalization: LayerNorm? = nil, gate: Tensor? = nil,
        activation: Activation = .identity, residuals: [ChannelSlice] = []
    ) -> Tensor {
        if ForwardProbe.recorder != nil {
            // Unfused, so every module output the reference records exists on its own.
            var plain = inputs.map { $0.tensor.channelSlice($0.channels) }
            if let normalization { plain = [normalization(plain[0])] }
            if let gate { plain = [plain[0] * gate] }
            let y = Tensor.dense(plain, kernel: kernel, bias: bias)
            ForwardProbe.record(path, y)
            return finish(y, activation: activation, residuals: residuals.map { $0.tensor.channelSlice($0.channels) })
        }
        return Tensor.dense(inputs, kernel: kernel, bias: bias, normalization: normalization?.parameters, gate: gate,
                            activation: activation, residuals: residuals)
    }

    func callAsFunction(
        _ inputs: [Tensor], normalization: LayerNorm? = nil, gate: Tensor? = nil, activation: Activation = .identity,
        residuals: [Tensor] = []
    ) -> Tensor {
        callAsFunction(inputs.map { $0.channels(0..<$0.channels) }, normalization: normalization, gate: gate,
                       activation: activation, residuals: residuals.map { $0.channels(0..<$0.channels) })
    }

    func callAsFunction(
        _ x: Tensor, normalization: LayerNorm? = nil, gate: Tensor? = nil, activation: Activation = .identity,
        residuals: [Tensor] = []
    ) -> Tensor {
        callAsFunction([x], normalization: normalization, gate: gate, activation: activation, residuals: residuals)
    }
}

/// flax `nn.Conv` with 'SAME' padding: kernel `[kh, kw, in, out]` (HWIO), NHWC activations.
public struct Conv: Sendable {
    public let kernel: Tensor
    public let bias: Tensor?
    public let stride: Int
    let path: String

    init(
        _ p: ParameterSource, _ path: String, size: Int, input: Int, output: Int, stride: Int = 1, useBias: Bool
    ) throws(CheckpointError) {
        kernel = try p.take(path + "/kernel", shape: [size, size, input, output])
        bias = useBias ? try p.take(path + "/bias", shape: [output]) : nil
        self.stride = stride
        self.path = path
    }

    func callAsFunction(_ inputs: [Tensor], activation: Activation = .identity, residuals: [Tensor] = []) -> Tensor {
        if ForwardProbe.recorder != nil {
            let y = Tensor.conv2d(inputs, kernel: kernel, bias: bias, stride: stride)
            ForwardProbe.record(path, y)
            return finish(y, activation: activation, residuals: residuals)
        }
        return Tensor.conv2d(inputs, kernel: kernel, bias: bias, stride: stride, activation: activation,
                             residuals: residuals)
    }

    func callAsFunction(_ x: Tensor, activation: Activation = .identity, residuals: [Tensor] = []) -> Tensor {
        callAsFunction([x], activation: activation, residuals: residuals)
    }
}

/// flax `nn.ConvTranspose`, 2×2 stride 2 'SAME' (kernel flip handled by the tensor op).
public struct ConvTranspose: Sendable {
    public let kernel: Tensor
    public let bias: Tensor?
    let path: String

    init(_ p: ParameterSource, _ path: String, input: Int, output: Int, useBias: Bool) throws(CheckpointError) {
        kernel = try p.take(path + "/kernel", shape: [2, 2, input, output])
        bias = useBias ? try p.take(path + "/bias", shape: [output]) : nil
        self.path = path
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let y = x.convTranspose2x2(kernel: kernel, bias: bias)
        ForwardProbe.record(path, y)
        return y
    }
}

/// flax `nn.LayerNorm` over channels (epsilon 1e-6). Usually fused into the following Dense.
public struct LayerNorm: Sendable {
    public let parameters: LayerNormParameters
    let path: String

    init(_ p: ParameterSource, _ path: String, channels: Int) throws(CheckpointError) {
        parameters = LayerNormParameters(
            scale: try p.take(path + "/scale", shape: [channels]),
            bias: try p.take(path + "/bias", shape: [channels]))
        self.path = path
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let y = x.layerNorm(parameters)
        ForwardProbe.record(path, y)
        return y
    }
}

/// The unfused epilogue: `activation(y) + Σ residuals`.
func finish(_ y: Tensor, activation: Activation, residuals: [Tensor]) -> Tensor {
    var out = activation == .identity ? y : y.activated(activation)
    for r in residuals { out = out + r }
    return out
}

import Tensor

/// `CALayer`: squeeze-and-excitation. `x · sigmoid(conv1x1(relu(conv1x1(mean_HW(x)))))`.
struct CALayer: Sendable {
    let squeeze: Conv
    let excite: Conv
    let path: String

    init(_ p: ParameterSource, _ path: String, features: Int, reduction: Int, useBias: Bool) throws(CheckpointError) {
        // `features // reduction` as the reference (6 features, reduction 4: one channel).
        precondition(features >= reduction, "CALayer: \(features) features fewer than the reduction \(reduction)")
        let squeezed = features / reduction
        squeeze = try Conv(p, path + "/Conv_0", size: 1, input: features, output: squeezed, useBias: useBias)
        excite = try Conv(p, path + "/Conv_1", size: 1, input: squeezed, output: features, useBias: useBias)
        self.path = path
    }

    /// `x · attention(x) + Σ residuals` (the residual adds that follow, fused).
    func callAsFunction(_ x: Tensor, adding residuals: [Tensor] = []) -> Tensor {
        let y = excite(squeeze(x.spatialMean(), activation: .relu), activation: .sigmoid)
        if ForwardProbe.recorder != nil { ForwardProbe.record(path, x.scaledChannels(by: y)) }
        return x.scaledChannels(by: y, adding: residuals)
    }
}

/// `RCAB`: `x + CALayer(conv3x3(leaky_relu_0.2(conv3x3(LN(x)))))`.
struct RCAB: Sendable {
    let norm: LayerNorm
    let conv1: Conv
    let conv2: Conv
    let attention: CALayer
    let path: String

    init(_ p: ParameterSource, _ path: String, features: Int, reduction: Int, useBias: Bool) throws(CheckpointError) {
        norm = try LayerNorm(p, path + "/LayerNorm", channels: features)
        conv1 = try Conv(p, path + "/conv1", size: 3, input: features, output: features, useBias: useBias)
        conv2 = try Conv(p, path + "/conv2", size: 3, input: features, output: features, useBias: useBias)
        attention = try CALayer(p, path + "/channel_attention", features: features, reduction: reduction, useBias: useBias)
        self.path = path
    }

    /// `extra` is added after the block's own residual (the encoder's long skip, fused).
    func callAsFunction(_ x: Tensor, alsoAdding extra: Tensor? = nil) -> Tensor {
        let y = conv2(conv1(norm(x), activation: .leakyReLU(0.2)))
        if let extra, ForwardProbe.recorder != nil {
            let out = attention(y, adding: [x])
            ForwardProbe.record(path, out)
            return out + extra
        }
        let out = attention(y, adding: [x] + (extra.map { [$0] } ?? []))
        if extra == nil { ForwardProbe.record(path, out) }
        return out
    }
}

/// `RDCAB`: `x + CALayer(MlpBlock(LN(x)))`, MlpBlock = `Dense(gelu(Dense(·)))`.
struct RDCAB: Sendable {
    let norm: LayerNorm
    let mlpIn: Dense
    let mlpOut: Dense
    let attention: CALayer
    let path: String

    init(_ p: ParameterSource, _ path: String, features: Int, reduction: Int, useBias: Bool) throws(CheckpointError) {
        norm = try LayerNorm(p, path + "/LayerNorm", channels: features)
        mlpIn = try Dense(p, path + "/channel_mixing/Dense_0", input: features, output: features, useBias: useBias)
        mlpOut = try Dense(p, path + "/channel_mixing/Dense_1", input: features, output: features, useBias: useBias)
        attention = try CALayer(p, path + "/channel_attention", features: features, reduction: reduction, useBias: useBias)
        self.path = path
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let y = mlpOut(mlpIn(x, normalization: norm, activation: .gelu))
        let out = attention(y, adding: [x])
        ForwardProbe.record(path, out)
        return out
    }
}

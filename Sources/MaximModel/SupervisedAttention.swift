import Tensor

/// `SAM` (supervised attention module, from MPRNet): returns `(features for the next stage,
/// restored image of this stage)`: `image = conv3x3_3(x) + input`,
/// `features = conv3x3(x) · sigmoid(conv3x3(image)) + x`.
struct SupervisedAttention: Sendable {
    let featureConv: Conv
    let imageConv: Conv
    let attentionConv: Conv
    let path: String

    init(_ p: ParameterSource, _ path: String, features: Int, useBias: Bool) throws(CheckpointError) {
        featureConv = try Conv(p, path + "/Conv_0", size: 3, input: features, output: features, useBias: useBias)
        imageConv = try Conv(p, path + "/Conv_1", size: 3, input: features, output: 3, useBias: useBias)
        attentionConv = try Conv(p, path + "/Conv_2", size: 3, input: 3, output: features, useBias: useBias)
        self.path = path
    }

    func callAsFunction(_ x: Tensor, image input: Tensor) -> (features: Tensor, image: Tensor) {
        let x1 = featureConv(x)
        let image = imageConv(x, residuals: [input])
        let x2 = attentionConv(image, activation: .sigmoid)
        let features = Tensor.multiplyAdd(x1, x2, x)
        ForwardProbe.record(path, features, element: 0)
        ForwardProbe.record(path, image, element: 1)
        return (features, image)
    }
}

/// `UpSampleRatio`: antialiased bilinear resize by `2^exponent`, then conv1x1.
struct UpSampleRatio: Sendable {
    let exponent: Int
    let conv: Conv
    let path: String

    init(_ p: ParameterSource, _ path: String, exponent: Int, input: Int, output: Int, useBias: Bool) throws(CheckpointError) {
        self.exponent = exponent
        conv = try Conv(p, path + "/Conv_0", size: 1, input: input, output: output, useBias: useBias)
        self.path = path
    }

    /// Resize and 1×1 conv commute (both linear, resize weights sum to one), so when upsampling the
    /// conv runs first, at the low resolution: 4–16× fewer FLOPs and no full-size copy of a wide
    /// input. The results differ from the reference order by float32 rounding only.
    func callAsFunction(_ x: Tensor) -> Tensor {
        let (_, h, w, _) = x.nhwc
        let out: Tensor
        if exponent > 0 {
            out = conv(x).resizedBilinear(height: h << exponent, width: w << exponent)
        } else {
            out = conv(x.resizedBilinear(height: h >> -exponent, width: w >> -exponent))
        }
        ForwardProbe.record(path, out)
        return out
    }
}

import Tensor

/// `BottleneckBlock`: `x = conv1x1(x)`; then `num_groups × (MAB, RDCAB)`; plus the long skip.
struct BottleneckBlock: Sendable {
    let inputProjection: Conv
    let groups: [(MultiAxisGmlpLayer, RDCAB)]
    let path: String

    init(_ p: ParameterSource, _ path: String, features: Int, configuration c: MaximConfiguration) throws(CheckpointError) {
        inputProjection = try Conv(p, path + "/input_proj", size: 1, input: features, output: features, useBias: c.useBias)
        var groups: [(MultiAxisGmlpLayer, RDCAB)] = []
        for i in 0..<c.numGroups {
            groups.append((
                try MultiAxisGmlpLayer(p, path + "/SplitHeadMultiAxisGmlpLayer_\(i)", features: features,
                                       blockSize: c.bottleneckBlockSize, gridSize: c.bottleneckGridSize,
                                       useBias: c.useBias),
                try RDCAB(p, path + "/channel_attention_block_1_\(i)", features: features,
                          reduction: c.channelsReduction, useBias: c.useBias)))
        }
        self.groups = groups
        self.path = path
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        let shortcut = inputProjection(input)
        var x = shortcut
        for (mab, rdcab) in groups { x = rdcab(mab(x)) }
        let out = x + shortcut
        ForwardProbe.record(path, out)
        return out
    }
}

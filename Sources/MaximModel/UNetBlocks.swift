import Tensor

/// `UNetEncoderBlock`: `conv1x1(concat[x, skip])`, `num_groups × (MAB, RCAB)`, long skip, then
/// in later stages a cross-gating block with the previous stage's `enc + dec`, and (encoder only)
/// the 4×4 stride-2 downsampling conv. Returns `(downsampled, beforeDownsampling)`.
struct UNetEncoderBlock: Sendable {
    let convIn: Conv
    let groups: [(MultiAxisGmlpLayer?, RCAB)]
    let crossGating: CrossGatingBlock?
    let convDown: Conv?
    let path: String

    init(
        _ p: ParameterSource, _ path: String, level: Int, inputChannels: Int, downsample: Bool, crossGating: Bool,
        configuration c: MaximConfiguration
    ) throws(CheckpointError) {
        let features = c.channels(level: level)
        convIn = try Conv(p, path + "/Conv_0", size: 1, input: inputChannels, output: features, useBias: c.useBias)
        var groups: [(MultiAxisGmlpLayer?, RCAB)] = []
        for i in 0..<c.numGroups {
            let mab = c.useGlobalMLP
                ? try MultiAxisGmlpLayer(p, path + "/SplitHeadMultiAxisGmlpLayer_\(i)", features: features,
                                         blockSize: c.blockSizes[level], gridSize: c.gridSizes[level],
                                         useBias: c.useBias)
                : nil
            groups.append((mab, try RCAB(p, path + "/channel_attention_block_1\(i)", features: features,
                                         reduction: c.channelsReduction, useBias: c.useBias)))
        }
        self.groups = groups
        self.crossGating = crossGating
            ? try CrossGatingBlock(p, path + "/cross_gating_block", level: level, inputChannels: features,
                                   upsampleFrom: nil, configuration: c)
            : nil
        convDown = downsample
            ? try Conv(p, path + "/Conv_1", size: 4, input: features, output: features, stride: 2, useBias: c.useBias)
            : nil
        self.path = path
    }

    /// `inputs` stand for their channel concatenation (`x` then the skip signals).
    func callAsFunction(_ inputs: consuming [Tensor], enc: Tensor? = nil, dec: Tensor? = nil) -> (down: Tensor?, full: Tensor) {
        let shortcut = convIn(inputs)
        inputs = []  // the (wide) skip signals are dead from here on
        var x = shortcut
        for (index, (mab, rcab)) in groups.enumerated() {
            if let mab { x = mab(x) }
            // The long skip `+ shortcut` rides on the last RCAB's residual add.
            x = rcab(x, alsoAdding: index == groups.count - 1 ? shortcut : nil)
        }
        if let crossGating {
            guard let enc, let dec else { preconditionFailure("\(path): cross-gating needs enc and dec") }
            x = crossGating([x], enc + dec).x
        }
        guard let convDown else {
            ForwardProbe.record(path, x)
            return (nil, x)
        }
        let down = convDown(x)
        ForwardProbe.record(path, down, element: 0)
        ForwardProbe.record(path, x, element: 1)
        return (down, x)
    }
}

/// `UNetDecoderBlock`: `ConvTranspose` up, then an encoder block without downsampling whose skip is
/// the bridge signal.
struct UNetDecoderBlock: Sendable {
    let up: ConvTranspose
    let block: UNetEncoderBlock
    let path: String

    init(
        _ p: ParameterSource, _ path: String, level: Int, inputChannels: Int, bridgeChannels: Int,
        configuration c: MaximConfiguration
    ) throws(CheckpointError) {
        let features = c.channels(level: level)
        up = try ConvTranspose(p, path + "/ConvTranspose_0", input: inputChannels, output: features, useBias: c.useBias)
        block = try UNetEncoderBlock(p, path + "/UNetEncoderBlock_0", level: level,
                                     inputChannels: features + bridgeChannels, downsample: false, crossGating: false,
                                     configuration: c)
        self.path = path
    }

    func callAsFunction(_ x: Tensor, bridge: consuming [Tensor]) -> Tensor {
        bridge.insert(up(x), at: 0)
        let out = block(consume bridge).full
        ForwardProbe.record(path, out)
        return out
    }
}

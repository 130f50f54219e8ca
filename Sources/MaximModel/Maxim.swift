import Foundation
import Tensor

/// The MAXIM network: multi-stage, multi-scale UNets of multi-axis gated MLPs
/// (Tu et al., CVPR 2022; reference google-research/maxim `MAXIM`).
///
/// Immutable after loading; `callAsFunction` allocates all its working memory per call, so one
/// instance may run on several threads at once (e.g. tiles of a frame).
public struct Maxim: Sendable {
    public let configuration: MaximConfiguration

    struct Stage: Sendable {
        let inputConvs: [Conv]
        let fuseSAM: [CrossGatingBlock]
        let encoders: [UNetEncoderBlock]
        let bottlenecks: [BottleneckBlock]
        /// Indexed by level; `crossGatingUpsamples[level][j]` resizes encoder bridge `j`.
        let crossGating: [CrossGatingBlock]
        let crossGatingUpsamples: [[UpSampleRatio]]
        /// `decoderUpsamples[level][j]` resizes the j-th cross-gated skip (coarsest first).
        let decoders: [UNetDecoderBlock]
        let decoderUpsamples: [[UpSampleRatio]]
        let sams: [SupervisedAttention]
        let outputConvs: [Conv]
    }

    let stages: [Stage]

    /// Builds the network for `configuration`, taking every weight from `parameters` in the
    /// reference's module naming.
    public init(configuration c: MaximConfiguration, parameters p: ParameterSource) throws(CheckpointError) {
        self.configuration = c
        var upsampleIndex = 0
        func nextUpsample(exponent: Int, input: Int, output: Int) throws(CheckpointError) -> UpSampleRatio {
            defer { upsampleIndex += 1 }
            return try UpSampleRatio(p, "UpSampleRatio_\(upsampleIndex)", exponent: exponent, input: input,
                                     output: output, useBias: c.useBias)
        }
        let depth = c.depth
        let scales = c.numSupervisionScales
        var stages: [Stage] = []
        for s in 0..<c.numStages {
            let name = "stage_\(s)"
            var inputConvs: [Conv] = []
            var fuse: [CrossGatingBlock] = []
            for i in 0..<scales {
                inputConvs.append(try Conv(p, "\(name)_input_conv_\(i)", size: 3, input: 3, output: c.channels(level: i),
                                           useBias: c.useBias))
                if s > 0 {
                    fuse.append(try CrossGatingBlock(p, "\(name)_input_fuse_sam_\(i)", level: i,
                                                     inputChannels: c.channels(level: i), upsampleFrom: nil,
                                                     configuration: c))
                }
            }
            var encoders: [UNetEncoderBlock] = []
            for i in 0..<depth {
                let previous = i == 0 ? c.channels(level: 0) : c.channels(level: i - 1)
                let skip = i < scales ? c.channels(level: i) : 0
                encoders.append(try UNetEncoderBlock(p, "\(name)_encoder_block_\(i)", level: i,
                                                     inputChannels: previous + skip, downsample: true,
                                                     crossGating: s > 0, configuration: c))
            }
            let bottleneckChannels = c.channels(level: depth - 1)
            var bottlenecks: [BottleneckBlock] = []
            for b in 0..<c.numBottleneckBlocks {
                bottlenecks.append(try BottleneckBlock(p, "\(name)_global_block_\(b)", features: bottleneckChannels,
                                                       configuration: c))
            }
            var crossGating = [CrossGatingBlock?](repeating: nil, count: depth)
            var cgUpsamples = [[UpSampleRatio]](repeating: [], count: depth)
            var yChannels = bottleneckChannels
            for i in (0..<depth).reversed() {
                for j in 0..<depth {
                    cgUpsamples[i].append(try nextUpsample(exponent: j - i, input: c.channels(level: j),
                                                           output: c.channels(level: i)))
                }
                crossGating[i] = try CrossGatingBlock(p, "\(name)_cross_gating_block_\(i)", level: i,
                                                      inputChannels: depth * c.channels(level: i),
                                                      upsampleFrom: yChannels, configuration: c)
                yChannels = c.channels(level: i)
            }
            var decoders = [UNetDecoderBlock?](repeating: nil, count: depth)
            var decUpsamples = [[UpSampleRatio]](repeating: [], count: depth)
            var sams = [SupervisedAttention?](repeating: nil, count: depth)
            var outputConvs = [Conv?](repeating: nil, count: depth)
            var xChannels = bottleneckChannels
            for i in (0..<depth).reversed() {
                for j in 0..<depth {
                    let level = depth - 1 - j
                    decUpsamples[i].append(try nextUpsample(exponent: level - i, input: c.channels(level: level),
                                                            output: c.channels(level: i)))
                }
                decoders[i] = try UNetDecoderBlock(p, "\(name)_decoder_block_\(i)", level: i, inputChannels: xChannels,
                                                   bridgeChannels: depth * c.channels(level: i), configuration: c)
                xChannels = c.channels(level: i)
                if i < scales {
                    if s < c.numStages - 1 {
                        sams[i] = try SupervisedAttention(p, "\(name)_supervised_attention_module_\(i)",
                                                          features: c.channels(level: i), useBias: c.useBias)
                    } else {
                        outputConvs[i] = try Conv(p, "\(name)_output_conv_\(i)", size: 3, input: c.channels(level: i),
                                                  output: 3, useBias: c.useBias)
                    }
                }
            }
            stages.append(Stage(
                inputConvs: inputConvs, fuseSAM: fuse, encoders: encoders, bottlenecks: bottlenecks,
                crossGating: crossGating.map { $0! }, crossGatingUpsamples: cgUpsamples,
                decoders: decoders.map { $0! }, decoderUpsamples: decUpsamples,
                sams: sams.compactMap { $0 }, outputConvs: outputConvs.compactMap { $0 }))
        }
        self.stages = stages
    }

    /// All outputs, `outputs[stage][k]` with `k` from coarsest (`H/2^(scales−1)`) to full size,
    /// for an NHWC input of any size: the input is reflect-padded to `sizeMultiple` as the
    /// reference evaluation does, and every output is cropped back (a coarser output of scale
    /// `1/f` at offset `⌊offset/f⌋` with size `⌊H/f⌋ × ⌊W/f⌋`).
    public func callAsFunction(_ input: Tensor) -> [[Tensor]] {
        outputs(input, allScales: true)
    }

    /// The restored image: last stage, full resolution (`outputs[-1][-1]`). The last stage's coarser outputs exist
    /// only for multi-scale supervision in training; nothing else reads them, so they are not computed here.
    public func restore(_ input: Tensor) -> Tensor {
        outputs(input, allScales: false).last!.last!
    }

    /// `callAsFunction`'s outputs; without `allScales` the last stage has only its full-size output.
    func outputs(_ input: Tensor, allScales: Bool) -> [[Tensor]] {
        let (_, h, w, c) = input.nhwc
        precondition(c == 3, "MAXIM expects RGB input (3 channels), got \(c)")
        precondition(h > 0 && w > 0, "MAXIM input must not be empty")
        let multiple = configuration.sizeMultiple
        if h % multiple == 0, w % multiple == 0 { return forward(input, allScales: allScales) }
        let rows = Maxim.paddingIndex(size: h, multiple: multiple)
        let cols = Maxim.paddingIndex(size: w, multiple: multiple)
        let outputs = forward(input.gathered(rows: rows.index, columns: cols.index), allScales: allScales)
        let paddedHeight = rows.index.count
        return outputs.map { stage in
            stage.map { out in
                let shift = (paddedHeight / out.shape[1]).trailingZeroBitCount  // the output's scale is 1/2^shift
                return out.cropped(top: rows.offset >> shift, left: cols.offset >> shift,
                                   height: max(1, h >> shift), width: max(1, w >> shift))
            }
        }
    }

    /// The reference evaluation's padding (`run_eval.py`): an odd size first gets one reflected row
    /// at the end, then the even size is padded symmetrically to the multiple with numpy 'reflect'
    /// (mirror without repeating the edge). The output is cropped at `offset` to the input size.
    static func paddingIndex(size: Int, multiple: Int) -> (index: [Int], offset: Int) {
        let even = size + size % 2
        let target = (even + multiple - 1) / multiple * multiple
        let before = (target - even) / 2
        let index = (0..<target).map { j -> Int in
            let k = reflectIndex(j - before, size: even)
            return k < size ? k : reflectIndex(k, size: size)
        }
        return (index, before)
    }

    /// `allScales: false` leaves out the last stage's coarser outputs (see `restore`).
    func forward(_ x: Tensor, allScales: Bool = true) -> [[Tensor]] {
        let c = configuration
        let (_, h, w, _) = x.nhwc
        precondition(h % c.sizeMultiple == 0 && w % c.sizeMultiple == 0,
                     "forward needs H and W multiples of \(c.sizeMultiple), got \(h)×\(w)")
        let depth = c.depth
        let scales = c.numSupervisionScales
        var shortcuts = [x]
        for i in 1..<scales {
            shortcuts.append(x.resizedNearest(height: h >> i, width: w >> i))
        }
        var outputsAll: [[Tensor]] = []
        var samFeatures: [Tensor] = []
        var encsPrevious: [Tensor] = []
        var decsPrevious: [Tensor] = []
        for (s, stage) in stages.enumerated() {
            var xScales: [Tensor] = []
            for i in 0..<scales {
                var xs = stage.inputConvs[i](shortcuts[i])
                if s > 0 { xs = stage.fuseSAM[i]([xs], samFeatures[i]).x }
                xScales.append(xs)
            }
            // Tensors are dropped as soon as they are dead: at full resolution each one is
            // 100+ MB, and these releases cut the peak memory by about a third.
            samFeatures = []
            var encs: [Tensor] = []
            var current = xScales[0]
            for i in 0..<depth {
                let inputs = i < scales ? [current, xScales[i]] : [current]
                let result = stage.encoders[i](inputs, enc: s > 0 ? encsPrevious[i] : nil,
                                               dec: s > 0 ? decsPrevious[i] : nil)
                current = result.down!
                encs.append(result.full)
            }
            xScales = []
            encsPrevious = []
            decsPrevious = []
            for bottleneck in stage.bottlenecks { current = bottleneck(current) }
            let skips = crossGate(stage, bridges: encs, bottleneck: current)
            let isLast = s == c.numStages - 1
            if isLast { encs = [] }  // only a next stage would need them
            var outputs: [Tensor] = []
            var decs = [Tensor](repeating: current, count: depth)
            var sams = [Tensor](repeating: current, count: scales)
            for i in (0..<depth).reversed() {
                current = stage.decoders[i](
                    current, bridge: skips.enumerated().map { j, skip in stage.decoderUpsamples[i][j](skip) })
                if !isLast { decs[i] = current }
                if i < scales {
                    if !isLast {
                        let (features, image) = stage.sams[i](current, image: shortcuts[i])
                        outputs.append(image)
                        sams[i] = features
                    } else if allScales || i == 0 {
                        let out = stage.outputConvs[i](current, residuals: [shortcuts[i]])
                        outputs.append(out)
                    }
                }
            }
            samFeatures = sams
            encsPrevious = encs
            decsPrevious = decs
            outputsAll.append(outputs)
        }
        if let recorder = ForwardProbe.recorder {
            for (s, outputs) in outputsAll.enumerated() {
                for (k, out) in outputs.enumerated() { recorder("__call__/0/\(s)/\(k)", out) }
            }
        }
        return outputsAll
    }

    /// The cross-gating path, coarsest level first: each level's multi-scale encoder signal gated
    /// with the (upsampled) global feature, which is refined level by level. Returns the skips.
    func crossGate(_ stage: Stage, bridges: [Tensor], bottleneck: Tensor) -> [Tensor] {
        let depth = configuration.depth
        var skips: [Tensor] = []
        var global = bottleneck
        for i in (0..<depth).reversed() {
            let signal = (0..<depth).map { j in stage.crossGatingUpsamples[i][j](bridges[j]) }
            let gated = stage.crossGating[i](signal, global)
            skips.append(gated.x)
            global = gated.y
        }
        return skips
    }
}

// port of maxim/models/maxim.py (google-research/maxim @ 3c82651, Apache-2.0): parameter paths,
// auto-generated module names and the configuration implied by a checkpoint's keys and shapes.
import Foundation
import Tensor

/// Why a checkpoint cannot become a model. Every case names the offending key.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    case archive(NPZError)
    case missingParameter(key: String, expectedShape: [Int])
    case shapeMismatch(key: String, expectedShape: [Int], actualShape: [Int])
    case unusedParameters([String])
    case unsupportedConfiguration(String)

    public var description: String {
        switch self {
        case .archive(let error): "\(error)"
        case .missingParameter(let key, let shape): "missing parameter \(key): expected shape \(shape)"
        case .shapeMismatch(let key, let expected, let actual):
            "parameter \(key): expected shape \(expected), got \(actual)"
        case .unusedParameters(let keys):
            "\(keys.count) unused parameter(s): \(keys.prefix(5).joined(separator: ", "))\(keys.count > 5 ? ", …" : "")"
        case .unsupportedConfiguration(let reason): "unsupported checkpoint: \(reason)"
        }
    }
}

/// Where layers get their weights from: a checkpoint (strict) or a random initialiser (benchmarks).
public protocol ParameterSource: AnyObject {
    /// The array at `key` (flax path without `opt/target/`), which must have `shape`.
    func take(_ key: String, shape: [Int]) throws(CheckpointError) -> Tensor
}

/// Arrays of a checkpoint, consumed strictly: every key must be taken once with the right shape.
public final class CheckpointParameters: ParameterSource {
    /// The official prefix of every key; keys without it are accepted too.
    public static let prefix = "opt/target/"

    private var arrays: [String: Tensor]
    private var used = Set<String>()

    public init(arrays: [String: Tensor]) throws(CheckpointError) {
        var stripped: [String: Tensor] = [:]
        for (key, value) in arrays {
            let k = key.hasPrefix(Self.prefix) ? String(key.dropFirst(Self.prefix.count)) : key
            guard stripped[k] == nil else { throw .archive(.duplicateKey(k)) }
            stripped[k] = value
        }
        self.arrays = stripped
    }

    public convenience init(contentsOf url: URL) throws(CheckpointError) {
        let arrays: [String: Tensor]
        do { arrays = try NPZArchive.read(contentsOf: url) } catch { throw .archive(error) }
        try self.init(arrays: arrays)
    }

    public var keys: [String] { arrays.keys.sorted() }

    func shape(_ key: String) -> [Int]? { arrays[key]?.shape }

    func contains(_ key: String) -> Bool { arrays[key] != nil }

    public func take(_ key: String, shape: [Int]) throws(CheckpointError) -> Tensor {
        guard let array = arrays[key] else { throw .missingParameter(key: key, expectedShape: shape) }
        guard array.shape == shape else {
            throw .shapeMismatch(key: key, expectedShape: shape, actualShape: array.shape)
        }
        used.insert(key)
        return array
    }

    /// Fails if any array was never taken (a misnamed or surplus parameter).
    public func verifyAllUsed() throws(CheckpointError) {
        let unused = arrays.keys.filter { !used.contains($0) }.sorted()
        guard unused.isEmpty else { throw .unusedParameters(unused) }
    }

    public var parameterCount: Int { arrays.values.reduce(0) { $0 + $1.count } }
}

/// Another source's arrays, marked for products in `precision` (``Tensor/forProducts(in:)``): a model built from
/// it runs its products in that precision, while a model built from the same file without it stays fp32.
public final class PrecisionParameters: ParameterSource {
    private let base: any ParameterSource
    private let precision: ProductPrecision

    public init(_ base: any ParameterSource, precision: ProductPrecision) {
        (self.base, self.precision) = (base, precision)
    }

    public func take(_ key: String, shape: [Int]) throws(CheckpointError) -> Tensor {
        try base.take(key, shape: shape).forProducts(in: precision)
    }
}

/// Deterministic random weights of the right shapes, scaled by 1/√fan-in so activations stay
/// bounded; remembers every array so it can be saved as a checkpoint.
public final class RandomParameters: ParameterSource {
    private var state: UInt64
    public private(set) var arrays: [String: Tensor] = [:]

    public init(seed: UInt64 = 0x5EED) { state = seed | 1 }

    public func take(_ key: String, shape: [Int]) throws(CheckpointError) -> Tensor {
        let name = key.split(separator: "/").last ?? ""
        let tensor: Tensor
        if name == "scale" {
            tensor = Tensor(shape: shape, repeating: 1)
        } else if name == "bias" {
            tensor = Tensor(shape: shape, generator: { _ in self.uniform() * 0.01 })
        } else {
            let fanIn = shape.dropLast().reduce(1, *)
            let bound = 1 / Float(max(fanIn, 1)).squareRoot()
            tensor = Tensor(shape: shape, generator: { _ in self.uniform() * bound })
        }
        arrays[key] = tensor
        return tensor
    }

    /// Uniform in [-1, 1) from a 64-bit LCG.
    private func uniform() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: state) >> 40) / Float(1 << 23)
    }
}

/// Reads official MAXIM `.npz` checkpoints: infers the configuration, builds the model and checks
/// that every parameter was used with the right shape.
public enum CheckpointLoader {
    /// - Parameter precision: how the model's library products compute (``ProductPrecision``); fp32 by default.
    public static func load(contentsOf url: URL, precision: ProductPrecision = .fp32) throws(CheckpointError) -> Maxim {
        try load(CheckpointParameters(contentsOf: url), precision: precision)
    }

    public static func load(_ parameters: CheckpointParameters, precision: ProductPrecision = .fp32)
        throws(CheckpointError) -> Maxim {
        let configuration = try inferConfiguration(parameters)
        let model = try Maxim(configuration: configuration,
                              parameters: PrecisionParameters(parameters, precision: precision))
        try parameters.verifyAllUsed()
        return model
    }

    /// Reads the configuration off the key names and shapes (see the reference's module names).
    public static func inferConfiguration(_ p: CheckpointParameters) throws(CheckpointError) -> MaximConfiguration {
        // Every module path that owns parameters, so modules can be counted by name.
        let prefixes = Set(p.keys.flatMap { key -> [String] in
            var out: [String] = []
            var path = ""
            for part in key.split(separator: "/").dropLast() {
                path = path.isEmpty ? String(part) : path + "/" + part
                out.append(path)
            }
            return out
        })
        func countModules(_ name: (Int) -> String) -> Int {
            var n = 0
            while prefixes.contains(name(n)) { n += 1 }
            return n
        }
        guard let inputKernel = p.shape("stage_0_input_conv_0/kernel"), inputKernel.count == 4 else {
            throw .unsupportedConfiguration("no stage_0_input_conv_0/kernel: not a MAXIM checkpoint")
        }
        guard inputKernel[2] == 3 else {
            throw .unsupportedConfiguration("input convolution expects \(inputKernel[2]) channels, only RGB (3) is supported")
        }
        let features = inputKernel[3]
        let stages = countModules { "stage_\($0)_input_conv_0" }
        let scales = countModules { "stage_0_input_conv_\($0)" }
        let depth = countModules { "stage_0_encoder_block_\($0)" }
        let bottlenecks = countModules { "stage_0_global_block_\($0)" }
        guard depth >= 1, bottlenecks >= 1, scales >= 1, scales <= depth else {
            throw .unsupportedConfiguration("found depth \(depth), \(bottlenecks) bottleneck blocks, \(scales) scales")
        }
        let globalMLP = prefixes.contains("stage_0_encoder_block_0/SplitHeadMultiAxisGmlpLayer_0")
        let groups = countModules { "stage_0_encoder_block_0/channel_attention_block_1\($0)" }
        guard groups >= 1, groups <= 10 else {
            throw .unsupportedConfiguration("found \(groups) groups per encoder block")
        }
        guard prefixes.contains("stage_0_cross_gating_block_0") else {
            throw .unsupportedConfiguration("checkpoints without cross-gating blocks (use_cross_gating=False)")
        }
        let useBias = p.contains("stage_0_input_conv_0/bias")
        // The squeeze width is `channels // reduction` (floor, as the reference): with 6 features and reduction 4
        // level 0 squeezes to 1 channel, which 4, 5 and 6 all explain, so every encoder level's width is checked.
        var squeezeWidths: [(channels: Int, width: Int)] = []
        for level in 0..<depth {
            let key = "stage_0_encoder_block_\(level)/channel_attention_block_10/channel_attention/Conv_0/kernel"
            if let se = p.shape(key), se.count == 4 { squeezeWidths.append((features << level, se[3])) }
        }
        guard !squeezeWidths.isEmpty, squeezeWidths.allSatisfy({ $0.width > 0 }),
              let reduction = (1...squeezeWidths[0].channels).first(where: { r in
                  squeezeWidths.allSatisfy { $0.channels / r == $0.width }
              }) else {
            throw .unsupportedConfiguration("cannot read the channel-attention reduction")
        }
        func square(_ key: String) throws(CheckpointError) -> MaximConfiguration.Size {
            guard let shape = p.shape(key), shape.count == 2 else {
                throw .missingParameter(key: key, expectedShape: [-1, -1])
            }
            let side = Int(Double(shape[0]).squareRoot().rounded())
            guard side * side == shape[0] else {
                throw .unsupportedConfiguration("\(key) mixes \(shape[0]) positions, not a square block")
            }
            return .init(side, side)
        }
        var blockSizes: [MaximConfiguration.Size] = []
        var gridSizes: [MaximConfiguration.Size] = []
        for level in 0..<depth {
            let gating = "stage_0_cross_gating_block_\(level)/SplitHeadMultiAxisGating_x"
            gridSizes.append(try square(gating + "/Dense_0/kernel"))
            blockSizes.append(try square(gating + "/Dense_1/kernel"))
        }
        let bottleneck = "stage_0_global_block_0/SplitHeadMultiAxisGmlpLayer_0"
        let bottleneckGrid = try square(bottleneck + "/GridGmlpLayer/GridGatingUnit/Dense_0/kernel")
        let bottleneckBlock = try square(bottleneck + "/BlockGmlpLayer/BlockGatingUnit/Dense_0/kernel")
        if let out = p.shape("stage_\(stages - 1)_output_conv_0/kernel"), out.count == 4, out[3] != 3 {
            throw .unsupportedConfiguration("\(out[3]) output channels; only 3 (RGB) is supported")
        }
        return MaximConfiguration(
            features: features, depth: depth, numStages: stages, numGroups: groups,
            numBottleneckBlocks: bottlenecks, numSupervisionScales: scales, useBias: useBias,
            useGlobalMLP: globalMLP, channelsReduction: reduction, blockSizes: blockSizes, gridSizes: gridSizes,
            bottleneckBlockSize: bottleneckBlock, bottleneckGridSize: bottleneckGrid)
    }
}

extension Maxim {
    /// Loads an official-format `.npz` checkpoint, inferring the configuration (see `CheckpointLoader`).
    public init(checkpoint url: URL) throws(CheckpointError) {
        self = try CheckpointLoader.load(contentsOf: url)
    }
}

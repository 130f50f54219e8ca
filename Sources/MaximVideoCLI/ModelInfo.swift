import ArgumentParser
import Foundation
import MaximModel

/// `maxim-video model-info`: the configuration inferred from a checkpoint and its size, after the
/// same strict checks `infer` applies.
struct ModelInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model-info",
        abstract: "Print the configuration inferred from a MAXIM checkpoint and its parameter count.")

    @Argument(help: "MAXIM checkpoint (.npz).")
    var checkpoint: String

    func run() throws {
        let parameters = try CheckpointParameters(contentsOf: URL(fileURLWithPath: checkpoint))
        let model = try CheckpointLoader.load(parameters)
        let c = model.configuration
        print("checkpoint: \(checkpoint)")
        print("features: \(c.features)")
        print("depth: \(c.depth)")
        print("stages: \(c.numStages)")
        print("groups: \(c.numGroups)")
        print("bottleneck blocks: \(c.numBottleneckBlocks)")
        print("supervision scales: \(c.numSupervisionScales)")
        print("use bias: \(c.useBias)")
        print("global MLP: \(c.useGlobalMLP)")
        print("channel reduction: \(c.channelsReduction)")
        print("block sizes per level: \(c.blockSizes.map(\.description).joined(separator: ", "))")
        print("grid sizes per level: \(c.gridSizes.map(\.description).joined(separator: ", "))")
        print("bottleneck block/grid: \(c.bottleneckBlockSize) / \(c.bottleneckGridSize)")
        print("input size multiple: \(c.sizeMultiple)")
        print("parameters: \(parameters.parameterCount) in \(parameters.keys.count) arrays")
    }
}

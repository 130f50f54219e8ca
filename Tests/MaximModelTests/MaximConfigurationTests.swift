import Foundation
import Testing
import Tensor
@testable import MaximModel

@Suite struct MaximConfigurationTests {
    @Test func tinyCheckpointInfersItsConstructorArguments() throws {
        let parameters = try CheckpointParameters(arrays: CheckpointLoaderTests.tinyArrays)
        let c = try CheckpointLoader.inferConfiguration(parameters)
        #expect(c.features == 8)
        #expect(c.depth == 3)
        #expect(c.numStages == 2)
        #expect(c.numGroups == 1)
        #expect(c.numBottleneckBlocks == 1)
        #expect(c.numSupervisionScales == 3)
        #expect(c.useBias)
        #expect(c.channelsReduction == 4)
        #expect(c.blockSizes == [.init(16, 16), .init(16, 16), .init(8, 8)])
        #expect(c.gridSizes == [.init(16, 16), .init(16, 16), .init(8, 8)])
        #expect(c.sizeMultiple == 64)
        #expect(parameters.parameterCount == 3_665_682)
    }

    @Test(arguments: ["S-1", "S-2", "S-3", "M-1", "M-2", "M-3"])
    func officialVariantShapesInferBackToTheirConfiguration(variant: String) throws {
        let configuration = try #require(MaximConfiguration.variant(variant))
        let random = RandomParameters()
        _ = try Maxim(configuration: configuration, parameters: random)
        let prefixed = Dictionary(uniqueKeysWithValues: random.arrays.map { ("opt/target/" + $0.key, $0.value) })
        let inferred = try CheckpointLoader.inferConfiguration(CheckpointParameters(arrays: prefixed))
        #expect(inferred == configuration)
    }

    /// Channel attention squeezes to `channels // reduction` (floor, as the reference): with 6 features and the
    /// default reduction 4 the levels squeeze to 1, 3 and 6 channels, and the loader must still find reduction 4
    /// (level 0 alone would also fit 5 or 6). Shapes of the project's own small models (8, 12) infer back too.
    @Test(arguments: [6, 8, 12])
    func smallModelShapesInferBackIncludingAFloorSqueeze(features: Int) throws {
        let sizes = [MaximConfiguration.Size](repeating: .init(8, 8), count: 3)
        let configuration = MaximConfiguration(features: features, depth: 3, numStages: 1, numGroups: 1,
                                               numBottleneckBlocks: 1, blockSizes: sizes, gridSizes: sizes)
        let random = RandomParameters()
        _ = try Maxim(configuration: configuration, parameters: random)
        let squeeze = "stage_0_encoder_block_0/channel_attention_block_10/channel_attention/Conv_0/kernel"
        #expect(random.arrays[squeeze]?.shape == [1, 1, features, features / 4])
        let prefixed = Dictionary(uniqueKeysWithValues: random.arrays.map { ("opt/target/" + $0.key, $0.value) })
        let inferred = try CheckpointLoader.inferConfiguration(CheckpointParameters(arrays: prefixed))
        #expect(inferred == configuration)
    }

    /// The reference's `Model(variant=…)` keeps `num_supervision_scales=1`; its docstring lists the
    /// resulting parameter counts, which pins down every layer shape of the full-size variants.
    @Test(arguments: [("S-1", 6_108_515), ("S-2", 13_353_830), ("S-3", 20_599_145), ("M-1", 19_361_219),
                      ("M-2", 40_839_110), ("M-3", 62_317_001)])
    func singleScaleVariantsHaveTheReferenceParameterCounts(variant: String, count: Int) throws {
        var configuration = try #require(MaximConfiguration.variant(variant))
        configuration.numSupervisionScales = 1
        let random = RandomParameters()
        _ = try Maxim(configuration: configuration, parameters: random)
        #expect(random.arrays.values.reduce(0) { $0 + $1.count } == count)
    }

    @Test func unknownVariantNamesAreRejected() {
        #expect(MaximConfiguration.variant("L-3") == nil)
        #expect(MaximConfiguration.variant("S-4") == nil)
    }

    @Test func paddingFollowsTheReferenceEvaluation() {
        // Even size: symmetric numpy-'reflect' padding to the multiple.
        let even = Maxim.paddingIndex(size: 60, multiple: 64)
        #expect(even.offset == 2)
        #expect(Array(even.index.prefix(4)) == [2, 1, 0, 1])
        #expect(Array(even.index.suffix(3)) == [59, 58, 57])
        // Odd size: one reflected row at the end first (run_eval.py make_shape_even).
        let odd = Maxim.paddingIndex(size: 5, multiple: 8)
        #expect(odd.offset == 1)
        #expect(odd.index == [1, 0, 1, 2, 3, 4, 3, 4])
    }
}

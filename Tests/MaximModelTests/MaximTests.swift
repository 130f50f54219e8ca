import Dispatch
import Foundation
import Synchronization
import Testing
import Tensor
@testable import MaximModel

@Suite struct MaximTests {
    @Test func anyInputSizeIsPaddedAndCroppedBack() throws {
        let input = try NPYFormat.decode(Data(contentsOf: Fixtures.golden("tiny", "input.npy")))
        let cropped = input.cropped(top: 3, left: 1, height: 45, width: 50)
        let outputs = MaximConformanceTests.model(cropped)
        #expect(outputs.map { $0.map(\.shape) } == Array(repeating: [[1, 11, 12, 3], [1, 22, 25, 3], [1, 45, 50, 3]], count: 2))
        let finite = outputs.joined().allSatisfy { $0.scalars.allSatisfy { $0.isFinite } }
        #expect(finite)
    }

    /// `restore` skips the last stage's coarser outputs (supervision only) and still returns exactly the full-size
    /// output of all of them, on a size the model takes as is and on one it pads and crops.
    @Test(arguments: [(0, 0, 64, 64), (3, 1, 45, 50)])
    func restoreEqualsTheFullSizeOutputOfEveryScale(top: Int, left: Int, height: Int, width: Int) throws {
        let input = try NPYFormat.decode(Data(contentsOf: Fixtures.golden("tiny", "input.npy")))
            .cropped(top: top, left: left, height: height, width: width)
        let model = MaximConformanceTests.model
        let all = try #require(model(input).last?.last)
        let restored = model.restore(input)
        #expect(restored.shape == [1, height, width, 3])
        let same = restored.scalars == all.scalars
        #expect(same, "restore differs from the full-size output at \(height)×\(width)")
        #expect(model.outputs(input, allScales: false).last?.count == 1)
    }

    @Test func concurrentCallsOnDifferentInputsMatchSerialCalls() throws {
        let base = try NPYFormat.decode(Data(contentsOf: Fixtures.golden("tiny", "input.npy")))
        let inputs = (0..<4).map { k in Tensor(shape: base.shape) { base.scalars[$0] * Float(k + 1) / 2 } }
        let model = MaximConformanceTests.model
        let serial = inputs.map { model.restore($0) }
        let results = Mutex<[Int: Tensor]>([:])
        DispatchQueue.concurrentPerform(iterations: inputs.count) { i in
            let out = model.restore(inputs[i])
            results.withLock { $0[i] = out }
        }
        let parallel = results.withLock { $0 }
        for i in 0..<inputs.count {
            #expect(parallel[i]?.scalars == serial[i].scalars, "input \(i)")
        }
    }

    @Test func forwardProbeSeesModuleOutputsInReferenceNaming() throws {
        final class Keys: Sendable { let value = Mutex<[String]>([]) }
        let keys = Keys()
        let input = try NPYFormat.decode(Data(contentsOf: Fixtures.golden("tiny", "input.npy")))
        ForwardProbe.withRecorder({ key, _ in keys.value.withLock { $0.append(key) } }) {
            _ = MaximConformanceTests.model(input)
        }
        let recorded = keys.value.withLock { $0 }
        #expect(recorded.contains("stage_0_encoder_block_0/__call__/0/0"))
        #expect(recorded.contains("UpSampleRatio_35/__call__/0"))
        #expect(recorded.contains("stage_1_output_conv_2/__call__/0"))
        #expect(recorded.last == "__call__/0/1/2")
    }
}

import Foundation
import MaximTestSupport
import PipelineConfig
import Testing
@testable import MaximVideoCLI

/// `deblur`/`denoise` without options run exactly the stages their `pipelines/<task>.yaml` describes, so the
/// documented pipeline files and the shortcuts cannot drift apart.
@Suite struct BuiltinPipelineTests {
    static let pipelines = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("pipelines")

    @Test(arguments: ["deblur", "denoise"])
    func aShortcutRunsWhatItsPipelineFileSays(task: String) throws {
        let file = try PipelineFile.load(from: Self.pipelines.appendingPathComponent("\(task).yaml"))
        let shortcut = builtinPipeline(task, try ModelOptions.parse([]))
        #expect(shortcut.stages == file.stages)
    }

    @Test func anExplicitOverlapOrAnotherModelReplacesTheBuiltInModelsOverlap() throws {
        #expect(try ModelOptions.parse([]).resolvedOverlap(task: "denoise") == 8)
        #expect(try ModelOptions.parse(["--overlap", "24"]).resolvedOverlap(task: "denoise") == 24)
        #expect(try ModelOptions.parse(["--model", "other.npz"]).resolvedOverlap(task: "denoise") == StageSpec.defaultOverlap)
    }
}

import Foundation
import Testing

@testable import PipelineConfig

@Suite struct PipelineFileTests {
    /// A scratch directory holding a pipeline file and (optionally) a checkpoint it references.
    struct Scratch {
        let dir: URL
        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("pipelinefile-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        func write(_ name: String, _ text: String) throws -> URL {
            let url = dir.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url
        }
    }

    func loadError(_ yaml: String) throws -> PipelineFileError {
        let scratch = try Scratch()
        let url = try scratch.write("p.yaml", yaml)
        do {
            _ = try PipelineFile.load(from: url)
        } catch let error as PipelineFileError {
            return error
        }
        Issue.record("expected a PipelineFileError for:\n\(yaml)")
        return PipelineFileError(file: "", field: "", problem: "")
    }

    @Test func fullFileDecodesEveryField() throws {
        let scratch = try Scratch()
        _ = try scratch.write("denoise.npz", "not really a checkpoint; only its existence is checked here")
        let url = try scratch.write(
            "p.yaml",
            """
            name: deblur-then-denoise
            stages:
              - model: deblur
                tile: 128
                overlap: 16
                tile_shape: square
                precision: bf16
              - model: denoise.npz
            output:
              codec: libx265
              crf: 20
              preset: slow
              pix_fmt: yuv420p10le
              audio: false
              subtitles: false
            queue_capacity: 3
            threads: 4
            """)
        let p = try PipelineFile.load(from: url)
        #expect(p.name == "deblur-then-denoise")
        #expect(p.stages.count == 2)
        #expect(p.stages[0] == StageSpec(model: .builtin("deblur"), tile: 128, overlap: 16, tileShape: .square,
                                         precision: .bf16))
        #expect(p.stages[1].tile == StageSpec.defaultTile && p.stages[1].overlap == StageSpec.defaultOverlap)
        #expect(p.stages[1].tileShape == .fitted)
        #expect(p.stages[1].precision == .fp32)
        #expect(p.stages[1].model == .file(scratch.dir.appendingPathComponent("denoise.npz").standardizedFileURL.path))
        #expect(p.output == OutputSpec(codec: "libx265", crf: 20, preset: "slow", pixFmt: "yuv420p10le", copyAudio: false,
                                       copySubtitles: false))
        #expect(p.queueCapacity == 3 && p.threads == 4)
    }

    @Test func omittedOutputLeavesTheEncoderToTheOutput() throws {
        let p = try PipelineFile.parse("name: x\nstages:\n  - model: denoise\n", file: "x.yaml")
        #expect(p.output == OutputSpec())
        #expect(p.output.codec == nil && p.output.crf == nil && p.output.pixFmt == "auto" && p.output.copyAudio)
        #expect(p.output.copySubtitles)
    }

    @Test func unknownFieldIsAnErrorNamingTheFieldAndTheAllowedOnes() throws {
        let e = try loadError("name: x\nstages:\n  - model: deblur\n    overlapp: 16\n")
        #expect(e.field == "stages[0].overlapp")
        #expect(e.description.contains("p.yaml"))
        #expect(e.description.contains("allowed: model, tile, overlap, tile_shape"))
        let top = try loadError("name: x\nstage:\n  - model: deblur\n")
        #expect(top.field == "stage")
    }

    @Test func wrongTypeNamesTheFieldAndTheExpectedType() throws {
        let e = try loadError("name: x\nstages:\n  - model: deblur\n    tile: big\n")
        #expect(e.field == "stages[0].tile")
        #expect(e.problem.contains("an integer"))
    }

    @Test func unknownTileShapeIsRefusedWithTheAllowedOnes() throws {
        let e = try loadError("name: x\nstages:\n  - model: deblur\n    tile_shape: round\n")
        #expect(e.field == "stages[0].tile_shape")
        #expect(e.problem.contains("'round' is not allowed (allowed: fitted, square)"))
    }

    @Test func unknownPrecisionIsRefusedWithTheAllowedOnes() throws {
        let e = try loadError("name: x\nstages:\n  - model: deblur\n    precision: fp16\n")
        #expect(e.field == "stages[0].precision")
        #expect(e.problem.contains("'fp16' is not allowed (allowed: fp32, bf16)"))
    }

    @Test(arguments: [100, 32, 0, -64])
    func tileNotAMultipleOf64IsRefused(tile: Int) throws {
        let e = try loadError("name: x\nstages:\n  - model: deblur\n    tile: \(tile)\n    overlap: 8\n")
        #expect(e.field == "stages[0].tile")
        #expect(e.problem.contains("multiple of 64"))
    }

    @Test(arguments: [(256, 128), (128, 64), (64, 40)])
    func overlapOfHalfTheTileOrMoreIsRefused(tile: Int, overlap: Int) throws {
        let e = try loadError("name: x\nstages:\n  - model: deblur\n    tile: \(tile)\n    overlap: \(overlap)\n")
        #expect(e.field == "stages[0].overlap")
        #expect(e.problem.contains("less than half the tile"))
    }

    @Test func missingModelFileIsRefusedWithItsPath() throws {
        let e = try loadError("name: x\nstages:\n  - model: deblur\n  - model: nowhere/m.npz\n")
        #expect(e.field == "stages[1].model")
        #expect(e.problem.contains("nowhere/m.npz") && e.problem.contains("does not exist"))
    }

    @Test func modelThatIsNeitherBuiltinNorNpzIsRefused() throws {
        let e = try loadError("name: x\nstages:\n  - model: sharpen\n")
        #expect(e.field == "stages[0].model")
        #expect(e.problem.contains("deblur, denoise"))
    }

    @Test func missingRequiredFieldIsNamed() throws {
        let e = try loadError("stages:\n  - model: deblur\n")
        #expect(e.field == "name")
        let m = try loadError("name: x\nstages:\n  - tile: 256\n")
        #expect(m.field == "stages[0].model")
    }

    @Test func emptyStageListAndBadQueueCapacityAreRefused() throws {
        #expect(try loadError("name: x\nstages: []\n").field == "stages")
        #expect(try loadError("name: x\nstages:\n  - model: deblur\nqueue_capacity: 0\n").field == "queue_capacity")
        #expect(try loadError("name: x\nstages:\n  - model: deblur\nthreads: 0\n").field == "threads")
        #expect(try loadError("name: x\nstages:\n  - model: deblur\noutput:\n  crf: 99\n").field == "output.crf")
    }

    @Test func shippedPipelinesAreValid() throws {
        let pipelines = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../pipelines").standardizedFileURL
        let names = try FileManager.default.contentsOfDirectory(atPath: pipelines.path).filter { $0.hasSuffix(".yaml") }
        #expect(Set(names).isSuperset(of: ["deblur.yaml", "denoise.yaml", "deblur-denoise.yaml"]))
        for name in names {
            let p = try PipelineFile.load(from: pipelines.appendingPathComponent(name))
            #expect(!p.stages.isEmpty, "\(name)")
        }
    }
}

import ArgumentParser
import Foundation
import PipelineConfig

/// `maxim-video run PIPELINE.yaml -i INPUT -o OUTPUT`: the stages a pipeline file describes.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Restore a video or frame sequence with the stages of a pipeline file.",
        discussion: "Options given here override the pipeline file's output, queue and thread settings.")

    @Argument(help: "A pipeline file (see pipelines/).")
    var pipeline: String

    @Option(name: .shortAndLong, help: "A video file, an image-sequence pattern such as frames/%04d.png, or -.")
    var input: String

    @OptionGroup var options: RestorationOptions

    func run() throws {
        let file: PipelineFile
        do {
            file = try PipelineFile.load(from: URL(fileURLWithPath: pipeline))
        } catch {
            reportFailure(error)
            throw ExitStatus.usage
        }
        try PipelineJob(pipeline: options.applied(to: file), input: input, options: options).execute()
    }
}

/// A one-model shortcut (`deblur`, `denoise`): the built-in pipeline of `task`, or the model given with --model.
protocol BuiltinTaskCommand: ParsableCommand {
    static var task: String { get }
    var input: String { get }
    var model: ModelOptions { get }
    var options: RestorationOptions { get }
}

extension BuiltinTaskCommand {
    func validate() throws { try validateTiles(model, task: Self.task) }

    func run() throws {
        try PipelineJob(pipeline: options.applied(to: builtinPipeline(Self.task, model)), input: input, options: options)
            .execute()
    }
}

/// `maxim-video deblur INPUT -o OUTPUT`: the built-in deblurring pipeline.
struct DeblurCommand: BuiltinTaskCommand {
    static let configuration = CommandConfiguration(
        commandName: "deblur", abstract: "Remove camera-motion blur (built-in model, or --model PATH.npz).")
    static let task = "deblur"

    @Argument(help: "A video file, an image-sequence pattern such as frames/%04d.png, or -.")
    var input: String

    @OptionGroup var model: ModelOptions
    @OptionGroup var options: RestorationOptions
}

/// `maxim-video denoise INPUT -o OUTPUT`: the built-in denoising pipeline.
struct DenoiseCommand: BuiltinTaskCommand {
    static let configuration = CommandConfiguration(
        commandName: "denoise", abstract: "Remove noise (built-in blind model, or --model PATH.npz).")
    static let task = "denoise"

    @Argument(help: "A video file, an image-sequence pattern such as frames/%04d.png, or -.")
    var input: String

    @OptionGroup var model: ModelOptions
    @OptionGroup var options: RestorationOptions
}

/// The one-stage pipeline behind `deblur`/`denoise`, as `pipelines/<task>.yaml` describes it.
func builtinPipeline(_ task: String, _ model: ModelOptions) -> PipelineFile {
    let reference: ModelReference = model.model.map { .file($0) } ?? .builtin(task)
    return PipelineFile(name: task, stages: [StageSpec(model: reference, tile: model.tile, overlap: model.resolvedOverlap(task: task),
                                                           tileShape: model.tileShape, precision: model.precision)])
}

func validateTiles(_ model: ModelOptions, task: String) throws {
    guard model.tile >= 64, model.tile % 64 == 0 else {
        throw ValidationError("--tile \(model.tile) is not allowed (a multiple of 64, e.g. 128, 256, 512)")
    }
    let overlap = model.resolvedOverlap(task: task)
    guard overlap >= 0, 2 * overlap < model.tile else {
        throw ValidationError("--overlap \(overlap) is not allowed with --tile \(model.tile) (0 to \(model.tile / 2 - 1), less than half the tile)")
    }
    if let path = model.model, !FileManager.default.fileExists(atPath: path) {
        throw ValidationError("--model \(path): no such file")
    }
}

extension TileShape: ExpressibleByArgument {}
extension StagePrecision: ExpressibleByArgument {}

import ArgumentParser
import Foundation
import MediaIO
import PipelineConfig

/// Encoder and runtime options shared by `run`, `deblur` and `denoise`. Each one left out keeps the pipeline
/// file's value (or the built-in pipeline's default).
struct RestorationOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Output file, an image-sequence pattern such as out/%04d.png, or - (Matroska on standard output).")
    var output: String

    @Option(help: "Video encoder (any libavcodec encoder name; default libx264).")
    var codec: String?

    @Option(help: "Constant rate factor, for encoders that have one (default 16).")
    var crf: Int?

    @Option(help: "Encoder preset, for encoders that have one (default medium).")
    var preset: String?

    @Option(name: .customLong("pix-fmt"), help: "Output pixel format (default: the input's depth and chroma).")
    var pixelFormat: String?

    @Option(help: "Frame rate of an image-sequence input, e.g. 24 or 30000/1001 (default 25).")
    var framerate: String?

    @Flag(name: .customLong("no-audio"), help: "Drop audio, subtitle and data streams.")
    var noAudio = false

    @Flag(name: .customLong("no-subtitles"), help: "Drop subtitle streams only (e.g. SubRip or ASS into .mp4).")
    var noSubtitles = false

    @Flag(help: "Replace OUTPUT if it exists.")
    var overwrite = false

    @Option(name: .customLong("queue-capacity"), help: "Frames each queue between threads may hold.")
    var queueCapacity: Int?

    @Option(help: "CPU threads in all (default: the pipeline's setting, else every core).")
    var threads: Int?

    @Flag(help: "Keep the finished segments of an interrupted run of the same job and continue after them.")
    var resume = false

    @Option(help: "State directory of a resumable job (default: .OUTPUT.maxim-state beside OUTPUT).")
    var state: String?

    @Option(
        name: .customLong("segment-frames"),
        help: "Frames per resumable segment (default: about 10 s of video). Implied by --resume.")
    var segmentFrames: Int?

    @Flag(
        name: .customLong("allow-truncated"),
        help: "Accept an input that ends early (its frames are restored and written either way; without this flag the exit status is 1).")
    var allowTruncated = false

    @Flag(help: "Log the setup (BLAS kernel, threads, tiles, memory budget) and a summary.")
    var verbose = false

    func validate() throws {
        if let queueCapacity, queueCapacity < 1 { throw ValidationError("--queue-capacity must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let crf, crf < 0 { throw ValidationError("--crf must not be negative") }
        if let segmentFrames, segmentFrames < 1 { throw ValidationError("--segment-frames must be at least 1") }
        if let framerate, Rational(frameRate: framerate) == nil {
            throw ValidationError("--framerate '\(framerate)' is not a frame rate (e.g. 24, 25, 30000/1001)")
        }
    }

    /// ``framerate`` parsed (``validate()`` has checked it).
    var sequenceFrameRate: Rational? { framerate.flatMap { Rational(frameRate: $0) } }

    /// Whether resumable segments were asked for explicitly (file jobs use them anyway, see `makeRestorer`).
    var segmented: Bool { resume || segmentFrames != nil }

    /// The state directory: `--state`, else `.NAME.maxim-state` beside the output.
    var stateDirectory: String {
        if let state { return state }
        let url = URL(fileURLWithPath: output)
        return url.deletingLastPathComponent()
            .appendingPathComponent(derivedFileName(url.lastPathComponent, prefix: ".", suffix: ".maxim-state")).path
    }

    /// The pipeline with every option given on the command line applied over it.
    func applied(to pipeline: PipelineFile) -> PipelineFile {
        var p = pipeline
        if let codec { p.output.codec = codec }
        if let crf { p.output.crf = crf }
        if let preset { p.output.preset = preset }
        if let pixelFormat { p.output.pixFmt = pixelFormat }
        if noAudio { p.output.copyAudio = false }
        if noSubtitles { p.output.copySubtitles = false }
        if let queueCapacity { p.queueCapacity = queueCapacity }
        if let threads { p.threads = threads }
        return p
    }
}

/// Tile options of the one-model shortcuts `deblur` and `denoise`.
struct ModelOptions: ParsableArguments {
    @Option(help: "A MAXIM checkpoint (.npz) to use instead of the built-in model.")
    var model: String?

    @Option(help: "Tile edge in pixels, a multiple of 64.")
    var tile = StageSpec.defaultTile

    @Option(help: "Pixels shared with each neighbouring tile, per side (less than tile/2). Default: the built-in model's (see pipelines/), 32 with --model.")
    var overlap: Int?

    @Option(help: "fitted: tiles grow up to 2×tile per axis where that covers the frame with fewer pixels; square: always tile×tile.")
    var tileShape: TileShape = .fitted

    @Option(help: "fp32, or bf16: the model's oneDNN products in bfloat16 with fp32 accumulation (meant for CPUs with AMX; slower without).")
    var precision: StagePrecision = .fp32

    /// The overlap a stage of `task` runs with: the one given, else the built-in model's measured default.
    func resolvedOverlap(task: String) -> Int {
        overlap ?? (model == nil ? BuiltinModels.defaultOverlap[task] : nil) ?? StageSpec.defaultOverlap
    }
}

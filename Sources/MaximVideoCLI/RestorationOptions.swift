import ArgumentParser
import MediaIO
import PipelineConfig

/// Encoder and runtime options shared by `run`, `deblur` and `denoise`. Each one left out keeps the pipeline
/// file's value (or the built-in pipeline's default).
struct RestorationOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Output file, or an image-sequence pattern such as out/%04d.png.")
    var output: String

    @Option(help: "Video encoder (any libavcodec encoder name; default libx264).")
    var codec: String?

    @Option(help: "Constant rate factor, for encoders that have one (default 16).")
    var crf: Int?

    @Option(help: "Encoder preset, for encoders that have one (default medium).")
    var preset: String?

    @Option(name: .customLong("pix-fmt"), help: "Output pixel format (default: the input's depth and chroma).")
    var pixelFormat: String?

    @Flag(name: .customLong("no-audio"), help: "Drop audio, subtitle and data streams.")
    var noAudio = false

    @Flag(help: "Replace OUTPUT if it exists.")
    var overwrite = false

    @Option(name: .customLong("queue-capacity"), help: "Frames each queue between threads may hold.")
    var queueCapacity: Int?

    @Option(help: "CPU threads in all (default: the pipeline's setting, else every core).")
    var threads: Int?

    @Flag(help: "Log the setup (BLAS kernel, threads, tiles, memory budget) and a summary.")
    var verbose = false

    func validate() throws {
        if let queueCapacity, queueCapacity < 1 { throw ValidationError("--queue-capacity must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let crf, crf < 0 { throw ValidationError("--crf must not be negative") }
    }

    /// The pipeline with every option given on the command line applied over it.
    func applied(to pipeline: PipelineFile) -> PipelineFile {
        var p = pipeline
        if let codec { p.output.codec = codec }
        if let crf { p.output.crf = crf }
        if let preset { p.output.preset = preset }
        if let pixelFormat { p.output.pixFmt = pixelFormat }
        if noAudio { p.output.copyAudio = false }
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

    @Option(help: "Pixels shared with each neighbouring tile, per side (less than tile/2).")
    var overlap = StageSpec.defaultOverlap
}

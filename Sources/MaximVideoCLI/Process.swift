import ArgumentParser
import Foundation
import Logging
import MediaIO
import RestorationPipeline

/// `maxim-video process INPUT -o OUTPUT --stage identity …`: decode, run the stages, encode, write atomically.
struct ProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Run restoration stages over a video and encode the result.",
        discussion: """
            The output is written to a temporary name beside OUTPUT and renamed when complete; an image-sequence \
            OUTPUT such as out/%04d.png is written into a hidden temporary directory in out/ and its files are moved \
            into place when complete. Audio, subtitle and data streams are copied unchanged. Exit status: 0 done, \
            1 failed, 2 usage error, 130 interrupted (SIGINT/SIGTERM stop after the current frame).
            """)

    /// Stages this command knows by name; MAXIM stages join with their issues.
    static let stageNames = ["identity"]

    @Argument(help: "A video file, an image-sequence pattern such as frames/%04d.png, or - for stdin.")
    var input: String

    @Option(name: .shortAndLong, help: "Output file, or an image-sequence pattern such as out/%04d.png.")
    var output: String

    @Option(name: .customLong("stage"), help: "A restoration stage, repeatable, applied in order (identity).")
    var stages: [String] = ["identity"]

    @Option(help: "Video encoder (any libavcodec encoder name; default libx264, or the image format's own codec).")
    var codec: String?

    @Option(help: "Constant rate factor, for encoders that have one (default 16).")
    var crf: Double?

    @Option(help: "Encoder preset, for encoders that have one (default medium).")
    var preset: String?

    @Option(name: .customLong("pix-fmt"), help: "Output pixel format (default: the input's depth and chroma).")
    var pixelFormat: String?

    @Flag(name: .customLong("no-audio"), help: "Drop audio, subtitle and data streams.")
    var noAudio = false

    @Flag(help: "Replace OUTPUT if it exists.")
    var overwrite = false

    @Option(name: .customLong("queue-capacity"), help: "Frames each queue between threads may hold.")
    var queueCapacity = 2

    @Option(help: "Threads for the encoder and the decoder each (0: automatic).")
    var threads = 0

    @Option(name: .customLong("stage-workers"), help: "Threads per restoration stage.")
    var stageWorkers = 1

    @Flag(help: "Log the setup, the memory budget and a summary.")
    var verbose = false

    func validate() throws {
        guard queueCapacity >= 1 else { throw ValidationError("--queue-capacity must be at least 1") }
        guard stageWorkers >= 1 else { throw ValidationError("--stage-workers must be at least 1") }
        guard threads >= 0 else { throw ValidationError("--threads must be 0 (automatic) or more") }
        for name in stages where !Self.stageNames.contains(name) {
            throw ValidationError("unknown stage '\(name)'; available: \(Self.stageNames.joined(separator: ", "))")
        }
        if let crf, crf < 0 { throw ValidationError("--crf must not be negative") }
    }

    func run() throws {
        let restorer = VideoRestorer(
            input: input, output: output, stages: stages.map { _ in IdentityStage() },
            encoder: EncoderSettings(
                codec: codec ?? EncoderSettings.defaultCodec(forOutput: output), crf: crf, preset: preset, pixelFormat: pixelFormat, threads: threads),
            options: RestorerOptions(
                queueCapacity: queueCapacity, workersPerStage: stageWorkers, decoderThreads: threads,
                copyOtherStreams: !noAudio, overwrite: overwrite),
            logger: commandLogger(verbose: verbose))
        try runReportingProgress(restorer)
    }
}

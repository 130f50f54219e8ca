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
            into place when complete. Audio, subtitle and data streams are copied unchanged (an image sequence \
            takes the frames only). Exit status: 0 done, \
            1 failed, 2 usage error, 130 interrupted (SIGINT/SIGTERM stop after the current frame).
            """)

    /// Stages this command knows by name; MAXIM stages join with their issues.
    static let stageNames = ["identity"]

    @Argument(help: "A video file, an image-sequence pattern such as frames/%04d.png, or - for stdin.")
    var input: String

    @Option(name: .customLong("stage"), help: "A restoration stage, repeatable, applied in order (identity).")
    var stages: [String] = ["identity"]

    @Option(name: .customLong("stage-workers"), help: "Threads per restoration stage.")
    var stageWorkers = 1

    @OptionGroup var options: RestorationOptions

    func validate() throws {
        guard stageWorkers >= 1 else { throw ValidationError("--stage-workers must be at least 1") }
        for name in stages where !Self.stageNames.contains(name) {
            throw ValidationError("unknown stage '\(name)'; available: \(Self.stageNames.joined(separator: ", "))")
        }
    }

    func run() throws {
        let restorer = makeRestorer(
            input: input, stages: stages.map { _ in IdentityStage() }, options: options,
            encoder: EncoderSettings(
                codec: options.codec ?? EncoderSettings.defaultCodec(forOutput: options.output),
                crf: options.crf.map(Double.init), preset: options.preset, pixelFormat: options.pixelFormat,
                threads: options.threads ?? 0),
            restorer: RestorerOptions(
                queueCapacity: options.queueCapacity ?? 2, workersPerStage: stageWorkers,
                decoderThreads: options.threads ?? 0, copyOtherStreams: !options.noAudio,
                copySubtitles: !options.noSubtitles, overwrite: options.overwrite,
                sequenceFrameRate: options.sequenceFrameRate),
            logger: commandLogger(verbose: options.verbose))
        try runReportingProgress(restorer, allowTruncated: options.allowTruncated)
    }
}

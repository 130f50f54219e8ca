import ArgumentParser
import Foundation
import Logging
import MaximModel
import MediaIO
import PipelineConfig
import RestorationPipeline
import Tensor

/// Turns a validated pipeline into MAXIM stages and runs it over one input.
struct PipelineJob {
    let pipeline: PipelineFile
    let input: String
    let options: RestorationOptions

    func execute() throws {
        let logger = commandLogger(verbose: options.verbose)

        let size: (width: Int, height: Int)? = isStreamInput(input) ? nil : (try? MediaInfo.probe(input, scanPackets: false).video)
            .flatMap { video in video.width.flatMap { w in video.height.map { (w, $0) } } }
        let models: [Maxim]
        do {
            models = try pipeline.stages.enumerated().map { index, spec in
                let url = try BuiltinModels.resolve(spec.model)
                let precision = ProductPrecision(spec.precision)
                if let reason = precision.unavailableReason {
                    throw PrecisionError(stage: index, model: spec.model.description, reason: reason)
                }
                let model: Maxim
                do {
                    model = try CheckpointLoader.load(contentsOf: url, precision: precision)
                } catch {
                    throw CheckpointFileError(path: url.path, underlying: error)
                }
                let multiple = model.configuration.sizeMultiple
                guard spec.tile % multiple == 0 else {
                    throw TileSizeError(path: url.path, tile: spec.tile, multiple: multiple)
                }
                return model
            }
        } catch {
            reportFailure(error)
            throw ExitStatus.failure
        }
        let sizings = zip(pipeline.stages, models).map { spec, model in spec.sizing(for: model) }
        let tilers = zip(pipeline.stages, sizings).map { spec, sizing in
            size.flatMap { size -> Tiler? in
                guard size.width > 0, size.height > 0, spec.tile > 0, spec.overlap >= 0, 2 * spec.overlap < spec.tile
                else { return nil }
                return Tiler(width: size.width, height: size.height, tile: spec.tile, overlap: spec.overlap,
                             sizing: sizing)
            }
        }
        let plan = ThreadPlan(threads: pipeline.threads ?? ProcessInfo.processInfo.activeProcessorCount,
                              tilesPerFrame: tilers.map { $0?.tileCount },
                              frameBytes: size.map { $0.width * $0.height * 12 })
        BLASRuntime.configure(threads: plan.computeThreadsPerTile)
        logger.info("\(BLASRuntime.description); \(plan)")

        var stages: [any RestorationStage] = []
        for (index, (spec, model)) in zip(pipeline.stages, models).enumerated() {
            logger.info("stage \(index) (\(spec.model)): \(model.configuration); products in \(spec.precision)")
            if let tiler = tilers[index] {
                logger.info(
                    "stage \(index): \(tiler.tileCount) tiles of \(tiler.shapeDescription) (\(spec.tileShape) from \(spec.tile), overlap \(spec.overlap)) per \(tiler.width)×\(tiler.height) frame; overlap cost \(String(format: "%.2f", tiler.overlapCost))× the frame's pixels")
            }
            stages.append(MaximStage(name: spec.model.description, model: model, tile: spec.tile, overlap: spec.overlap,
                                     sizing: sizings[index], workers: plan.tileWorkers[index]))
        }

        let output = pipeline.output
        // A thread budget the user set bounds the codecs too: left to themselves, libx264 and the frame-threaded
        // decoders start threads for every core (x264: 1.5 per core), whatever `--threads` says.
        let codecThreads = pipeline.threads ?? 0
        let restorer = makeRestorer(
            input: input, stages: stages, options: options,
            encoder: encoderSettings(threads: codecThreads, logger: logger),
            restorer: RestorerOptions(
                queueCapacity: pipeline.queueCapacity ?? plan.queueCapacity, workersPerStage: plan.frameWorkersPerStage,
                decoderThreads: codecThreads, copyOtherStreams: output.copyAudio, copySubtitles: output.copySubtitles,
                overwrite: options.overwrite, sequenceFrameRate: options.sequenceFrameRate),
            logger: logger)
        try runReportingProgress(restorer, allowTruncated: options.allowTruncated)
    }

    /// The pipeline file's output section is a policy for whatever arrives (a batch inbox gets videos, WebM clips
    /// and photos): its codec is used where the output's container holds it, else the output's own (a photo's
    /// format, VP9 for WebM), and its CRF, preset and pixel format apply where the encoder has them. The same
    /// options given on the command line are held to exactly: `--codec libx264 -o photo.png` is an error.
    func encoderSettings(threads: Int, logger: Logger) -> EncoderSettings {
        let output = pipeline.output
        let fileCodec = output.codec.map { codec in
            let fitted = EncoderSettings.codec(preferring: codec, forOutput: options.output)
            if fitted != codec {
                logger.info("\(options.output): the pipeline's codec \(codec) does not fit this output; writing \(fitted)")
            }
            return fitted
        }
        var settings = EncoderSettings(
            codec: options.codec ?? fileCodec ?? EncoderSettings.defaultCodec(forOutput: options.output),
            crf: options.crf.map(Double.init), preset: options.preset,
            pixelFormat: options.pixelFormat.flatMap { $0 == "auto" ? nil : $0 }, threads: threads)
        settings.preferredPixelFormat = output.pixFmt == "auto" ? nil : output.pixFmt
        if let crf = output.crf { settings.preferredCRF = Double(crf) }
        if let preset = output.preset { settings.preferredPreset = preset }
        return settings
    }
}

extension StageSpec {
    /// The tiler's sizing for this stage's model: fitted lengths step by the model's size multiple.
    func sizing(for model: Maxim) -> TileSizing {
        tileShape == .fitted ? .fitted(multiple: model.configuration.sizeMultiple) : .square
    }
}

/// A tile size the checkpoint cannot run (its grid/block sizes need a larger multiple than 64).
struct TileSizeError: Error, CustomStringConvertible {
    let path: String
    let tile: Int
    let multiple: Int
    var description: String {
        "\(path): this model needs tiles that are a multiple of \(multiple) px; --tile \(tile) is not (use e.g. \(max(multiple, (tile / multiple) * multiple)))"
    }
}

/// A stage asked for a precision this machine cannot compute in.
struct PrecisionError: Error, CustomStringConvertible {
    let stage: Int
    let model: String
    let reason: String
    var description: String { "stage \(stage) (\(model)): precision bf16 \(reason)" }
}

extension ProductPrecision {
    init(_ stage: StagePrecision) {
        switch stage {
        case .fp32: self = .fp32
        case .bf16: self = .bf16
        }
    }
}

/// A checkpoint that could not be loaded, named by its file.
struct CheckpointFileError: Error, CustomStringConvertible {
    let path: String
    let underlying: any Error
    var description: String { "\(path): cannot load the checkpoint: \(underlying)" }
}

/// The logger of a command: warnings only, or the whole setup with `--verbose` (libav's own log too).
func commandLogger(verbose: Bool) -> Logger {
    var logger = Logger(label: "maxim-video") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = verbose ? .info : .warning
    LibavLog.configure(verbose: verbose)
    return logger
}

/// The two ways a job runs: in one piece (``VideoRestorer``) or in resumable segments (``SegmentedRestorer``).
protocol Restorer {
    var input: String { get }
    var output: String { get }
    var encoder: EncoderSettings { get }
    /// What to tell the user when the run was interrupted.
    var interruptedMessage: String { get }
    func run(cancellation: CancellationToken, progress: (@Sendable (RestorationProgress) -> Void)?) throws
        -> RestorationSummary
}

extension VideoRestorer: Restorer {
    var interruptedMessage: String {
        output == AtomicOutput.standardOutput
            ? "interrupted; the stream on standard output ends early" : "interrupted; no output written"
    }
}

extension SegmentedRestorer: Restorer {
    var interruptedMessage: String {
        "interrupted; finished segments kept in \(segments.stateDirectory) (if any); rerun with --resume to continue"
    }
}

/// A segmented (resumable) restorer for every job from a video file into a video file, so an uninterrupted run and
/// a resumed one cut at the same frames and produce the same packets; the one-piece restorer where segments cannot
/// work: stdin, stdout and image sequences unless `--resume` or `--segment-frames` asks for them (then refused), and
/// encoders whose segments are not known to join (``EncoderSettings/joinsSegments(_:)``; a warning).
func makeRestorer(
    input: String, stages: [any RestorationStage], options: RestorationOptions, encoder: EncoderSettings,
    restorer: RestorerOptions, logger: Logger
) -> any Restorer {
    let joinable = EncoderSettings.joinsSegments(encoder.codec)
    let fileToFile = canSegment(input: input, output: options.output)
    if options.segmented && fileToFile && !joinable {
        // Batch mode always asks for --resume: the job still runs, only not resumably.
        logger.warning(
            "\(options.output): \(encoder.codec) output cannot be written in segments; the job runs in one piece and an interruption restarts it")
    }
    guard (options.segmented || fileToFile) && joinable else {
        return VideoRestorer(
            input: input, output: options.output, stages: stages, encoder: encoder, options: restorer, logger: logger)
    }
    return SegmentedRestorer(
        input: input, output: options.output, stages: stages, encoder: encoder, options: restorer,
        segments: SegmentOptions(
            stateDirectory: options.stateDirectory, segmentFrames: options.segmentFrames, resume: options.resume),
        logger: logger)
}

/// Whether input and output are plain files, as segmented jobs need.
func canSegment(input: String, output: String) -> Bool {
    var isDirectory: ObjCBool = false
    return !isStreamInput(input) && !AtomicOutput.isPattern(URL(fileURLWithPath: input).lastPathComponent)
        && FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) && !isDirectory.boolValue
        && output != AtomicOutput.standardOutput && !AtomicOutput.isPattern(URL(fileURLWithPath: output).lastPathComponent)
}

/// Runs a restorer with a progress line, prints the summary, and maps failures to exit statuses.
///
/// A damaged input is reported in one line after the summary; a truncated one fails the run (status 1, its output
/// kept: every frame that could be read) unless `allowTruncated`.
func runReportingProgress(_ restorer: any Restorer, allowTruncated: Bool) throws {
    let signals = SignalCancellation()
    let token = signals.token
    defer { withExtendedLifetime(signals) {} }
    let reporter = ProgressReporter()
    let summary: RestorationSummary
    do {
        summary = try restorer.run(cancellation: token, progress: reporter.update)
        reporter.finishLine()
    } catch PipelineError.cancelled {
        reporter.finishLine()
        printError("maxim-video: \(restorer.interruptedMessage)")
        throw ExitStatus.interrupted
    } catch {
        reporter.finishLine()
        reportFailure(error)
        throw ExitStatus.failure
    }
    let fps = summary.seconds > 0 ? Double(summary.frames) / summary.seconds : 0
    printError(
        String(format: "%@: %d frames in %.1f s (%.2f fps), %@", restorer.output, summary.frames, summary.seconds,
               fps, summary.outputPixelFormat))
    for line in summary.inputNotes.warnings(encoder: restorer.encoder.codec) {
        printError("maxim-video: warning: \(restorer.input): \(line)")
    }
    let damage = summary.inputDamage
    if damage.isTruncated && !allowTruncated {
        printError(
            "maxim-video: error: \(restorer.input): \(damage.summary); \(restorer.output) holds those frames "
                + "(pass --allow-truncated to accept a short input)")
        throw ExitStatus.failure
    }
    if damage.isDamaged { printError("maxim-video: warning: \(restorer.input): \(damage.summary)") }
}

import Foundation
import Logging
import MediaIO

/// Restores a video resumably: frames go through the same decode → stages → encode threads as ``VideoRestorer``, but
/// the encoder writes segments of N frames into a state directory (``SegmentSink``), and a final step concatenates
/// them with the input's copied audio/subtitles into the output (``SegmentConcatenator``) and renames it into place.
///
/// ```
///  state/journal.json  segment-00000.mxseg …  ──concatenate + copy audio──▶ .NAME.maxim-partial ──rename──▶ NAME
/// ```
/// A rerun with ``SegmentOptions/resume`` keeps the intact leading segments of the same job (see
/// ``SegmentJournal/trusted(check:)``), seeks the input to the first missing frame (by frame index: the pts of the
/// last kept frame is only used to find that index after a keyframe seek) and continues. Uninterrupted and resumed
/// runs cut at the same frame indices with fresh encoders, so both produce the same packets.
///
/// # Cancellation
/// Stops at a frame boundary like ``VideoRestorer``; finished segments stay in the state directory, the unfinished
/// one (held in memory) is dropped, and ``PipelineError/cancelled`` is thrown.
public final class SegmentedRestorer: Sendable {
    public let input: String
    public let output: String
    public let stages: [any RestorationStage]
    public let encoder: EncoderSettings
    public let options: RestorerOptions
    public let segments: SegmentOptions
    private let logger: Logger

    public init(
        input: String, output: String, stages: [any RestorationStage], encoder: EncoderSettings,
        options: RestorerOptions, segments: SegmentOptions, logger: Logger = Logger(label: "maxim-video.pipeline")
    ) {
        self.input = input
        self.output = output
        self.stages = stages
        self.encoder = encoder
        self.options = options
        self.segments = segments
        self.logger = logger
    }

    /// The deterministic temporary name of the concatenated output, beside it (a rerun replaces a stale one).
    public var partialPath: String {
        let url = URL(fileURLWithPath: output)
        return url.deletingLastPathComponent()
            .appendingPathComponent(derivedFileName(url.lastPathComponent, prefix: ".", suffix: ".maxim-partial")).path
    }

    @discardableResult
    public func run(
        cancellation: CancellationToken = CancellationToken(),
        progress: (@Sendable (RestorationProgress) -> Void)? = nil
    ) throws -> RestorationSummary {
        let start = Date()
        try checkOutput()
        var reader = try openReader()
        let format = reader.format
        let directory = URL(fileURLWithPath: segments.stateDirectory)
        // Open the encoder once before touching the state directory, so a bad codec or pixel format, or a container
        // that cannot hold the streams, fails at once and leaves nothing behind.
        let outputPixelFormat = try SegmentEncoder.check(
            video: format, encoder: encoder, output: output, copyingStreamsOf: options.copyOtherStreams ? input : nil,
            subtitles: options.copySubtitles)
        logger.logPipelineSetup(
            input: input, format: format, output: output, codec: encoder.codec, outputPixelFormat: outputPixelFormat,
            stages: stages, framesInFlight: options.framesInFlightBound(stageCount: stages.count))
        let (journal, lock) = try prepareState(directory, format: format)
        defer { withExtendedLifetime(lock) {} }
        let segmentFrames = journal.identity.segmentFrames
        let startFrame = journal.frameCount
        if !journal.segments.isEmpty {
            logger.notice(
                "\(input): resuming at frame \(startFrame) (\(journal.segments.count) finished segment(s) kept)")
        }

        let sink = SegmentSink(journal: journal, directory: directory, output: output, video: format, encoder: encoder)
        var counts = (decoded: 0, encoded: 0, maxInFlight: 0)
        let bound = options.framesInFlightBound(stageCount: stages.count)
        if !journal.complete {
            if startFrame > 0, let last = journal.segments.last {
                if try !reader.seek(toFrame: startFrame, after: last.lastPTS) {
                    logger.notice("\(input): cannot seek; decoding from the start to frame \(startFrame)")
                    reader = try openReader()
                    try reader.skip(frames: startFrame)
                }
            }
            do {
                counts = try restore(
                    reader, into: sink, startFrame: startFrame, segmentFrames: segmentFrames,
                    total: format.estimatedFrameCount, start: start, cancellation: cancellation, progress: progress)
            } catch {
                // Nothing finished: nothing to resume, so leave no state directory behind.
                if sink.journal.segments.isEmpty { try? FileManager.default.removeItem(at: directory) }
                throw error
            }
        }
        let finished = sink.journal
        guard finished.frameCount > 0 else {
            throw MediaError(file: input, operation: "restore the video", reason: "the input has no frames")
        }

        let partial = partialPath
        unlink(partial)
        let result: SegmentConcatenator.Result
        do {
            result = try SegmentConcatenator.concatenate(
                segments: finished.segments.map { directory.appendingPathComponent($0.file).path }, video: format,
                encoder: encoder, input: options.copyOtherStreams ? input : nil, subtitles: options.copySubtitles,
                path: partial, file: output)
            guard result.videoPackets == finished.frameCount else {
                throw PipelineError.frameCountMismatch(
                    file: output, decoded: finished.frameCount, encoded: result.videoPackets)
            }
            try syncFile(partial)
        } catch {
            unlink(partial)
            throw error
        }
        TestHook.killIfRequested("rename")
        guard rename(partial, output) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(partial)
            throw MediaError(file: output, operation: "move the finished output into place", reason: reason)
        }
        DurableFile.syncDirectory(of: output)
        try? FileManager.default.removeItem(at: directory)
        TestHook.killIfRequested("done")
        if result.dtsRewrites > 0 {
            logger.info("\(output): raised \(result.dtsRewrites) decode timestamp(s) at segment boundaries")
        }
        var summary = RestorationSummary(
            frames: finished.frameCount, seconds: Date().timeIntervalSince(start),
            outputPixelFormat: sink.outputPixelFormat.isEmpty ? "copied" : sink.outputPixelFormat,
            maxFramesInFlight: counts.maxInFlight, framesInFlightBound: bound)
        summary.noteInput(of: reader)
        return summary
    }

    /// The input's video only: the other streams are copied from the input again when the segments are joined.
    private func openReader() throws(MediaError) -> VideoReader {
        try VideoReader(
            file: input, copyOtherStreams: false, decoderThreads: options.decoderThreads,
            sequenceFrameRate: options.sequenceFrameRate)
    }

    private func checkOutput() throws(MediaError) {
        let isSequence = { (name: String) in AtomicOutput.isPattern(URL(fileURLWithPath: name).lastPathComponent) }
        if isSequence(input) || isSequence(output) || isStreamInput(input) || output == AtomicOutput.standardOutput {
            throw MediaError(
                file: output, operation: "write the output in segments",
                reason: "resumable jobs need a video file as input and output (not a pipe or an image sequence)",
                hint: "leave out --resume and --segment-frames")
        }
        if URL(fileURLWithPath: input).standardizedFileURL == URL(fileURLWithPath: output).standardizedFileURL {
            throw MediaError(file: output, operation: "write the output", reason: "it is also the input")
        }
        let directory = URL(fileURLWithPath: output).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MediaError(file: output, operation: "write the output", reason: "directory \(directory) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw MediaError(file: output, operation: "write the output", reason: "directory \(directory) is not writable")
        }
        if !options.overwrite && FileManager.default.fileExists(atPath: output) {
            throw MediaError(
                file: output, operation: "write the output", reason: "it already exists",
                hint: "pass --overwrite to replace it")
        }
    }

    /// Locks the state directory for this job, then loads and checks the journal (resume) or clears the directory
    /// (fresh start); leaves only the lock, the journal and the trusted segments in it.
    ///
    /// The lock is held until the output is in place: a second job for the same output — a cron line firing again
    /// while the first still runs — would otherwise share the segments and the partial file, and discard the first
    /// job's segments where its settings differ. It fails at once instead.
    private func prepareState(_ directory: URL, format: VideoFormat) throws(MediaError) -> (SegmentJournal, FileLock) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw MediaError(
                file: output, operation: "create the state directory \(directory.path)",
                reason: MediaError.reason(for: error),
                hint: "choose another place with --state")
        }
        let lock: FileLock
        do {
            lock = try FileLock(path: directory.appendingPathComponent(Self.lockName).path, mode: .failIfHeld)
        } catch let error as MediaError {
            throw error
        } catch {
            throw MediaError(
                file: output, operation: "write the output",
                reason: "another maxim-video job is writing it now (its state \(directory.path) is locked)",
                hint: "wait for that job to finish")
        }
        let identity = try self.identity(format: format)
        var journal = SegmentJournal(identity: identity)
        if segments.resume, let old = SegmentJournal.load(from: directory) {
            if old.identity == identity {
                journal = old.trusted { SegmentJournal.fileIsIntact($0, in: directory) }
            } else {
                logger.notice("\(input): the state in \(directory.path) is for another job or settings; starting afresh")
            }
        }
        let keep = Set(journal.segments.map(\.file) + [SegmentJournal.fileName, Self.lockName])
        for name in (try? fm.contentsOfDirectory(atPath: directory.path)) ?? [] where !keep.contains(name) {
            try? fm.removeItem(at: directory.appendingPathComponent(name))
        }
        try journal.save(to: directory, file: output)
        return (journal, lock)
    }

    private static let lockName = "job.lock"

    private func identity(format: VideoFormat) throws(MediaError) -> SegmentJournal.Identity {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: input) } catch {
            throw MediaError(
                file: input, operation: "read the input's size and time", reason: MediaError.reason(for: error))
        }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let rate = format.frameRate.isUnknown ? nil : format.frameRate.doubleValue
        let settings = """
            stages=\(stages.map(\.name).joined(separator: ",")) codec=\(encoder.codec) \
            crf=\(encoder.crf.map { "\($0)" } ?? "~\(encoder.preferredCRF)") \
            preset=\(encoder.preset ?? "~" + encoder.preferredPreset) pix_fmt=\(encoder.pixelFormat ?? "~" + (encoder.preferredPixelFormat ?? "auto")) \
            options=\(encoder.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")) \
            copy=\(options.copyOtherStreams)\(options.copySubtitles ? "" : " subtitles=false")
            """
        return SegmentJournal.Identity(
            input: URL(fileURLWithPath: input).standardizedFileURL.path, inputSize: size, inputModified: modified,
            settings: settings,
            segmentFrames: segments.segmentFrames ?? SegmentOptions.defaultSegmentFrames(frameRate: rate))
    }

    private func syncFile(_ path: String) throws(MediaError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0, fsync(fd) == 0 else {
            if fd >= 0 { close(fd) }
            throw MediaError(file: output, operation: "flush the output to disk", reason: String(cString: strerror(errno)))
        }
        close(fd)
    }

    /// Runs decode → stages → segment sink on dedicated threads (see ``VideoRestorer``).
    private func restore(
        _ reader: VideoReader, into sink: SegmentSink, startFrame: Int, segmentFrames: Int, total: Int?, start: Date,
        cancellation: CancellationToken, progress: (@Sendable (RestorationProgress) -> Void)?
    ) throws -> (decoded: Int, encoded: Int, maxInFlight: Int) {
        let threads = StageThreads(stages: stages, options: options, cancellation: cancellation)
        let state = threads.state
        threads.spawn("decode") {
            do {
                while !cancellation.isCancelled, let frame = try reader.nextFrame() {
                    if startFrame + frame.index == segmentFrames { TestHook.killIfRequested("segment-1-decode") }
                    state.frameDecoded()
                    if !threads.input.push(frame) { return }
                }
                threads.input.close()
            } catch {
                state.fail(error)
            }
        }
        threads.startStages()
        let last = threads.output
        threads.spawn("encode") {
            do {
                while !cancellation.isCancelled, let item = last.pop() {
                    try sink.write(item.image, alpha: item.alpha, sideData: item.sideData, timing: item.timing)
                    state.frameEncoded()
                    progress?(
                        RestorationProgress(
                            framesDone: startFrame + item.index + 1, framesTotal: total,
                            elapsed: Date().timeIntervalSince(start)))
                }
                if state.firstError != nil || cancellation.isCancelled { return }
                try sink.finish()
            } catch {
                state.fail(error)
            }
        }
        return try threads.finish(output: output, cancellation: cancellation)
    }
}

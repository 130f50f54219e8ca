import Foundation
import Logging
import MediaIO

/// Restores a whole video: decode → stage 1 → … → stage n → encode, with copied audio/subtitles, written atomically.
///
/// ```
///  decoder ──q0──▶ stage 1 (workers) ──q1──▶ … ──qn──▶ encoder ──▶ temp file ──rename──▶ output
///  (VideoReader)                                       (VideoWriter)
/// ```
/// Every arrow is a ``BoundedQueue`` of ``RestorerOptions/queueCapacity`` frames, so memory is bounded by
/// ``RestorerOptions/framesInFlightBound(stageCount:)`` frames whatever the video's length. Every box is a dedicated
/// `Thread`: decoding, restoring and encoding block and burn CPU, which must never happen on Swift's cooperative
/// pool; GCD queues were rejected because blocked GCD workers make GCD spawn more threads.
///
/// Passthrough packets travel with the frame they preceded in the file, so the muxer is only touched by the encoder
/// thread. Decoder pts reach the encoder unchanged. The output gets exactly as many frames as were decoded, or the
/// run fails and leaves no output.
///
/// # Cancellation
/// When the token is cancelled the decoder stops before its next frame, the queues are emptied and every thread
/// ends after the frame it is working on; the partial output is deleted and ``PipelineError/cancelled`` is thrown.
public final class VideoRestorer: Sendable {
    public let input: String
    public let output: String
    public let stages: [any RestorationStage]
    public let encoder: EncoderSettings
    public let options: RestorerOptions
    private let logger: Logger

    public init(
        input: String, output: String, stages: [any RestorationStage], encoder: EncoderSettings = EncoderSettings(),
        options: RestorerOptions = RestorerOptions(), logger: Logger = Logger(label: "maxim-video.pipeline")
    ) {
        self.input = input
        self.output = output
        self.stages = stages
        self.encoder = encoder
        self.options = options
        self.logger = logger
    }

    /// Runs the whole pipeline on dedicated threads and blocks until it is done.
    ///
    /// - Parameter progress: called on the encoder thread after each frame; keep it cheap.
    @discardableResult
    public func run(
        cancellation: CancellationToken = CancellationToken(),
        progress: (@Sendable (RestorationProgress) -> Void)? = nil
    ) throws -> RestorationSummary {
        let start = Date()
        let reader = try VideoReader(
            file: input, copyOtherStreams: options.copyOtherStreams, copySubtitles: options.copySubtitles,
            decoderThreads: options.decoderThreads,
            sequenceFrameRate: options.sequenceFrameRate)
        let target = try AtomicOutput(finalPath: output, overwrite: options.overwrite, input: input)
        let writer: VideoWriter
        do {
            writer = try VideoWriter(
                path: target.writePath, displayName: output, video: reader.format, encoder: encoder,
                passthrough: reader.passthroughStreams)
        } catch {
            target.discard()
            throw error
        }
        let format = reader.format
        let bound = options.framesInFlightBound(stageCount: stages.count)
        logger.logPipelineSetup(
            input: input, format: format, output: output, codec: encoder.codec,
            outputPixelFormat: writer.outputPixelFormat, stages: stages, framesInFlight: bound)

        let threads = StageThreads(stages: stages, options: options, cancellation: cancellation)
        let state = threads.state
        // The encoder thread writes; the decoder thread writes too when copied packets pile up with no frame to
        // carry them (a video whose pictures end before its sound), once every frame before them is written.
        let writerLock = NSLock()
        reader.passthroughOverflow = { packets throws(MediaError) in
            guard state.waitUntilEncodedAllDecoded(cancellation: cancellation) else { return }
            writerLock.lock()
            defer { writerLock.unlock() }
            for packet in packets { try writer.write(packet) }
        }
        threads.spawn("decode") {
            Self.decode(reader, into: threads.input, state: state, cancellation: cancellation)
        }
        threads.startStages()
        let total = format.estimatedFrameCount
        threads.spawn("encode") {
            Self.encode(from: threads.output, to: writer, lock: writerLock, state: state, cancellation: cancellation) { done in
                let elapsed = Date().timeIntervalSince(start)
                progress?(RestorationProgress(framesDone: done, framesTotal: total, elapsed: elapsed))
            }
        }
        let counts: (decoded: Int, encoded: Int, maxInFlight: Int)
        do {
            counts = try threads.finish(output: output, cancellation: cancellation)
        } catch {
            target.discard()
            throw error
        }
        try target.commit()
        var summary = RestorationSummary(
            frames: counts.encoded, seconds: Date().timeIntervalSince(start),
            outputPixelFormat: writer.outputPixelFormat, maxFramesInFlight: counts.maxInFlight,
            framesInFlightBound: bound)
        summary.noteInput(of: reader)
        return summary
    }

    private static func decode(
        _ reader: VideoReader, into queue: BoundedQueue<PipelineItem>, state: PipelineState,
        cancellation: CancellationToken
    ) {
        do {
            while !cancellation.isCancelled, let frame = try reader.nextFrame() {
                state.frameDecoded()
                if !queue.push(frame) { return }
            }
            state.setTail(reader.takeRemainingPassthrough())
            queue.close()
        } catch {
            state.fail(error)
        }
    }

    private static func encode(
        from queue: BoundedQueue<PipelineItem>, to writer: VideoWriter, lock: NSLock, state: PipelineState,
        cancellation: CancellationToken, progress: (Int) -> Void
    ) {
        do {
            var done = 0
            while !cancellation.isCancelled, let item = queue.pop() {
                lock.lock()
                defer { lock.unlock() }
                for packet in item.passthrough { try writer.write(packet) }
                try writer.write(item.image, alpha: item.alpha, sideData: item.sideData, timing: item.timing)
                state.frameEncoded()
                done += 1
                progress(done)
            }
            if state.firstError != nil || cancellation.isCancelled { return }
            lock.lock()
            defer { lock.unlock() }
            for packet in state.takeTail() { try writer.write(packet) }
            try writer.finish()
        } catch {
            state.fail(error)
        }
    }
}

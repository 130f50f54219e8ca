import CFFmpeg
import Foundation

/// Demuxes and decodes the best video stream of an input into planar float RGB frames, collecting the packets of the
/// other streams for copying.
///
/// # Thread safety
/// Not thread-safe. `@unchecked Sendable` so it can be created on one thread (to fail fast on bad input) and then
/// handed to the decoder thread, which is from then on its only user.
public final class VideoReader: @unchecked Sendable {
    /// The input as the user named it.
    public let file: String
    public let format: VideoFormat
    /// Streams whose packets are collected for copying (empty when `copyOtherStreams` is false).
    public let passthroughStreams: [PassthroughStream]
    /// Absolute index of the next frame (frames returned or skipped so far).
    public private(set) var framesDecoded = 0
    /// Absolute index of the first frame returned after ``seek(toFrame:after:)`` or ``skip(frames:)``; returned
    /// frames are indexed from it, so a pipeline always sees indices from 0.
    public private(set) var firstIndex = 0

    private let demuxer: Demuxer
    private let decoder: VideoDecoder
    private let videoIndex: Int32
    private let packet: Packet
    private let frame: Frame
    private var converter: FrameConverter?
    private var pending: [PassthroughPacket] = []
    private var draining = false
    private let copiedIndices: Set<Int32>

    /// Opens `file` (a path, an image-sequence pattern such as `frames/%04d.png`, or `-` for stdin).
    public init(file: String, copyOtherStreams: Bool = true, decoderThreads: Int = 0) throws(MediaError) {
        self.file = file
        demuxer = try Demuxer(file: file)
        let index = try demuxer.bestVideoStream()
        videoIndex = Int32(index)
        let stream = demuxer.stream(index)
        decoder = try VideoDecoder(stream: stream, threads: decoderThreads, file: file)
        packet = try Packet(file: file)
        frame = try Frame(file: file)
        format = VideoReader.describe(stream, in: demuxer.context, decoder: decoder.context)

        var streams: [PassthroughStream] = []
        for i in 0..<demuxer.streamCount where i != index {
            let s = demuxer.stream(i)
            let type = s.pointee.codecpar.pointee.codec_type
            let copyable = type == AVMEDIA_TYPE_AUDIO || type == AVMEDIA_TYPE_SUBTITLE || type == AVMEDIA_TYPE_DATA
            guard copyOtherStreams && copyable else {
                s.pointee.discard = AVDISCARD_ALL
                continue
            }
            streams.append(
                PassthroughStream(
                    inputIndex: Int32(i),
                    mediaType: av_get_media_type_string(type).map { String(cString: $0) } ?? "unknown",
                    codec: String(cString: avcodec_get_name(s.pointee.codecpar.pointee.codec_id)),
                    timeBase: Rational(s.pointee.time_base),
                    parameters: try CodecParameters(copying: s.pointee.codecpar, file: file)))
        }
        passthroughStreams = streams
        copiedIndices = Set(streams.map(\.inputIndex))
    }

    /// The next frame in presentation order, or nil once the input and the decoder are drained.
    public func nextFrame() throws(MediaError) -> DecodedFrame? {
        while true {
            switch try decoder.receive(into: frame) {
            case .done:
                return try emit()
            case .endOfStream:
                return nil
            case .tryAgain:
                if draining { return nil }
                try feed()
            }
        }
    }

    /// Seeks so that the next frame returned is absolute frame `index`, given the pts of frame `index - 1`: seeks to
    /// the keyframe at or before that pts, then decodes forward and drops frames up to and including the one with
    /// exactly that pts. Returns false (the reader is then unusable) when the anchor frame was not found, e.g. the
    /// container cannot seek; the caller then opens a new reader and uses ``skip(frames:)``.
    public func seek(toFrame index: Int, after anchorPTS: Int64) throws(MediaError) -> Bool {
        precondition(framesDecoded == 0 && index > 0, "seek only on a fresh reader, to a frame after the first")
        guard av_seek_frame(demuxer.context, videoIndex, anchorPTS, AVSEEK_FLAG_BACKWARD) >= 0 else { return false }
        avcodec_flush_buffers(decoder.context)
        pending = []
        while let pts = try decodeWithoutConverting() {
            if pts == anchorPTS {
                framesDecoded = index
                firstIndex = index
                pending = []
                return true
            }
            if pts > anchorPTS { return false }
        }
        return false
    }

    /// Decodes and drops the first `count` frames (the exact fallback when seeking is not possible).
    public func skip(frames count: Int) throws(MediaError) {
        precondition(framesDecoded == 0, "skip only on a fresh reader")
        for skipped in 0..<count {
            guard try decodeWithoutConverting() != nil else {
                throw MediaError(
                    file: file, operation: "resume at frame \(count)", reason: "the input ends after \(skipped) frames",
                    hint: "the input changed since the job started; run without --resume")
            }
        }
        framesDecoded = count
        firstIndex = count
        pending = []
    }

    /// Decodes the next frame without converting it; returns its pts, or nil at the end.
    private func decodeWithoutConverting() throws(MediaError) -> Int64? {
        while true {
            switch try decoder.receive(into: frame) {
            case .done:
                let f = frame.pointer.pointee
                return f.pts != cffmpeg_AV_NOPTS_VALUE() ? f.pts : f.best_effort_timestamp
            case .endOfStream:
                return nil
            case .tryAgain:
                if draining { return nil }
                try feed()
            }
        }
    }

    /// Passthrough packets read after the last frame; call once ``nextFrame()`` has returned nil.
    public func takeRemainingPassthrough() -> [PassthroughPacket] {
        defer { pending = [] }
        return pending
    }

    private func feed() throws(MediaError) {
        guard try demuxer.read(into: packet) else {
            _ = try decoder.send(nil)
            draining = true
            return
        }
        let index = packet.pointer.pointee.stream_index
        if index == videoIndex {
            _ = try decoder.send(packet)
        } else if copiedIndices.contains(index) {
            let copy = try Packet(file: file)
            av_packet_move_ref(copy.pointer, packet.pointer)
            pending.append(PassthroughPacket(inputIndex: index, packet: copy))
        }
    }

    private func emit() throws(MediaError) -> DecodedFrame {
        let f = frame.pointer.pointee
        if converter == nil {
            converter = try FrameConverter(
                width: Int(f.width), height: Int(f.height), pixelFormat: AVPixelFormat(rawValue: f.format),
                colors: format.colors, direction: .toRGB, file: file)
        }
        let image = try converter!.toRGB(frame)
        let noPTS = cffmpeg_AV_NOPTS_VALUE()
        let pts = f.pts != noPTS ? f.pts : f.best_effort_timestamp
        guard pts != noPTS else {
            throw MediaError(
                file: file, operation: "read frame \(framesDecoded)", reason: "the frame has no timestamp",
                hint: "remux the input into a container with timestamps (mkv, mp4)")
        }
        let decoded = DecodedFrame(
            index: framesDecoded - firstIndex, image: image, timing: FrameTiming(pts: pts, duration: f.pkt_duration),
            passthrough: pending)
        pending = []
        framesDecoded += 1
        return decoded
    }

    private static func describe(
        _ stream: UnsafeMutablePointer<AVStream>, in context: UnsafeMutablePointer<AVFormatContext>,
        decoder: UnsafeMutablePointer<AVCodecContext>
    ) -> VideoFormat {
        let p = stream.pointee.codecpar!
        let rate = av_guess_frame_rate(context, stream, nil)
        var sar = stream.pointee.sample_aspect_ratio
        if sar.num == 0 { sar = p.pointee.sample_aspect_ratio }
        return VideoFormat(
            width: Int(p.pointee.width), height: Int(p.pointee.height),
            pixelFormat: pixelFormatName(decoder.pointee.pix_fmt),
            timeBase: Rational(stream.pointee.time_base), frameRate: Rational(rate),
            sampleAspectRatio: Rational(sar), colors: ColorTags(parameters: p),
            estimatedFrameCount: estimateFrameCount(stream, context, rate: rate))
    }

    static func estimateFrameCount(
        _ stream: UnsafeMutablePointer<AVStream>, _ context: UnsafeMutablePointer<AVFormatContext>, rate: AVRational
    ) -> Int? {
        if stream.pointee.nb_frames > 0 { return Int(stream.pointee.nb_frames) }
        guard rate.num > 0 && rate.den > 0 else { return nil }
        let fps = Double(rate.num) / Double(rate.den)
        if stream.pointee.duration != cffmpeg_AV_NOPTS_VALUE() && stream.pointee.duration > 0 {
            let seconds = Double(stream.pointee.duration) * av_q2d(stream.pointee.time_base)
            return Int((seconds * fps).rounded())
        }
        if context.pointee.duration != cffmpeg_AV_NOPTS_VALUE() && context.pointee.duration > 0 {
            return Int((Double(context.pointee.duration) / Double(AV_TIME_BASE) * fps).rounded())
        }
        return nil
    }
}

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
    /// Damage met so far (rejected packets, an early end); complete once ``nextFrame()`` has returned nil.
    public var damage: InputDamage {
        var record = damageSeen
        record.decodedFrames = framesDecoded
        return record
    }
    private var damageSeen = InputDamage()
    /// The last frame's timestamps, for a frame that comes without any.
    private var previousTiming: FrameTiming?
    /// Set by a seek: the first video packet read after it adds the packets the seek skipped (``packetsBefore(_:)``).
    private var countSkippedPackets = false
    /// What reading noticed (interlacing, pictures scaled, timestamps moved, captions); complete at the end.
    public private(set) var notes = InputNotes()

    private let demuxer: Demuxer
    private let decoder: VideoDecoder
    private let videoIndex: Int32
    private let packet: Packet
    private let frame: Frame
    private var converter: FrameConverter?
    private var rescaler: FrameRescaler?
    /// A JPEG photo's EXIF block, carried with its picture (``JPEGExif``).
    private let photoExif: [UInt8]?
    /// Passthrough packets read since the last frame, and their bytes.
    private var pending: [PassthroughPacket] = [] {
        didSet { if pending.isEmpty { pendingBytes = 0 } }
    }
    private var pendingBytes = 0
    /// Takes the passthrough packets held back when they pass ``passthroughHoldLimit`` bytes with no frame to travel
    /// with: the audio of a video whose pictures end minutes before its sound. The one-piece restorer writes them
    /// once every frame before them is written; nil holds them until the next frame (or the end).
    public var passthroughOverflow: (@Sendable (_ packets: [PassthroughPacket]) throws(MediaError) -> Void)?
    /// Passthrough bytes held between two frames before ``passthroughOverflow`` takes them.
    public static let passthroughHoldLimit = 16 << 20
    private var draining = false
    private let copiedIndices: Set<Int32>

    /// Opens `file` (a path, an image-sequence pattern such as `frames/%04d.png`, or `-` for stdin).
    ///   `sequenceFrameRate`: the frame rate of an image-sequence input (default 25); an error for other inputs.
    public init(
        file: String, copyOtherStreams: Bool = true, copySubtitles: Bool = true, decoderThreads: Int = 0,
        sequenceFrameRate: Rational? = nil
    ) throws(MediaError) {
        self.file = file
        demuxer = try Demuxer(file: file, sequenceFrameRate: sequenceFrameRate)
        let index = try demuxer.bestVideoStream()
        videoIndex = Int32(index)
        let stream = demuxer.stream(index)
        decoder = try VideoDecoder(stream: stream, threads: decoderThreads, file: file)
        packet = try Packet(file: file)
        frame = try Frame(file: file)
        var format = VideoReader.describe(stream, in: demuxer.context, decoder: decoder.context)
        format.quarterTurns = try VideoReader.uprightQuarterTurns(of: demuxer, streamIndex: index)
        let isOnePhoto = demuxer.holdsPictures && !isStreamInput(file)
            && !AtomicOutput.isPattern(URL(fileURLWithPath: file).lastPathComponent)
        photoExif = isOnePhoto && stream.pointee.codecpar.pointee.codec_id == AV_CODEC_ID_MJPEG
            ? JPEGExif.read(fromFile: file) : nil
        if format.colors.isHDR { format.hdr = HDRMetadata.read(stream: stream, file: file) }
        format.tags = VideoReader.keptTags(of: stream, in: demuxer)
        format.chapters = Chapter.read(from: demuxer.context)
        format.fileTags = dictionaryEntries(demuxer.context.pointee.metadata).filter {
            !["major_brand", "minor_version", "compatible_brands", "encoder"].contains($0.key.lowercased())
        }
        if format.quarterTurns % 2 == 1 {
            swap(&format.width, &format.height)
            let sar = format.sampleAspectRatio
            if sar.numerator > 0 && sar.denominator > 0 {
                format.sampleAspectRatio = Rational(sar.denominator, sar.numerator)
            }
        }
        self.format = format
        // Only an MP4/MOV index counts exactly: AVI's header announced 26 frames for 25 packets in a file FFmpeg
        // itself wrote (MPEG-4 Part 2 with MP3), and the job failed as "truncated".
        if stream.pointee.nb_frames > 0 && demuxer.isISOMedia {
            damageSeen.announcedFrames = Int(stream.pointee.nb_frames)
        }

        var streams: [PassthroughStream] = []
        for i in 0..<demuxer.streamCount where i != index {
            let s = demuxer.stream(i)
            let type = s.pointee.codecpar.pointee.codec_type
            guard copyOtherStreams && isCopiedMediaType(type, subtitles: copySubtitles) else {
                s.pointee.discard = AVDISCARD_ALL
                continue
            }
            streams.append(
                PassthroughStream(
                    inputIndex: Int32(i),
                    codec: String(cString: avcodec_get_name(s.pointee.codecpar.pointee.codec_id)),
                    timeBase: Rational(s.pointee.time_base),
                    tags: dictionaryEntries(s.pointee.metadata), disposition: s.pointee.disposition,
                    parameters: try CodecParameters(copying: s.pointee.codecpar, file: file)))
        }
        passthroughStreams = streams
        copiedIndices = Set(streams.map(\.inputIndex))
    }

    /// The next frame in presentation order, or nil once the input and the decoder are drained.
    public func nextFrame() throws(MediaError) -> DecodedFrame? {
        while true {
            switch try receive() {
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
        // A clock that may jump is made continuous from the file's start (``TimestampContinuity``): after a seek the
        // offsets before it are unknown, and the same raw timestamp may occur twice.
        if demuxer.hasDiscontinuousTimestamps { return false }
        guard av_seek_frame(demuxer.context, videoIndex, anchorPTS, AVSEEK_FLAG_BACKWARD) >= 0 else { return false }
        countSkippedPackets = true
        avcodec_flush_buffers(decoder.context)
        pending = []
        while let pts = try decodeWithoutConverting() {
            if pts == anchorPTS {
                previousTiming = FrameTiming(pts: pts, duration: frame.pointer.pointee.pkt_duration)
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
            _ = try nextTiming()
        }
        framesDecoded = count
        firstIndex = count
        pending = []
    }

    /// Decodes the next frame without converting it; returns its pts, or nil at the end.
    private func decodeWithoutConverting() throws(MediaError) -> Int64? {
        while true {
            switch try receive() {
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

    /// Video packets the container's index holds before `packet` (the first one read after a seek): a resumed job
    /// skips them, and the truncation test (``InputDamage/isTruncated``: packets read against the count the index
    /// announces) must count them as read, or every MP4 resumed past its first keyframe is "truncated". The index
    /// lists every packet, those an edit list discards included, in the time base of the packets' dts.
    private func packetsBefore(_ packet: Packet) -> Int {
        let stream = demuxer.stream(Int(videoIndex))
        let p = packet.pointer.pointee
        let dts = p.dts != cffmpeg_AV_NOPTS_VALUE() ? p.dts : p.pts
        guard dts != cffmpeg_AV_NOPTS_VALUE() else { return 0 }
        let at = av_index_search_timestamp(stream, dts, AVSEEK_FLAG_BACKWARD | AVSEEK_FLAG_ANY)
        guard at >= 0, let entry = avformat_index_get_entry(stream, at) else { return 0 }
        return Int(at) + (entry.pointee.timestamp < dts ? 1 : 0)
    }

    /// Passthrough packets read after the last frame; call once ``nextFrame()`` has returned nil.
    public func takeRemainingPassthrough() -> [PassthroughPacket] {
        defer { pending = [] }
        return pending
    }

    private func feed() throws(MediaError) {
        let more: Bool
        do {
            more = try demuxer.read(into: packet)
        } catch {
            // A container that breaks off part way (cut short, overwritten): keep what was read, record why.
            guard framesDecoded > 0 || damageSeen.rejectedPackets > 0 else { throw error }
            damageSeen.readError = error.reason
            more = false
        }
        guard more else {
            _ = try decoder.send(nil)
            draining = true
            return
        }
        let index = packet.pointer.pointee.stream_index
        if index == videoIndex {
            if countSkippedPackets {
                countSkippedPackets = false
                damageSeen.videoPackets += packetsBefore(packet)
            }
            damageSeen.videoPackets += 1
            do {
                _ = try decoder.send(packet)
            } catch where error.code != nil && error.code != cffmpeg_AVERROR(ENOMEM) {
                // Damaged packet: the decoder conceals what it can in the frames that follow; count and go on.
                try noteRejected(error)
            }
        } else if copiedIndices.contains(index) && !packet.isDiscarded {
            let copy = try Packet(file: file)
            av_packet_move_ref(copy.pointer, packet.pointer)
            pending.append(PassthroughPacket(inputIndex: index, packet: copy))
            pendingBytes += Int(copy.pointer.pointee.size)
            if pendingBytes > Self.passthroughHoldLimit, let overflow = passthroughOverflow {
                let packets = pending
                pending = []
                try overflow(packets)
            }
        }
    }

    /// The next decoded frame, with damage the decoder reports while decoding (frame threads report it here rather
    /// than when the packet is sent) counted like a rejected packet.
    private func receive() throws(MediaError) -> LibavStatus {
        do {
            return try decoder.receive(into: frame)
        } catch where error.code != nil && error.code != cffmpeg_AVERROR(ENOMEM) {
            try noteRejected(error)
            return .tryAgain
        }
    }

    private func noteRejected(_ error: MediaError) throws(MediaError) {
        damageSeen.rejectedPackets += 1
        if damageSeen.firstDecodeError == nil { damageSeen.firstDecodeError = error.reason }
        if damageSeen.rejectedPackets > Self.maximumRejectedPackets && framesDecoded == 0 {
            throw MediaError(
                file: file, operation: "decode video",
                reason: "\(damageSeen.rejectedPackets) packets in a row are invalid (\(error.reason))",
                hint: "the video stream is damaged beyond repair")
        }
    }

    /// Rejected packets tolerated before the first decodable frame; beyond it the stream is not video we can read.
    static let maximumRejectedPackets = 50

    private func emit() throws(MediaError) -> DecodedFrame {
        let f = frame.pointer.pointee
        if converter == nil {
            // The stream's size (before a display-matrix turn) in the first frame's pixel format.
            let (width, height) = format.quarterTurns % 2 == 1
                ? (format.height, format.width) : (format.width, format.height)
            let pixelFormat = AVPixelFormat(rawValue: f.format)
            converter = try FrameConverter(
                width: width, height: height, pixelFormat: pixelFormat, colors: format.colors, direction: .toRGB,
                file: file)
            rescaler = FrameRescaler(width: width, height: height, pixelFormat: pixelFormat, file: file)
        }
        var picture = frame
        if rescaler!.needs(frame) {
            if notes.rescaledFrames == 0 {
                notes.firstRescaled = "frame \(framesDecoded) is \(f.width)x\(f.height) "
                    + pixelFormatName(AVPixelFormat(rawValue: f.format))
            }
            notes.rescaledFrames += 1
            picture = try rescaler!.rescale(frame)
        }
        if f.interlaced_frame != 0 { notes.interlacedFrames += 1 }
        let (upright, alpha) = try converter!.toRGB(picture)
        let turns = format.quarterTurns
        let timing = try nextTiming()
        var sideData = FrameSideData.read(from: frame)
        if sideData?.captions != nil { notes.captionedFrames += 1 }
        if framesDecoded == 0, let photoExif {
            sideData = sideData ?? FrameSideData()
            sideData!.exif = photoExif
        }
        let decoded = DecodedFrame(
            index: framesDecoded - firstIndex, image: upright.rotatedClockwise(quarterTurns: turns),
            alpha: alpha?.rotatedClockwise(quarterTurns: turns), sideData: sideData, timing: timing,
            passthrough: pending)
        pending = []
        framesDecoded += 1
        return decoded
    }

    /// The decoded frame's timestamps: its own, else following the previous frame's, and always after the previous
    /// frame's. Run for the frames a resume skips too, so the resumed job stamps its frames as the uninterrupted one.
    private func nextTiming() throws(MediaError) -> FrameTiming {
        let f = frame.pointer.pointee
        let noPTS = cffmpeg_AV_NOPTS_VALUE()
        var pts = f.pts != noPTS ? f.pts : f.best_effort_timestamp
        if pts == noPTS, let previous = previousTiming {
            // MPEG-PS stamps only some frames, and the decoder guesses none for the last ones: the frame follows
            // the previous one by its duration (else one frame period).
            let period = format.frameRate.isUnknown
                ? 1 : av_rescale_q(1, AVRational(num: format.frameRate.denominator, den: format.frameRate.numerator),
                                   format.timeBase.av)
            pts = previous.pts + (previous.duration > 0 ? previous.duration : max(1, period))
        }
        guard pts != noPTS else {
            throw MediaError(
                file: file, operation: "read frame \(framesDecoded)", reason: "the frame has no timestamp",
                hint: "remux the input into a container with timestamps (mkv, mp4)")
        }
        if let previous = previousTiming, pts <= previous.pts {
            // Two frames at one time (a capture clock too coarse, a broken remux): no encoder takes that, so the
            // later frame moves one tick after the earlier; every frame is kept.
            pts = previous.pts + 1
            notes.retimedFrames += 1
        }
        let timing = FrameTiming(pts: pts, duration: f.pkt_duration)
        previousTiming = timing
        return timing
    }

    /// ``VideoFormat/tags``: the video stream's language, title and timecode; a timecode kept elsewhere (the file's
    /// tags, a QuickTime `tmcd` data track) is moved onto the video stream, where every muxer looks for it.
    private static func keptTags(of stream: UnsafeMutablePointer<AVStream>, in demuxer: Demuxer) -> [String: String] {
        // Keys in lower case: Matroska spells them TIMECODE, TITLE.
        func lowered(_ dictionary: OpaquePointer?) -> [String: String] {
            Dictionary(dictionaryEntries(dictionary).map { ($0.key.lowercased(), $0.value) }) { first, _ in first }
        }
        var tags = lowered(stream.pointee.metadata).filter { ["language", "title", "timecode"].contains($0.key) }
        if tags["timecode"] == nil {
            let elsewhere = [lowered(demuxer.context.pointee.metadata)["timecode"]]
                + (0..<demuxer.streamCount).map { lowered(demuxer.stream($0).pointee.metadata)["timecode"] }
            tags["timecode"] = elsewhere.compactMap { $0 }.first
        }
        return tags
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

    /// Clockwise quarter turns that show the stream upright, from its display matrix (0 without one). Rotations that
    /// are not multiples of 90° and mirroring matrices are refused rather than silently dropped.
    static func displayQuarterTurns(_ stream: UnsafeMutablePointer<AVStream>, file: String) throws(MediaError) -> Int {
        var size: Int = 0
        guard let data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size), size >= 36 else {
            return 0
        }
        return try quarterTurns(UnsafeRawPointer(data).bindMemory(to: Int32.self, capacity: 9), file: file)
    }

    /// Clockwise quarter turns that show stream `streamIndex` of `demuxer` upright: its display matrix, else, for a
    /// photo, its EXIF orientation.
    static func uprightQuarterTurns(of demuxer: Demuxer, streamIndex: Int) throws(MediaError) -> Int {
        let turns = try displayQuarterTurns(demuxer.stream(streamIndex), file: demuxer.file)
        guard turns == 0 && demuxer.holdsPictures && !isStreamInput(demuxer.file) else { return turns }
        return try pictureQuarterTurns(file: demuxer.file, streamIndex: streamIndex)
    }

    /// A photo's EXIF orientation: FFmpeg's JPEG decoder hands it out as a display matrix on the decoded picture,
    /// not on the stream, so a phone's portrait photo was restored lying on its side (and re-encoded without its
    /// EXIF, shown so by every viewer). Read off the first picture; a sequence takes its first picture's.
    private static func pictureQuarterTurns(file: String, streamIndex: Int) throws(MediaError) -> Int {
        guard let frame = try decodeFirstFrame(of: file, streamIndex: streamIndex),
              let side = av_frame_get_side_data(frame.pointer, AV_FRAME_DATA_DISPLAYMATRIX), side.pointee.size >= 36
        else { return 0 }
        return try quarterTurns(UnsafeRawPointer(side.pointee.data).bindMemory(to: Int32.self, capacity: 9), file: file)
    }

    private static func quarterTurns(_ matrix: UnsafePointer<Int32>, file: String) throws(MediaError) -> Int {
        if Int64(matrix[0]) * Int64(matrix[4]) - Int64(matrix[1]) * Int64(matrix[3]) < 0 {
            throw MediaError(
                file: file, operation: "read the display matrix", reason: "it mirrors the picture, which is not supported",
                hint: "flip it first, e.g. ffmpeg -i IN -vf hflip -metadata:s:v rotate=0 OUT")
        }
        let counterclockwise = av_display_rotation_get(matrix)
        guard counterclockwise.isFinite else { return 0 }
        let clockwise = (-counterclockwise).truncatingRemainder(dividingBy: 360)
        let turns = (clockwise / 90).rounded()
        guard abs(clockwise - turns * 90) < 1 else {
            throw MediaError(
                file: file, operation: "read the display matrix",
                reason: "it rotates by \(Int(clockwise.rounded()))°; only multiples of 90° are supported")
        }
        return (Int(turns) % 4 + 4) % 4
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

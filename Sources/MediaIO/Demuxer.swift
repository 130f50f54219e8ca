import CFFmpeg
import Foundation

/// Sole owner of an input `AVFormatContext`: opens a file, an image-sequence pattern or `-` (stdin) and reads packets.
final class Demuxer {
    /// The input as the user named it; used in every error message.
    let file: String
    let context: UnsafeMutablePointer<AVFormatContext>

    /// - Parameter sequenceFrameRate: the frame rate of an image sequence (FFmpeg's default is 25); refused for
    ///   other inputs, which carry their own.
    init(file: String, sequenceFrameRate: Rational? = nil) throws(MediaError) {
        self.file = file
        try Demuxer.checkReadable(file)
        let url = file == "-" ? "pipe:0" : file
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        let first = try Demuxer.firstNumber(ofSequence: file)
        if let first { av_dict_set(&options, "start_number", String(first), 0) }
        if let sequenceFrameRate {
            guard first != nil else {
                throw MediaError(
                    file: file, operation: "set the frame rate", reason: "only an image sequence takes --framerate",
                    hint: "a video keeps its own frame rate and timestamps")
            }
            av_dict_set(&options, "framerate", sequenceFrameRate.description, 0)
        }
        var opened: UnsafeMutablePointer<AVFormatContext>?
        let code = avformat_open_input(&opened, url, nil, &options)
        guard code >= 0, let context = opened else {
            let hint = Demuxer.looksLikeISOMedia(file)
                ? "it starts like an MP4/MOV but has no readable index (moov): the file was probably cut short while "
                    + "being written; copy it again from its source"
                : "is it a video file or an image-sequence pattern like frames/%04d.png?"
            throw MediaError(file: file, operation: "open input", reason: libavMessage(code), code: code, hint: hint)
        }
        let info = avformat_find_stream_info(context, nil)
        if info < 0 {
            avformat_close_input(&opened)
            throw MediaError(file: file, operation: "read stream information", reason: libavMessage(info), code: info)
        }
        self.context = context
    }

    deinit {
        var c: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&c)
    }

    /// Catches the common mistakes with a clearer message than libav's before libav sees the path.
    private static func checkReadable(_ file: String) throws(MediaError) {
        if file.contains("://") {
            throw MediaError(
                file: file, operation: "open input", reason: "network addresses are not read",
                hint: "download the file first: a stalled connection would hang an unattended job")
        }
        if isStreamInput(file) || file.contains("%") { return }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw MediaError(file: file, operation: "open input", reason: "no such file")
        }
        if isDirectory.boolValue {
            throw MediaError(
                file: file, operation: "open input", reason: "is a directory",
                hint: "for an image sequence pass a pattern such as \(file)/%04d.png")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.intValue
        if size == 0 {
            throw MediaError(file: file, operation: "open input", reason: "file is empty (0 bytes)")
        }
    }

    /// For an image-sequence pattern, the first frame number on disk (FFmpeg looks among 0–4 only); an error where
    /// the numbers have a gap, which FFmpeg's reader would end the video at without a word. nil for other inputs and
    /// for patterns that match no file (libav's own message then says so).
    private static func firstNumber(ofSequence file: String) throws(MediaError) -> Int? {
        guard file != "-", let sequence = ImageSequence(pattern: file), let first = sequence.numbers.first else {
            return nil
        }
        if let gap = sequence.firstGap {
            throw MediaError(
                file: file, operation: "open input",
                reason: "frame \(gap.missing) is missing: the files jump from \(gap.last) to \(gap.next)",
                hint: "number the frames without gaps; the video would otherwise end at the gap")
        }
        return first
    }

    /// Whether the file begins with an ISO base media `ftyp` box (mp4, mov, m4v, 3gp).
    private static func looksLikeISOMedia(_ file: String) -> Bool {
        guard !isStreamInput(file), let handle = FileHandle(forReadingAtPath: file) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 8)) ?? Data()
        return head.count == 8 && head[4...7].elementsEqual("ftyp".utf8)
    }

    var streamCount: Int { Int(context.pointee.nb_streams) }

    func stream(_ index: Int) -> UnsafeMutablePointer<AVStream> {
        precondition(index >= 0 && index < streamCount, "stream index \(index) out of range")
        return context.pointee.streams[index]!
    }

    /// Index of the video stream libav considers best, never a cover picture (an MP3's or M4A's attached artwork,
    /// which is one untimed picture, not video); throws when there is none.
    func bestVideoStream() throws(MediaError) -> Int {
        let isCover = { (i: Int) in self.stream(i).pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0 }
        var index = Int(av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0))
        if index >= 0 && isCover(index) {
            index = (0..<streamCount).first {
                stream($0).pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO && !isCover($0)
            } ?? -1
            guard index >= 0 else {
                throw MediaError(
                    file: file, operation: "find a video stream",
                    reason: "the input has no video stream, only a cover picture (an audio file?)")
            }
        }
        guard index >= 0 else {
            throw MediaError(file: file, operation: "find a video stream", reason: "the input has no video stream")
        }
        return index
    }

    /// Reads the next packet; false at end of input.
    func read(into packet: Packet) throws(MediaError) -> Bool {
        while true {
            av_packet_unref(packet.pointer)
            let status: LibavStatus
            do {
                status = try libav(av_read_frame(context, packet.pointer), "read a packet", file: file)
            } catch where pipedISOMedia {
                throw MediaError(
                    file: file, operation: error.operation, reason: error.reason, code: error.code,
                    hint: "an MP4/MOV with its index (moov) at the end cannot be read from a pipe: pass the file's "
                        + "name, or remux it with -movflags +faststart")
            }
            switch status {
            case .done:
                if hasDiscontinuousTimestamps {
                    let stream = context.pointee.streams[Int(packet.pointer.pointee.stream_index)]!
                    let type = stream.pointee.codecpar.pointee.codec_type
                    continuity.correct(
                        packet.pointer, timeBase: stream.pointee.time_base,
                        isContinuous: type == AVMEDIA_TYPE_VIDEO || type == AVMEDIA_TYPE_AUDIO)
                }
                return true
            case .endOfStream: return false
            case .tryAgain: continue
            }
        }
    }

    /// Whether this is stdin carrying MP4/MOV, where a failed read means the index came last: the demuxer had to
    /// read past the media data to reach it, and what it read is gone.
    private var pipedISOMedia: Bool { isStreamInput(file) && isISOMedia }

    /// Whether the input is pictures (a photo, an image sequence: `image2` and the `*_pipe` image demuxers).
    var holdsPictures: Bool {
        let name = String(cString: context.pointee.iformat.pointee.name)
        return name == "image2" || name.hasSuffix("_pipe")
    }

    /// Whether the container's clock may jump (MPEG-TS, MPEG-PS): ``read(into:)`` then makes it continuous.
    var hasDiscontinuousTimestamps: Bool {
        context.pointee.iformat.pointee.flags & cffmpeg_AVFMT_TS_DISCONT() != 0
    }
    private var continuity = TimestampContinuity()

    /// MP4/MOV (and 3GP, M4V, …): the containers whose index lists every packet, so its count is exact.
    var isISOMedia: Bool { String(cString: context.pointee.iformat.pointee.name).hasPrefix("mov,") }
}

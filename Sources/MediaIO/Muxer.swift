import CFFmpeg
import Foundation

/// Sole owner of an output `AVFormatContext` and its `AVIOContext`; `deinit` closes and frees both.
///
/// The container is chosen from `formatName` (the user's final output name), while bytes go to `path` (the
/// temporary name beside it, see ``AtomicOutput``): `.partial` names have no useful extension.
final class Muxer {
    let file: String
    let context: UnsafeMutablePointer<AVFormatContext>
    private var ioOpen = false

    /// - Parameter formatName: the name whose extension picks the container; `-` (standard output) is Matroska,
    ///   which streams without seeking back and holds every stream a job copies.
    init(path: String, formatName: String, file: String) throws(MediaError) {
        self.file = file
        let format = formatName == AtomicOutput.standardOutput
            ? av_guess_format("matroska", nil, nil) : av_guess_format(nil, formatName, nil)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), isDirectory.boolValue {
            throw MediaError(
                file: file, operation: "write the output", reason: "it is a directory",
                hint: "name a file in it, e.g. \((file as NSString).appendingPathComponent("restored.mkv"))")
        }
        guard let format else {
            throw MediaError(
                file: file, operation: "choose the output container", reason: "unknown file extension",
                hint: "use .mp4, .mkv, .mov, a pattern such as out/%04d.png, or - for Matroska on standard output")
        }
        var created: UnsafeMutablePointer<AVFormatContext>?
        try libavRequire(avformat_alloc_output_context2(&created, format, nil, path), "create the output", file: file)
        guard let created else { throw outOfMemory("output context", file: file) }
        context = created
    }

    deinit {
        if ioOpen { avio_closep(&context.pointee.pb) }
        avformat_free_context(context)
    }

    /// Whether encoders must put their headers in extradata (mp4, mkv, …).
    var wantsGlobalHeader: Bool { context.pointee.oformat.pointee.flags & cffmpeg_AVFMT_GLOBALHEADER() != 0 }

    /// Whether the container is a picture per file (`out/%04d.png`, `still.png`): it takes the video stream only, as
    /// FFmpeg's own tool maps it. Handed an audio stream, the image muxers write each audio packet as one more
    /// numbered "picture" (39 AAC packets between 24 frames of a 1 s clip).
    var holdsVideoOnly: Bool { Muxer.isImageFormat(context.pointee.oformat) }

    static func isImageFormat(_ format: UnsafePointer<AVOutputFormat>) -> Bool {
        ["image2", "image2pipe"].contains(String(cString: format.pointee.name))
    }

    /// Whether FFmpeg's table says `format` can hold `codec`: nil where the container keeps no such table (Ogg, …;
    /// writing the header decides there). MPEG-TS keeps none either, but writes a codec without a stream type of its
    /// own as private data that no reader recognises (FFV1 and VP9 came back as `bin_data`): its stream types are
    /// listed here.
    static func holds(_ format: UnsafePointer<AVOutputFormat>, _ codec: AVCodecID) -> Bool? {
        if String(cString: format.pointee.name) == "mpegts" { return mpegTSCodecs.contains(codec) }
        let answer = avformat_query_codec(format, codec, 0 /* FF_COMPLIANCE_NORMAL */)
        return answer < 0 ? nil : answer == 1
    }

    /// The codecs FFmpeg 5.1's MPEG-TS muxer gives a stream type (`mpegtsenc.c`), checked by writing and reading
    /// back where an encoder exists: video, audio, DVB subtitles and teletext, and the data of drone and broadcast
    /// metadata (KLV, ID3).
    private static let mpegTSCodecs: Set<AVCodecID> = [
        AV_CODEC_ID_MPEG1VIDEO, AV_CODEC_ID_MPEG2VIDEO, AV_CODEC_ID_MPEG4, AV_CODEC_ID_H264, AV_CODEC_ID_HEVC,
        AV_CODEC_ID_CAVS, AV_CODEC_ID_AVS2, AV_CODEC_ID_AVS3, AV_CODEC_ID_DIRAC, AV_CODEC_ID_VC1,
        AV_CODEC_ID_MP2, AV_CODEC_ID_MP3, AV_CODEC_ID_AAC, AV_CODEC_ID_AAC_LATM, AV_CODEC_ID_AC3, AV_CODEC_ID_EAC3,
        AV_CODEC_ID_DTS, AV_CODEC_ID_OPUS, AV_CODEC_ID_S302M,
        AV_CODEC_ID_DVB_SUBTITLE, AV_CODEC_ID_DVB_TELETEXT, AV_CODEC_ID_SMPTE_KLV, AV_CODEC_ID_TIMED_ID3,
    ]

    private var containerName: String { String(cString: context.pointee.oformat.pointee.name) }

    private func holds(_ codec: AVCodecID) -> Bool? { Muxer.holds(context.pointee.oformat, codec) }

    /// Fails where the container cannot hold the encoder's video (H.264 into WebM), before any frame is restored.
    func requireVideo(_ codec: AVCodecID, encoder: String) throws(MediaError) {
        guard holds(codec) == false else { return }
        throw MediaError(
            file: file, operation: "choose the output container", reason: "\(containerName) cannot hold \(encoder) video",
            hint: "name an encoder it takes with --codec, or use .mkv or .mp4")
    }

    /// Fails where the output is one picture file (`still.png`, not `still-%04d.png`) and the input has more frames:
    /// the image muxer would take the first and refuse the second, after it was restored.
    func requireRoom(forFrames count: Int?) throws(MediaError) {
        let name = URL(fileURLWithPath: file).lastPathComponent
        guard holdsVideoOnly, !AtomicOutput.isPattern(name), let count, count > 1 else { return }
        let stem = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
        throw MediaError(
            file: file, operation: "choose the output container",
            reason: "\(name) holds one picture and the input has \(count) frames",
            hint: "name a sequence such as \(stem)-%04d.\(ext), or a video file")
    }

    /// Whether input stream `index` (audio, subtitle, data or attachment) is copied into this container. Audio and
    /// subtitles it cannot hold fail the job before any frame is restored (a stream the user may want is never
    /// dropped silently); data streams (camera telemetry, timecode tracks, a DVD's navigation packets) go only where
    /// the container's table holds them, or into MPEG-TS where it has a stream type for them (KLV, ID3), and
    /// attachments only into Matroska — elsewhere they are left out, as FFmpeg's own tool leaves them (a VOB's
    /// navigation stream made the MPEG-PS muxer refuse the whole output); an image sequence takes none.
    func takesCopiedStream(index: Int32, type: AVMediaType, codec: AVCodecID) throws(MediaError) -> Bool {
        if holdsVideoOnly { return false }
        // Attachments (subtitle fonts) are Matroska's own, outside its codec table; elsewhere they are left out.
        if type == AVMEDIA_TYPE_ATTACHMENT { return containerName == "matroska" }
        if type == AVMEDIA_TYPE_DATA { return holds(codec) == true }
        guard holds(codec) == false else { return true }
        let kind = av_get_media_type_string(type).map { String(cString: $0) } ?? "other"
        let matroskaHoldsIt = av_guess_format("matroska", nil, nil).map { Muxer.holds($0, codec) == true } ?? false
        throw MediaError(
            file: file, operation: "choose the output container",
            reason: "\(containerName) cannot hold the input's \(String(cString: avcodec_get_name(codec))) \(kind) "
                + "stream (#\(index))",
            hint: (matroskaHoldsIt ? "use .mkv, which holds it, or " : "use ")
                + (type == AVMEDIA_TYPE_SUBTITLE ? "--no-subtitles to leave the subtitles out"
                    : "--no-audio to leave the input's other streams out"))
    }

    /// The streams of `demuxer` a job copies into this container (``isCopiedMediaType``, ``takesCopiedStream``), in
    /// input order; throws where the container cannot hold one it must.
    func copiedStreams(of demuxer: Demuxer, subtitles: Bool = true) throws(MediaError) -> [Int] {
        var copied: [Int] = []
        for i in 0..<demuxer.streamCount {
            let parameters = demuxer.stream(i).pointee.codecpar.pointee
            if isCopiedMediaType(parameters.codec_type, subtitles: subtitles),
               try takesCopiedStream(index: Int32(i), type: parameters.codec_type, codec: parameters.codec_id) {
                copied.append(i)
            }
        }
        return copied
    }

    /// Adds the restored video's stream: the encoder's parameters and time base, and what describes the input's
    /// video (aspect ratio, frame rate, HDR metadata, ``VideoFormat/tags``); fails first where the container cannot
    /// hold that video.
    func addVideoStream(encoder: VideoEncoder, video: VideoFormat) throws(MediaError) -> UnsafeMutablePointer<AVStream> {
        try requireVideo(encoder.context.pointee.codec_id, encoder: encoder.codecName)
        let stream = try addStream()
        try libavRequire(
            avcodec_parameters_from_context(stream.pointee.codecpar, encoder.context), "set up the video stream",
            file: file)
        stream.pointee.time_base = encoder.context.pointee.time_base
        stream.pointee.sample_aspect_ratio = video.sampleAspectRatio.av
        if !video.frameRate.isUnknown { stream.pointee.avg_frame_rate = video.frameRate.av }
        video.hdr.attach(to: stream)
        for (key, value) in video.tags.sorted(by: { $0.key < $1.key }) { av_dict_set(&stream.pointee.metadata, key, value, 0) }
        return stream
    }

    /// Adds a stream copied packet for packet from input stream `index`, with its tags and disposition (language
    /// and default/forced flags must survive the copy); the container picks its own codec tag.
    func addCopiedStream(
        index: Int32, parameters: UnsafePointer<AVCodecParameters>, timeBase: AVRational, tags: [String: String],
        disposition: Int32
    ) throws(MediaError) -> UnsafeMutablePointer<AVStream> {
        let stream = try addStream()
        try libavRequire(avcodec_parameters_copy(stream.pointee.codecpar, parameters), "copy stream \(index)", file: file)
        stream.pointee.codecpar.pointee.codec_tag = 0
        stream.pointee.time_base = timeBase
        for (key, value) in tags.sorted(by: { $0.key < $1.key }) { av_dict_set(&stream.pointee.metadata, key, value, 0) }
        stream.pointee.disposition = disposition
        return stream
    }

    func addStream() throws(MediaError) -> UnsafeMutablePointer<AVStream> {
        guard let stream = avformat_new_stream(context, nil) else { throw outOfMemory("output stream", file: file) }
        return stream
    }

    func stream(_ index: Int32) -> UnsafeMutablePointer<AVStream> { context.pointee.streams[Int(index)]! }

    /// Creates the file (unless the format writes its own files, like image sequences) and writes the header, with
    /// the file tags and chapters of `video`'s input (``VideoFormat/fileTags``, ``VideoFormat/chapters``).
    func start(copying video: VideoFormat? = nil) throws(MediaError) {
        if let video {
            for (key, value) in video.fileTags.sorted(by: { $0.key < $1.key }) {
                av_dict_set(&context.pointee.metadata, key, value, 0)
            }
            Chapter.add(video.chapters, to: context)
        }
        if context.pointee.oformat.pointee.flags & cffmpeg_AVFMT_NOFILE() == 0 {
            try libavRequire(
                avio_open(&context.pointee.pb, context.pointee.url, cffmpeg_AVIO_FLAG_WRITE()), "create the output file",
                file: file)
            ioOpen = true
        }
        let code = avformat_write_header(context, nil)
        if code < 0 {
            throw MediaError(
                file: file, operation: "write the output header", reason: libavMessage(code), code: code,
                hint: "the container may not accept one of the streams; try another container, or --no-audio")
        }
    }

    /// Writes a packet in interleaved order; the muxer takes the packet's data.
    func write(_ packet: Packet) throws(MediaError) {
        try libavRequire(av_interleaved_write_frame(context, packet.pointer), "write a packet", file: file)
    }

    func finish() throws(MediaError) {
        try libavRequire(av_write_trailer(context), "finish the output", file: file)
        if ioOpen {
            try libavRequire(avio_closep(&context.pointee.pb), "close the output file", file: file)
            ioOpen = false
        }
    }
}

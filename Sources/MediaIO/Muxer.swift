import CFFmpeg

/// Sole owner of an output `AVFormatContext` and its `AVIOContext`; `deinit` closes and frees both.
///
/// The container is chosen from `formatName` (the user's final output name), while bytes go to `path` (the
/// temporary name beside it, see ``AtomicOutput``): `.partial` names have no useful extension.
final class Muxer {
    let file: String
    let context: UnsafeMutablePointer<AVFormatContext>
    private var ioOpen = false

    init(path: String, formatName: String, file: String) throws(MediaError) {
        self.file = file
        guard let format = av_guess_format(nil, formatName, nil) else {
            throw MediaError(
                file: file, operation: "choose the output container", reason: "unknown file extension",
                hint: "use .mp4, .mkv, .mov, or a pattern such as out/%04d.png")
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
    /// numbered "picture" (39 AAC packets between 24 frames of a 1 s clip), so the copied streams are left out.
    var holdsVideoOnly: Bool {
        ["image2", "image2pipe"].contains(String(cString: context.pointee.oformat.pointee.name))
    }

    func addStream() throws(MediaError) -> UnsafeMutablePointer<AVStream> {
        guard let stream = avformat_new_stream(context, nil) else { throw outOfMemory("output stream", file: file) }
        return stream
    }

    func stream(_ index: Int32) -> UnsafeMutablePointer<AVStream> { context.pointee.streams[Int(index)]! }

    /// Creates the file (unless the format writes its own files, like image sequences) and writes the header.
    func start() throws(MediaError) {
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

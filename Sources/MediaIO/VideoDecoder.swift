import CFFmpeg

/// Sole owner of a decoding `AVCodecContext` for one video stream.
final class VideoDecoder {
    let file: String
    let context: UnsafeMutablePointer<AVCodecContext>

    init(stream: UnsafeMutablePointer<AVStream>, threads: Int, file: String) throws(MediaError) {
        self.file = file
        let parameters = stream.pointee.codecpar!
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
            let name = String(cString: avcodec_get_name(parameters.pointee.codec_id))
            throw MediaError(file: file, operation: "find a decoder", reason: "no decoder for codec \(name)")
        }
        guard let context = avcodec_alloc_context3(codec) else { throw outOfMemory("decoder", file: file) }
        self.context = context
        try libavRequire(avcodec_parameters_to_context(context, parameters), "configure the decoder", file: file)
        context.pointee.pkt_timebase = stream.pointee.time_base
        context.pointee.thread_count = Int32(threads)
        try libavRequire(avcodec_open2(context, codec, nil), "open the video decoder", file: file)
    }

    deinit {
        var c: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&c)
    }

    /// Sends a packet, or `nil` to start draining.
    func send(_ packet: Packet?) throws(MediaError) -> LibavStatus {
        try libav(avcodec_send_packet(context, packet?.pointer), "decode video", file: file)
    }

    func receive(into frame: Frame) throws(MediaError) -> LibavStatus {
        av_frame_unref(frame.pointer)
        return try libav(avcodec_receive_frame(context, frame.pointer), "decode video", file: file)
    }
}

import CFFmpeg

/// Sole owner of an audio encoding `AVCodecContext`; takes interleaved float samples, cuts them into the encoder's
/// frame size and converts them to its sample format.
final class AudioEncoder {
    let file: String
    let context: UnsafeMutablePointer<AVCodecContext>
    let settings: AudioTrackSettings
    private let sampleFormat: AVSampleFormat
    private let frameSize: Int
    private var buffer: [Float] = []
    private var samplesSent: Int64 = 0

    init(settings: AudioTrackSettings, globalHeader: Bool, file: String) throws(MediaError) {
        self.file = file
        self.settings = settings
        guard let codec = avcodec_find_encoder_by_name(settings.codec), codec.pointee.type == AVMEDIA_TYPE_AUDIO else {
            throw MediaError(file: file, operation: "open audio encoder \(settings.codec)", reason: "no such audio encoder")
        }
        var formats: [AVSampleFormat] = []
        if var p = codec.pointee.sample_fmts {
            while p.pointee != AV_SAMPLE_FMT_NONE { formats.append(p.pointee); p += 1 }
        }
        let preferred = [AV_SAMPLE_FMT_FLTP, AV_SAMPLE_FMT_FLT, AV_SAMPLE_FMT_S16, AV_SAMPLE_FMT_S16P]
        guard let format = preferred.first(where: { formats.contains($0) }) else {
            throw MediaError(
                file: file, operation: "open audio encoder \(settings.codec)",
                reason: "it takes none of the sample formats flt, fltp, s16, s16p")
        }
        sampleFormat = format
        guard let context = avcodec_alloc_context3(codec) else { throw outOfMemory("audio encoder", file: file) }
        self.context = context
        context.pointee.sample_fmt = format
        context.pointee.sample_rate = Int32(settings.sampleRate)
        av_channel_layout_default(&context.pointee.ch_layout, Int32(settings.channels))
        context.pointee.time_base = AVRational(num: 1, den: Int32(settings.sampleRate))
        if globalHeader { context.pointee.flags |= Int32(cffmpeg_AV_CODEC_FLAG_GLOBAL_HEADER()) }
        try libavRequire(avcodec_open2(context, codec, nil), "open audio encoder \(settings.codec)", file: file)
        frameSize = context.pointee.frame_size > 0 ? Int(context.pointee.frame_size) : 1024
    }

    deinit {
        var c: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&c)
    }

    /// Queues interleaved samples and encodes every complete frame; `write` receives the packets.
    func encode(_ interleaved: [Float], write: (Packet) throws(MediaError) -> Void) throws(MediaError) {
        buffer.append(contentsOf: interleaved)
        let channels = settings.channels
        while buffer.count >= frameSize * channels {
            try sendFrame(samples: frameSize, write: write)
        }
    }

    /// Encodes what is left (the last frame may be short) and drains the encoder.
    func finish(write: (Packet) throws(MediaError) -> Void) throws(MediaError) {
        if !buffer.isEmpty {
            let channels = settings.channels
            let count = buffer.count / channels
            let variable = context.pointee.codec.pointee.capabilities & Int32(cffmpeg_AV_CODEC_CAP_VARIABLE_FRAME_SIZE()) != 0
            if !variable && count < frameSize {
                buffer.append(contentsOf: [Float](repeating: 0, count: (frameSize - count) * channels))
            }
            try sendFrame(samples: variable ? count : frameSize, write: write)
        }
        _ = try libav(avcodec_send_frame(context, nil), "encode audio", file: file)
        try drain(write: write)
    }

    private func sendFrame(samples: Int, write: (Packet) throws(MediaError) -> Void) throws(MediaError) {
        let channels = settings.channels
        let frame = try Frame(file: file)
        let f = frame.pointer
        f.pointee.nb_samples = Int32(samples)
        f.pointee.format = sampleFormat.rawValue
        f.pointee.sample_rate = Int32(settings.sampleRate)
        try libavRequire(av_channel_layout_copy(&f.pointee.ch_layout, &context.pointee.ch_layout), "encode audio", file: file)
        try libavRequire(av_frame_get_buffer(f, 0), "allocate audio frame", file: file)
        let planar = av_sample_fmt_is_planar(sampleFormat) != 0
        let isFloat = sampleFormat == AV_SAMPLE_FMT_FLT || sampleFormat == AV_SAMPLE_FMT_FLTP
        for c in 0..<(planar ? channels : 1) {
            guard let plane = f.pointee.extended_data[c] else { continue }
            for s in 0..<samples {
                for k in 0..<(planar ? 1 : channels) {
                    let channel = planar ? c : k
                    let value = max(-1, min(1, buffer[s * channels + channel]))
                    let slot = planar ? s : s * channels + k
                    if isFloat {
                        UnsafeMutableRawPointer(plane).assumingMemoryBound(to: Float.self)[slot] = value
                    } else {
                        UnsafeMutableRawPointer(plane).assumingMemoryBound(to: Int16.self)[slot] = Int16(value * 32767)
                    }
                }
            }
        }
        buffer.removeFirst(min(buffer.count, samples * channels))
        f.pointee.pts = samplesSent
        samplesSent += Int64(samples)
        _ = try libav(avcodec_send_frame(context, f), "encode audio", file: file)
        try drain(write: write)
    }

    private func drain(write: (Packet) throws(MediaError) -> Void) throws(MediaError) {
        while true {
            let packet = try Packet(file: file)
            switch try libav(avcodec_receive_packet(context, packet.pointer), "encode audio", file: file) {
            case .done: try write(packet)
            case .tryAgain, .endOfStream: return
            }
        }
    }
}

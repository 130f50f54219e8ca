import CFFmpeg

/// Sole owner of an encoding `AVCodecContext` for the output video.
final class VideoEncoder {
    let file: String
    let context: UnsafeMutablePointer<AVCodecContext>
    let pixelFormat: AVPixelFormat
    let codecName: String
    /// The time base of the timestamps the writers are given (the input's); the encoder's own is the same except
    /// for codecs that count time in frames (``needsFrameClock(_:_:)``).
    private let inputTimeBase: AVRational
    /// The colour tags the output is converted and tagged with: the input's, except where the codec fixes the
    /// matrix. JPEG (JFIF) is BT.601 whatever the picture's size, and every decoder reads it so: converted with the
    /// BT.709 matrix that untagged HD input gets, a 720p frame came back 6.8 dB worse than at BT.601 (a colour shift).
    let colors: ColorTags

    /// Opens `settings.codec` for pictures shaped like `video`, with `video`'s time base so pts pass unchanged (the
    /// frame period for codecs that count time in frames: ``needsFrameClock(_:_:)``, ``stamp(_:with:)``).
    init(settings: EncoderSettings, video: VideoFormat, globalHeader: Bool, file: String) throws(MediaError) {
        self.file = file
        codecName = settings.codec
        guard let codec = avcodec_find_encoder_by_name(settings.codec), codec.pointee.type == AVMEDIA_TYPE_VIDEO else {
            throw MediaError(
                file: file, operation: "open encoder \(settings.codec)",
                reason: "this libavcodec has no video encoder of that name",
                hint: "use e.g. libx264, libx265, libx264rgb, ffv1 or png")
        }
        pixelFormat = try VideoEncoder.choosePixelFormat(
            codec: codec, requested: settings.pixelFormat, preferred: settings.preferredPixelFormat,
            input: video.pixelFormat, width: video.width, height: video.height, file: file)
        guard let context = avcodec_alloc_context3(codec) else { throw outOfMemory("encoder", file: file) }
        self.context = context

        let c = context
        c.pointee.width = Int32(video.width)
        c.pointee.height = Int32(video.height)
        c.pointee.pix_fmt = pixelFormat
        inputTimeBase = VideoEncoder.timeBase(for: video)
        c.pointee.time_base = VideoEncoder.needsFrameClock(codec, inputTimeBase) && !video.frameRate.isUnknown
            ? AVRational(num: video.frameRate.denominator, den: video.frameRate.numerator) : inputTimeBase
        if !video.frameRate.isUnknown { c.pointee.framerate = video.frameRate.av }
        c.pointee.sample_aspect_ratio = video.sampleAspectRatio.av
        var colors = video.colors
        if codec.pointee.id == AV_CODEC_ID_MJPEG {  // JFIF: BT.601, full range (``fullRangeForJPEG``)
            colors.matrix = Int32(AVCOL_SPC_BT470BG.rawValue)
            colors.range = Int32(AVCOL_RANGE_JPEG.rawValue)
        }
        self.colors = colors
        colors.apply(to: c)
        c.pointee.thread_count = Int32(settings.threads)
        if globalHeader { c.pointee.flags |= Int32(cffmpeg_AV_CODEC_FLAG_GLOBAL_HEADER()) }

        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        for (key, value) in settings.options.sorted(by: { $0.key < $1.key }) { av_dict_set(&options, key, value, 0) }
        let option = { (name: String) in av_opt_find(c.pointee.priv_data, name, nil, 0, 0) }
        let hasOption = { (name: String) in option(name) != nil }
        if let crf = settings.crf ?? (hasOption("crf") ? settings.preferredCRF : nil) {
            av_dict_set(&options, "crf", String(crf), 0)
        }
        // The default preset is x264/x265's word ("medium"); encoders whose preset is a number or their own enum
        // (SVT-AV1, libwebp) keep their own default, and a preferred one.
        let takesNamedPreset = option("preset")?.pointee.type == AV_OPT_TYPE_STRING
        if let preset = settings.preset ?? (takesNamedPreset ? settings.preferredPreset : nil) {
            av_dict_set(&options, "preset", preset, 0)
        }
        if hasOption("x265-params") && settings.options["x265-params"] == nil && !LibavLog.isVerbose {
            av_dict_set(&options, "x265-params", "log-level=error", 0)
        }
        let setsRate = settings.options.keys.contains { ["b", "global_quality", "qscale", "flags"].contains($0) }
        if settings.crf == nil && !setsRate && EncoderSettings.fixedQuantiserEncoders.contains(settings.codec) {
            c.pointee.flags |= Int32(cffmpeg_AV_CODEC_FLAG_QSCALE())
            c.pointee.global_quality = EncoderSettings.defaultQuantiser * cffmpeg_FF_QP2LAMBDA()
        }
        let opened = avcodec_open2(c, codec, &options)
        if opened < 0 && !VideoEncoder.fitsSubsampling(pixelFormat, width: video.width, height: video.height) {
            throw MediaError(
                file: file, operation: "open encoder \(codecName)",
                reason: "\(pixelFormatName(pixelFormat)) subsamples chroma, which needs an even picture size, and the "
                    + "video is \(video.width)x\(video.height)",
                hint: "leave out --pix-fmt to keep the size in 4:4:4, or use e.g. --pix-fmt yuv444p")
        }
        if opened < 0, let preset = settings.preset {
            throw MediaError(
                file: file, operation: "open encoder \(codecName)", reason: libavMessage(opened), code: opened,
                hint: "is '\(preset)' one of its presets? x264/x265 take ultrafast, superfast, veryfast, faster, fast, "
                    + "medium, slow, slower, veryslow, placebo")
        }
        try libavRequire(opened, "open encoder \(codecName)", file: file)
        if let unused = av_dict_get(options, "", nil, AV_DICT_IGNORE_SUFFIX) {
            throw MediaError(
                file: file, operation: "open encoder \(codecName)",
                reason: "the encoder has no option '\(String(cString: unused.pointee.key))'")
        }
    }

    deinit {
        var c: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&c)
    }

    /// Sets `frame`'s timestamps from the input's, in the encoder's time base.
    func stamp(_ frame: Frame, with timing: FrameTiming) {
        let encoderTimeBase = context.pointee.time_base
        frame.pointer.pointee.pts = av_rescale_q(timing.pts, inputTimeBase, encoderTimeBase)
        frame.pointer.pointee.pkt_duration = av_rescale_q(timing.duration, inputTimeBase, encoderTimeBase)
    }

    /// Codecs whose bitstream counts time in frames or in 16 bits: MPEG-1/2 and Theora take only a time base of one
    /// frame (with the input's 1/1000, MPEG-2 refused to open and Theora's pages played 4 of 12 frames), MPEG-4
    /// Part 2 and its kin one of at most 65535 ticks a second (MPEG-TS inputs have 1/90000). They encode with the
    /// frame period as time base; the pts are rescaled (exact for constant-rate input).
    static func needsFrameClock(_ codec: UnsafePointer<AVCodec>, _ timeBase: AVRational) -> Bool {
        switch codec.pointee.id {
        case AV_CODEC_ID_MPEG1VIDEO, AV_CODEC_ID_MPEG2VIDEO, AV_CODEC_ID_THEORA: return true
        case AV_CODEC_ID_MPEG4, AV_CODEC_ID_H263, AV_CODEC_ID_H263P, AV_CODEC_ID_MSMPEG4V2, AV_CODEC_ID_MSMPEG4V3,
            AV_CODEC_ID_FLV1, AV_CODEC_ID_WMV1, AV_CODEC_ID_WMV2:
            return timeBase.den > 65535
        default: return false
        }
    }

    /// Sends a frame, or nil to start draining.
    func send(_ frame: Frame?) throws(MediaError) -> LibavStatus {
        try libav(avcodec_send_frame(context, frame?.pointer), "encode video with \(codecName)", file: file)
    }

    func receive(into packet: Packet) throws(MediaError) -> LibavStatus {
        av_packet_unref(packet.pointer)
        let status = try libav(avcodec_receive_packet(context, packet.pointer), "encode video with \(codecName)", file: file)
        if case .done = status, let exif = exifForNextPacket {
            exifForNextPacket = nil
            try JPEGExif.insert(exif, into: packet, file: file)
        }
        return status
    }

    /// A JPEG photo's EXIF block for the next packet, which MJPEG codes from the frame just sent (``JPEGExif``).
    var exifForNextPacket: [UInt8]?

    /// Sends a restored frame with what it carries beside its pixels (``FrameSideData``).
    func send(_ frame: Frame, carrying sideData: FrameSideData?) throws(MediaError) -> LibavStatus {
        try sideData?.attach(to: frame, file: file)
        if context.pointee.codec_id == AV_CODEC_ID_MJPEG { exifForNextPacket = sideData?.exif }
        return try send(frame)
    }

    /// The input's time base; when unknown, the frame period, else 1/25.
    static func timeBase(for video: VideoFormat) -> AVRational {
        if !video.timeBase.isUnknown { return video.timeBase.av }
        if !video.frameRate.isUnknown { return AVRational(num: video.frameRate.denominator, den: video.frameRate.numerator) }
        return AVRational(num: 1, den: 25)
    }

    /// The requested format (validated), else the preferred one where the encoder takes it and it fits, else the
    /// input's format when the encoder takes it, else the encoder's format closest to the input (same depth and
    /// chroma where possible, `avcodec_find_best_pix_fmt_of_list`).
    ///
    /// Only formats whose chroma subsampling divides the picture size are chosen: the output keeps the input's size
    /// exactly, so an odd-sized 4:2:0 input is encoded as 4:4:4 at the same depth (H.264/HEVC encoders cannot code
    /// odd sizes in 4:2:0, and cropping or padding would change the picture). A requested subsampled format that does
    /// not fit is used if the encoder takes it (FFV1 does); if it does not, opening fails with an error naming the
    /// alternative.
    static func choosePixelFormat(
        codec: UnsafePointer<AVCodec>, requested: String?, preferred: String? = nil, input: String, width: Int,
        height: Int, file: String
    ) throws(MediaError) -> AVPixelFormat {
        let fits = { (format: AVPixelFormat) in fitsSubsampling(format, width: width, height: height) }
        var supported: [AVPixelFormat] = []
        if var p = codec.pointee.pix_fmts {
            while p.pointee != AV_PIX_FMT_NONE {
                if sws_isSupportedOutput(p.pointee) != 0 { supported.append(p.pointee) }
                p += 1
            }
        }
        let name = String(cString: codec.pointee.name)
        if let requested {
            let format = av_get_pix_fmt(requested)
            guard format != AV_PIX_FMT_NONE else {
                throw MediaError(file: file, operation: "choose the pixel format", reason: "unknown pixel format \(requested)")
            }
            guard supported.isEmpty || supported.contains(format) else {
                throw MediaError(
                    file: file, operation: "choose the pixel format",
                    reason: "encoder \(name) does not take \(requested)",
                    hint: "it takes " + supported.map(pixelFormatName).joined(separator: ", "))
            }
            return format
        }
        if let preferred {
            let format = av_get_pix_fmt(preferred)
            guard format != AV_PIX_FMT_NONE else {
                throw MediaError(file: file, operation: "choose the pixel format", reason: "unknown pixel format \(preferred)")
            }
            if (supported.isEmpty || supported.contains(format)) && fits(format) { return format }
        }
        let source = av_get_pix_fmt(input)
        if supported.isEmpty {
            if sws_isSupportedOutput(source) != 0 && fits(source) { return source }
            return fits(AV_PIX_FMT_YUV420P) ? AV_PIX_FMT_YUV420P : AV_PIX_FMT_YUV444P
        }
        let usable = supported.filter(fits)
        guard !usable.isEmpty else {
            throw MediaError(
                file: file, operation: "choose the pixel format",
                reason: "encoder \(name) has no pixel format for a \(width)x\(height) picture",
                hint: "use an encoder with 4:4:4 or RGB formats, e.g. --codec libx264rgb or ffv1")
        }
        if usable.contains(source) { return fullRangeForJPEG(source, codec: codec) }
        let list = usable + [AV_PIX_FMT_NONE]
        // Alpha counts as a loss only where the input has it, so RGBA input keeps an alpha channel where it can.
        let hasAlpha: Int32 = cffmpeg_pix_fmt_flags(source) & cffmpeg_AV_PIX_FMT_FLAG_ALPHA() != 0 ? 1 : 0
        let best = list.withUnsafeBufferPointer { avcodec_find_best_pix_fmt_of_list($0.baseAddress, source, hasAlpha, nil) }
        return fullRangeForJPEG(best, codec: codec)
    }

    /// JPEG codes full-range YUV: the MJPEG encoder lists limited-range `yuv420p` but refuses to open with it
    /// ("non full-range YUV is non-standard"), so its full-range twin (`yuvj420p`) is used.
    private static func fullRangeForJPEG(_ format: AVPixelFormat, codec: UnsafePointer<AVCodec>) -> AVPixelFormat {
        guard codec.pointee.id == AV_CODEC_ID_MJPEG else { return format }
        switch format {
        case AV_PIX_FMT_YUV420P: return AV_PIX_FMT_YUVJ420P
        case AV_PIX_FMT_YUV422P: return AV_PIX_FMT_YUVJ422P
        case AV_PIX_FMT_YUV444P: return AV_PIX_FMT_YUVJ444P
        default: return format
        }
    }

    /// Whether `format`'s chroma subsampling divides `width`×`height`.
    static func fitsSubsampling(_ format: AVPixelFormat, width: Int, height: Int) -> Bool {
        FrameConverter.wholeChromaBlocks(format, width: width, height: height) == (width, height)
    }
}

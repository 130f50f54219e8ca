import CFFmpeg

/// What a media file contains: container, streams, sizes, pixel formats, colour tags and frame counts.
public struct MediaInfo: Sendable, Equatable, Codable {
    public var file: String
    public var container: String
    /// Container duration in seconds, when known.
    public var duration: Double?
    public var streams: [StreamInfo]

    /// Opens and (with `scanPackets`) reads the whole file to count packets per stream exactly.
    ///
    /// - Parameter collectTimestamps: also keep every packet's pts (for tests of timing), sorted per stream.
    public static func probe(
        _ file: String, scanPackets: Bool = true, collectTimestamps: Bool = false
    ) throws(MediaError) -> MediaInfo {
        let demuxer = try Demuxer(file: file)
        let context = demuxer.context
        var streams: [StreamInfo] = []
        for i in 0..<demuxer.streamCount {
            let s = demuxer.stream(i)
            let p = s.pointee.codecpar!
            var info = StreamInfo(
                index: i, type: av_get_media_type_string(p.pointee.codec_type).map { String(cString: $0) } ?? "unknown",
                codec: String(cString: avcodec_get_name(p.pointee.codec_id)), timeBase: Rational(s.pointee.time_base))
            if s.pointee.nb_frames > 0 { info.frameCount = Int(s.pointee.nb_frames) }
            info.language = dictionaryEntries(s.pointee.metadata)["language"]
            if s.pointee.duration != cffmpeg_AV_NOPTS_VALUE() && s.pointee.duration > 0 {
                info.duration = Double(s.pointee.duration) * av_q2d(s.pointee.time_base)
            }
            if p.pointee.codec_type == AVMEDIA_TYPE_VIDEO {
                let colors = ColorTags(parameters: p)
                info.width = Int(p.pointee.width)
                info.height = Int(p.pointee.height)
                info.pixelFormat = pixelFormatName(AVPixelFormat(rawValue: p.pointee.format))
                info.frameRate = Rational(av_guess_frame_rate(context, s, nil))
                info.sampleAspectRatio = Rational(av_guess_sample_aspect_ratio(context, s, nil))
                let turns = (try? VideoReader.uprightQuarterTurns(of: demuxer, streamIndex: i)) ?? 0
                info.rotation = turns == 0 ? nil : 90 * turns
                info.colorRange = colors.rangeName
                info.colorPrimaries = colors.primariesName
                info.colorTransfer = colors.transferName
                info.colorMatrix = colors.matrixName
            } else if p.pointee.codec_type == AVMEDIA_TYPE_AUDIO {
                info.sampleRate = Int(p.pointee.sample_rate)
                info.channels = Int(p.pointee.ch_layout.nb_channels)
            }
            streams.append(info)
        }
        if scanPackets && !isStreamInput(file) {
            try scan(demuxer, into: &streams, collectTimestamps: collectTimestamps)
        }
        let duration = context.pointee.duration != cffmpeg_AV_NOPTS_VALUE() && context.pointee.duration > 0
            ? Double(context.pointee.duration) / Double(AV_TIME_BASE) : nil
        let container = String(cString: context.pointee.iformat.pointee.name)
        return MediaInfo(file: file, container: container, duration: duration, streams: streams)
    }

    /// Counts the packets a player presents (not those an MP4 edit list cuts off) and measures each stream's extent (first pts to last pts + duration) where the container
    /// declares no duration of its own (Matroska's streams). A declared one (MP4's track duration) is kept: packets of
    /// an H.264 stream coded in a fine time base (ours: the input's, e.g. 1/12800) come out of the parser without
    /// durations, and the extent would end a frame early.
    private static func scan(
        _ demuxer: Demuxer, into streams: inout [StreamInfo], collectTimestamps: Bool
    ) throws(MediaError) {
        let packet = try Packet(file: demuxer.file)
        var counts = [Int](repeating: 0, count: streams.count)
        var first = [Int64?](repeating: nil, count: streams.count)
        var end = [Int64?](repeating: nil, count: streams.count)
        var stamps = [[Int64]](repeating: [], count: streams.count)
        let noPTS = cffmpeg_AV_NOPTS_VALUE()
        while try demuxer.read(into: packet) {
            let p = packet.pointer.pointee
            let i = Int(p.stream_index)
            guard i < streams.count, !packet.isDiscarded else { continue }  // before an edit list's start
            counts[i] += 1
            if p.pts != noPTS {
                first[i] = min(first[i] ?? p.pts, p.pts)
                end[i] = max(end[i] ?? p.pts, p.pts + p.duration)
                if collectTimestamps { stamps[i].append(p.pts) }
            }
        }
        for i in streams.indices {
            streams[i].frameCount = counts[i]
            if streams[i].duration == nil, let a = first[i], let b = end[i] {
                streams[i].duration = Double(b - a) * streams[i].timeBase.doubleValue
            }
            if collectTimestamps { streams[i].packetTimestamps = stamps[i].sorted() }
        }
    }

    /// The first video stream.
    public var video: StreamInfo? { streams.first { $0.type == "video" } }
    /// The first audio stream.
    public var audio: StreamInfo? { streams.first { $0.type == "audio" } }
}

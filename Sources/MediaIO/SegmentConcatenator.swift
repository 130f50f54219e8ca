import CFFmpeg
import Foundation

/// Joins finished segments into the final container by packet copy, muxing the input's audio, subtitle and data
/// packets copied straight from the input, interleaved by dts.
///
/// Segments are decoded nowhere: their packets go into the output as they are. Two things are rewritten:
/// - timestamps are rescaled to the output stream's time base (the container may pick a finer one);
/// - with B-frames every segment's first dts lies below its first pts and can fall at or below the previous
///   segment's last dts; such a dts is raised to one tick above its predecessor. Pts are never touched, and a
///   dts that would have to pass its own pts fails the job instead of writing an undecodable file.
public enum SegmentConcatenator {
    public struct Result: Sendable, Equatable {
        public let videoPackets: Int
        public let passthroughPackets: Int
        /// Video packets whose dts had to be raised at a segment boundary.
        public let dtsRewrites: Int
    }

    /// - Parameters:
    ///   - segments: segment files in order.
    ///   - video/encoder: the format and settings the segments were encoded with (they give the stream parameters).
    ///   - input: the job's input, read again for its audio/subtitle/data packets; nil copies none.
    ///   - subtitles: whether its subtitles (and their fonts) are among them.
    ///   - path: where bytes go; `file`: the output as the user named it (picks the container, named in errors).
    public static func concatenate(
        segments: [String], video: VideoFormat, encoder settings: EncoderSettings, input: String?,
        subtitles: Bool = true, path: String, file: String
    ) throws(MediaError) -> Result {
        let muxer = try Muxer(path: path, formatName: file, file: file)
        let encoder = try VideoEncoder(
            settings: settings, video: video, globalHeader: muxer.wantsGlobalHeader, file: file)
        let videoStream = try muxer.addVideoStream(encoder: encoder, video: video)
        let encoderTimeBase = encoder.context.pointee.time_base

        let demuxer = try input.map { (name: String) throws(MediaError) in try Demuxer(file: name) }
        var map: [Int32: (out: Int32, timeBase: AVRational)] = [:]
        if let demuxer {
            let copied = Set(try muxer.copiedStreams(of: demuxer, subtitles: subtitles))
            for i in 0..<demuxer.streamCount {
                let s = demuxer.stream(i)
                guard copied.contains(i) else {
                    s.pointee.discard = AVDISCARD_ALL
                    continue
                }
                let out = try muxer.addCopiedStream(
                    index: Int32(i), parameters: s.pointee.codecpar, timeBase: s.pointee.time_base,
                    tags: dictionaryEntries(s.pointee.metadata), disposition: s.pointee.disposition)
                map[Int32(i)] = (out.pointee.index, s.pointee.time_base)
            }
        }
        try muxer.start(copying: video)
        let outTimeBase = videoStream.pointee.time_base

        let packet = try Packet(file: file)
        var pending: Packet?
        var inputDone = demuxer == nil
        var passthroughCount = 0
        /// Reads the input's next copied packet into `pending` (nil at its end).
        func fill() throws(MediaError) {
            while pending == nil && !inputDone, let demuxer {
                guard try demuxer.read(into: packet) else {
                    inputDone = true
                    return
                }
                guard map[packet.pointer.pointee.stream_index] != nil, !packet.isDiscarded else { continue }
                let copy = try Packet(file: file)
                av_packet_move_ref(copy.pointer, packet.pointer)
                pending = copy
            }
        }
        func writePending() throws(MediaError) {
            guard let p = pending, let target = map[p.pointer.pointee.stream_index] else { return }
            pending = nil
            av_packet_rescale_ts(p.pointer, target.timeBase, muxer.stream(target.out).pointee.time_base)
            p.pointer.pointee.stream_index = target.out
            p.pointer.pointee.pos = -1
            try muxer.write(p)
            passthroughCount += 1
        }
        /// Whether the pending input packet goes before a video packet with `dts` (encoder time base).
        func pendingFirst(_ dts: Int64) -> Bool {
            guard let p = pending?.pointer.pointee, let target = map[p.stream_index] else { return false }
            let t = p.dts != cffmpeg_AV_NOPTS_VALUE() ? p.dts : p.pts
            if t == cffmpeg_AV_NOPTS_VALUE() { return true }
            return av_compare_ts(t, target.timeBase, dts, encoderTimeBase) <= 0
        }

        var sequencer = DecodeTimestampSequencer()
        var videoCount = 0
        let expectedExtradata = encoder.extradata
        for (index, segment) in segments.enumerated() {
            let bytes: [UInt8]
            do {
                bytes = Array(try Data(contentsOf: URL(fileURLWithPath: segment)))
            } catch {
                throw MediaError(
                    file: file, operation: "read segment \(segment)", reason: MediaError.reason(for: error))
            }
            let parsed = try SegmentFile(decoding: bytes, file: segment)
            guard parsed.extradata == expectedExtradata else {
                throw MediaError(
                    file: file, operation: "concatenate segment \(segment)",
                    reason: "its codec headers differ from the encoder's (settings changed between runs?)",
                    hint: "delete the job's state directory and run again")
            }
            if index == 1 { TestHook.killIfRequested("concat") }
            for stored in parsed.packets {
                try fill()
                while pendingFirst(stored.dts) {
                    try writePending()
                    try fill()
                }
                let out = try Packet(file: file)
                try libavRequire(av_new_packet(out.pointer, Int32(stored.data.count)), "allocate a packet", file: file)
                stored.data.withUnsafeBufferPointer { source in
                    if let base = source.baseAddress { out.pointer.pointee.data.update(from: base, count: source.count) }
                }
                let pts = av_rescale_q(stored.pts, encoderTimeBase, outTimeBase)
                guard let dts = sequencer.next(pts: pts, dts: av_rescale_q(stored.dts, encoderTimeBase, outTimeBase))
                else {
                    throw MediaError(
                        file: file, operation: "concatenate segment \(segment)",
                        reason: "its decode timestamps cannot follow the previous segment's without passing pts",
                        hint: "use a finer time base or an encoder without B-frames")
                }
                out.pointer.pointee.pts = pts
                out.pointer.pointee.dts = dts
                out.pointer.pointee.duration = av_rescale_q(stored.duration, encoderTimeBase, outTimeBase)
                out.pointer.pointee.flags = stored.flags
                out.pointer.pointee.stream_index = videoStream.pointee.index
                try muxer.write(out)
                videoCount += 1
            }
        }
        try fill()
        while pending != nil {
            try writePending()
            try fill()
        }
        try muxer.finish()
        return Result(
            videoPackets: videoCount, passthroughPackets: passthroughCount, dtsRewrites: sequencer.rewrites)
    }
}

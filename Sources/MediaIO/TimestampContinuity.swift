import CFFmpeg

/// Makes the clock of a container that may jump (MPEG-TS, MPEG-PS: recordings joined with `cat`, a recorder that
/// restarts its clock) run on, as FFmpeg's tool does (`ffmpeg.c`, `-dts_delta_threshold`): where a stream's decode
/// time leaves its predicted next value by more than 10 s, or goes back by more than 0.1 s, every stream's later
/// timestamps shift by that jump. Without it the restored video's timestamps went backwards at the join and the
/// muxer refused the packet ("Invalid argument").
///
/// Every reader of the file applies it from the first packet (the video reader and the join that copies the
/// audio), so all see the same timestamps; a seek would start without the offsets before it, so such files are
/// resumed by decoding from their start (``VideoReader/seek(toFrame:after:)``).
struct TimestampContinuity {
    /// Microseconds a decode time may leave its predicted value before it counts as a jump.
    static let jumpThreshold: Int64 = 10_000_000
    /// Microseconds a decode time may go back before it counts as a jump.
    static let backwardsThreshold: Int64 = 100_000

    /// Microseconds added to every packet.
    private var offset: Int64 = 0
    /// Per stream, in microseconds after correction: the next packet's predicted decode time, and the latest one.
    private var next: [Int32: Int64] = [:]
    private var latest: [Int32: Int64] = [:]

    /// Shifts `packet`'s timestamps by the offset so far, and starts a new offset where it jumps.
    /// - Parameters:
    ///   - timeBase: its stream's.
    ///   - isContinuous: whether its stream runs without gaps (video, audio), so that a gap is a jump; subtitles
    ///     and data may be silent for minutes, and only follow the offset.
    mutating func correct(_ packet: UnsafeMutablePointer<AVPacket>, timeBase: AVRational, isContinuous: Bool) {
        let noTimestamp = cffmpeg_AV_NOPTS_VALUE(), microseconds = cffmpeg_AV_TIME_BASE_Q()
        func shift(_ by: Int64) {
            let ticks = av_rescale_q(by, microseconds, timeBase)
            if packet.pointee.dts != noTimestamp { packet.pointee.dts += ticks }
            if packet.pointee.pts != noTimestamp { packet.pointee.pts += ticks }
        }
        if offset != 0 { shift(offset) }
        guard isContinuous, packet.pointee.dts != noTimestamp else { return }
        let stream = packet.pointee.stream_index
        var dts = av_rescale_q(packet.pointee.dts, timeBase, microseconds)
        if let expected = next[stream], let last = latest[stream] {
            let delta = dts - expected
            if abs(delta) > Self.jumpThreshold || dts + Self.backwardsThreshold < last {
                offset -= delta
                shift(-delta)
                dts -= delta
            }
        }
        next[stream] = dts + av_rescale_q(packet.pointee.duration, timeBase, microseconds)
        latest[stream] = max(latest[stream] ?? dts, dts)
    }
}

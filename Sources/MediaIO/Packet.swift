import CFFmpeg

/// Sole owner of one `AVPacket`; `deinit` frees it.
///
/// `@unchecked Sendable`: a packet is handed from the demuxer thread to the muxer thread through the pipeline's
/// queues and is only ever touched by the thread that currently holds it (ownership transfer, never shared).
public final class Packet: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<AVPacket>

    init(file: String) throws(MediaError) {
        guard let packet = av_packet_alloc() else { throw outOfMemory("packet", file: file) }
        pointer = packet
    }

    /// Whether the demuxer marked the packet as outside the presentation: before the start of an MP4 edit list
    /// (a clip trimmed without re-encoding keeps the GOP's earlier packets, and its audio from before the cut).
    /// The decoder drops such video itself; copied streams must drop them too, or the output gains that audio
    /// ahead of its first picture.
    var isDiscarded: Bool { pointer.pointee.flags & cffmpeg_AV_PKT_FLAG_DISCARD() != 0 }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&packet)
    }
}

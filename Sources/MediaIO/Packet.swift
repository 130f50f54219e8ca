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

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&packet)
    }
}

import CFFmpeg

/// Decodes the first picture of stream `streamIndex` with a throwaway demuxer and decoder, for what only a decoded
/// picture tells before the job's own reader starts (HDR metadata in the bitstream, a photo's EXIF orientation);
/// nil where none comes within the first 64 packets. Never for a stream input, whose bytes it would take.
func decodeFirstFrame(of file: String, streamIndex: Int) throws(MediaError) -> Frame? {
    precondition(!isStreamInput(file), "a stream input is read once")
    let demuxer = try Demuxer(file: file)
    let decoder = try VideoDecoder(stream: demuxer.stream(streamIndex), threads: 1, file: file)
    let packet = try Packet(file: file)
    let frame = try Frame(file: file)
    for _ in 0..<64 {
        guard try demuxer.read(into: packet) else { break }
        guard packet.pointer.pointee.stream_index == Int32(streamIndex) else { continue }
        _ = try decoder.send(packet)
        if case .done = try decoder.receive(into: frame) { return frame }
    }
    _ = try decoder.send(nil)
    if case .done = try decoder.receive(into: frame) { return frame }
    return nil
}

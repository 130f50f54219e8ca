import CFFmpeg
import Foundation

/// Encodes one segment of frames with a fresh encoder into its own ``SegmentFile``.
///
/// A fresh encoder per segment makes every segment start with a keyframe and reference nothing outside itself
/// (closed GOP by construction), so segments can be kept, discarded and concatenated independently. Packets are
/// buffered in memory (a segment is a few seconds of compressed video) and written durably by ``finish()``, so a
/// crash leaves either no segment file or a complete one.
///
/// # Thread safety
/// Not thread-safe; created and used by the encoder thread only.
public final class SegmentEncoder {
    public let path: String
    /// The pixel format the encoder receives, e.g. "yuv420p".
    public var outputPixelFormat: String { pixelFormatName(encoder.pixelFormat) }
    private let file: String
    private let encoder: VideoEncoder
    private let converter: FrameConverter
    private let packet: Packet
    private var packets: [SegmentFile.StoredPacket] = []
    private var framesWritten = 0
    private var lastPTS: Int64 = 0

    /// - Parameters:
    ///   - path: the segment file to create.
    ///   - file: the output as the user named it, for errors.
    ///   - output: the final output's name; decides whether the codec headers go in extradata (mp4, mkv).
    public init(path: String, file: String, video: VideoFormat, encoder settings: EncoderSettings, output: String)
        throws(MediaError)
    {
        self.path = path
        self.file = file
        encoder = try VideoEncoder(
            settings: settings, video: video, globalHeader: SegmentEncoder.wantsGlobalHeader(output), file: file)
        converter = try FrameConverter(
            width: video.width, height: video.height, pixelFormat: encoder.pixelFormat, colors: encoder.colors,
            direction: .fromRGB, file: file)
        packet = try Packet(file: file)
    }

    /// Opens (and closes) the encoder and the converter `SegmentEncoder` would use, and asks the output's container
    /// whether it holds that video and the streams to be copied from `input` (nil: none), so bad settings fail
    /// before any frame is restored rather than when the segments are joined.
    ///
    /// - Returns: the pixel format the encoder receives, e.g. "yuv420p10le".
    @discardableResult
    public static func check(
        video: VideoFormat, encoder settings: EncoderSettings, output: String, copyingStreamsOf input: String? = nil,
        subtitles: Bool = true
    ) throws(MediaError) -> String {
        let encoder = try VideoEncoder(
            settings: settings, video: video, globalHeader: wantsGlobalHeader(output), file: output)
        _ = try FrameConverter(
            width: video.width, height: video.height, pixelFormat: encoder.pixelFormat, colors: encoder.colors,
            direction: .fromRGB, file: output)
        let muxer = try Muxer(path: output, formatName: output, file: output)
        try muxer.requireVideo(encoder.context.pointee.codec_id, encoder: settings.codec)
        try muxer.requireRoom(forFrames: video.estimatedFrameCount)
        if let input { _ = try muxer.copiedStreams(of: Demuxer(file: input), subtitles: subtitles) }
        return pixelFormatName(encoder.pixelFormat)
    }

    /// Whether the container chosen by `output`'s name wants codec headers in extradata.
    static func wantsGlobalHeader(_ output: String) -> Bool {
        guard let format = av_guess_format(nil, output, nil) else { return false }
        return format.pointee.flags & cffmpeg_AVFMT_GLOBALHEADER() != 0
    }

    public func write(
        _ image: RGBImage, alpha: AlphaPlane? = nil, sideData: FrameSideData? = nil, timing: FrameTiming
    ) throws(MediaError) {
        let frame = try converter.fromRGB(image, alpha: alpha)
        encoder.stamp(frame, with: timing)
        _ = try encoder.send(frame, carrying: sideData)
        framesWritten += 1
        lastPTS = timing.pts
        try drain()
    }

    /// Flushes the encoder and writes the segment file durably; throws if packets and frames differ in number.
    public func finish() throws(MediaError) -> SegmentSummary {
        _ = try encoder.send(nil)
        try drain()
        guard packets.count == framesWritten else {
            throw MediaError(
                file: file, operation: "finish segment \(path)",
                reason: "the encoder produced \(packets.count) packets for \(framesWritten) frames")
        }
        let bytes = SegmentFile(extradata: encoder.extradata, packets: packets).encoded()
        try DurableFile.write(bytes, to: path, file: file)
        return SegmentSummary(
            frameCount: framesWritten, byteCount: bytes.count, sha256: SHA256.hex(bytes), lastPTS: lastPTS)
    }

    private func drain() throws(MediaError) {
        while true {
            switch try encoder.receive(into: packet) {
            case .done:
                let p = packet.pointer.pointee
                packets.append(
                    SegmentFile.StoredPacket(
                        pts: p.pts, dts: p.dts, duration: p.duration, flags: p.flags,
                        data: Array(UnsafeBufferPointer(start: p.data, count: Int(p.size)))))
            case .tryAgain, .endOfStream:
                return
            }
        }
    }
}

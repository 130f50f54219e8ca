import CFFmpeg

/// HDR10 static metadata (SMPTE ST 2086 mastering display, CTA-861.3 content light level), kept as libav's own
/// structs' bytes so they round-trip exactly.
///
/// Inputs carry it either in the container (mp4 `mdcv`/`clli`, Matroska `MasteringMetadata`) or only in the bitstream
/// (HEVC SEI, seen on the first frame). Encoders such as libx264 do not write it, so the output keeps it in the
/// container: stream side data that the mp4 and Matroska muxers write out.
public struct HDRMetadata: Sendable, Equatable {
    /// `AVMasteringDisplayMetadata` bytes, when present.
    var masteringDisplay: [UInt8]?
    /// `AVContentLightMetadata` bytes, when present.
    var contentLight: [UInt8]?

    public var isEmpty: Bool { masteringDisplay == nil && contentLight == nil }

    /// The maximum content light level (cd/m²), for reports.
    public var maxContentLight: Int? {
        contentLight.map { bytes in
            bytes.withUnsafeBytes { Int($0.load(as: AVContentLightMetadata.self).MaxCLL) }
        }
    }

    /// Reads the stream's container-level metadata, else that of the first decoded frame (opens its own decoder).
    static func read(
        stream: UnsafeMutablePointer<AVStream>, file: String
    ) -> HDRMetadata {
        var metadata = HDRMetadata()
        var size = 0
        if let p = av_stream_get_side_data(stream, AV_PKT_DATA_MASTERING_DISPLAY_METADATA, &size), size > 0 {
            metadata.masteringDisplay = Array(UnsafeBufferPointer(start: p, count: size))
        }
        if let p = av_stream_get_side_data(stream, AV_PKT_DATA_CONTENT_LIGHT_LEVEL, &size), size > 0 {
            metadata.contentLight = Array(UnsafeBufferPointer(start: p, count: size))
        }
        // A second reader would take the stream's bytes from the job's own reader.
        if metadata.isEmpty, !isStreamInput(file),
           let first = try? firstFrameMetadata(file: file, streamIndex: Int(stream.pointee.index)) {
            metadata = first
        }
        return metadata
    }

    /// The first frame's side data (``decodeFirstFrame(of:streamIndex:)``).
    private static func firstFrameMetadata(file: String, streamIndex: Int) throws(MediaError) -> HDRMetadata {
        var metadata = HDRMetadata()
        guard let frame = try decodeFirstFrame(of: file, streamIndex: streamIndex) else { return metadata }
        if let side = av_frame_get_side_data(frame.pointer, AV_FRAME_DATA_MASTERING_DISPLAY_METADATA) {
            metadata.masteringDisplay = Array(UnsafeBufferPointer(start: side.pointee.data, count: side.pointee.size))
        }
        if let side = av_frame_get_side_data(frame.pointer, AV_FRAME_DATA_CONTENT_LIGHT_LEVEL) {
            metadata.contentLight = Array(UnsafeBufferPointer(start: side.pointee.data, count: side.pointee.size))
        }
        return metadata
    }

    /// Attaches the metadata to an output stream before its header is written.
    func attach(to stream: UnsafeMutablePointer<AVStream>) {
        for (type, bytes) in [
            (AV_PKT_DATA_MASTERING_DISPLAY_METADATA, masteringDisplay), (AV_PKT_DATA_CONTENT_LIGHT_LEVEL, contentLight),
        ] {
            guard let bytes, let p = av_stream_new_side_data(stream, type, bytes.count) else { continue }
            bytes.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: bytes.count) }
        }
    }
}

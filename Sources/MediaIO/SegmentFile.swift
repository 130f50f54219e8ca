import Foundation

/// The on-disk form of one encoded segment: the encoder's extradata and its packets with their exact timestamps.
///
/// A private, trivial container rather than mp4/mkv/nut: those muxers shift negative dts (B-frames) or round
/// timestamps to their own clock, and the final output must carry the decoder's pts bit for bit. Layout, all
/// integers little-endian: magic `MXSEG01\n`; `u32` extradata length + bytes; then per packet `u32` size, `i64` pts,
/// `i64` dts, `i64` duration, `u32` flags, data. Timestamps are in the video's time base.
struct SegmentFile {
    static let magic = Array("MXSEG01\n".utf8)

    struct StoredPacket {
        var pts: Int64
        var dts: Int64
        var duration: Int64
        var flags: Int32
        var data: [UInt8]
    }

    var extradata: [UInt8]
    var packets: [StoredPacket]

    func encoded() -> [UInt8] {
        var out = SegmentFile.magic
        out.reserveCapacity(packets.reduce(64 + extradata.count) { $0 + 32 + $1.data.count })
        append(UInt32(extradata.count), to: &out)
        out += extradata
        for p in packets {
            append(UInt32(p.data.count), to: &out)
            append(UInt64(bitPattern: p.pts), to: &out)
            append(UInt64(bitPattern: p.dts), to: &out)
            append(UInt64(bitPattern: p.duration), to: &out)
            append(UInt32(bitPattern: p.flags), to: &out)
            out += p.data
        }
        return out
    }

    /// Parses a segment; throws naming `file` when it is truncated or not a segment.
    init(decoding bytes: [UInt8], file: String) throws(MediaError) {
        var reader = ByteReader(bytes: bytes)
        let corrupt = MediaError(
            file: file, operation: "read a finished segment", reason: "truncated or not a segment file",
            hint: "delete the job's state directory to start over")
        guard reader.take(SegmentFile.magic.count).map(Array.init) == SegmentFile.magic,
            let extraCount = reader.u32(), let extra = reader.take(Int(extraCount))
        else { throw corrupt }
        extradata = Array(extra)
        packets = []
        while !reader.atEnd {
            guard let size = reader.u32(), let pts = reader.u64(), let dts = reader.u64(), let duration = reader.u64(),
                let flags = reader.u32(), let data = reader.take(Int(size))
            else { throw corrupt }
            packets.append(
                StoredPacket(
                    pts: Int64(bitPattern: pts), dts: Int64(bitPattern: dts), duration: Int64(bitPattern: duration),
                    flags: Int32(bitPattern: flags), data: Array(data)))
        }
    }

    init(extradata: [UInt8], packets: [StoredPacket]) {
        self.extradata = extradata
        self.packets = packets
    }

    private func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out += $0 }
    }
}

/// Reads little-endian integers and byte runs from a buffer; nil past the end.
private struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    var atEnd: Bool { offset >= bytes.count }

    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, bytes.count - offset >= count else { return nil }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func u32() -> UInt32? {
        take(4).map { $0.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
    }

    mutating func u64() -> UInt64? {
        take(8).map { $0.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
    }
}

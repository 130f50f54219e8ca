import CFFmpeg
import Foundation

/// A JPEG photo's EXIF block (date taken, place, camera), carried into its restored JPEG: FFmpeg 5.1 reads EXIF
/// into tags and its JPEG encoder writes none, so a restored photo lost the date a photo library sorts it by. The
/// block is copied as it is, except for its orientation, which says "upright": the pixels have been turned
/// (``VideoReader``), and a viewer honouring the old value would turn them again.
enum JPEGExif {
    private static let signature = Array("Exif\0\0".utf8)

    /// The payload of the first APP1 `Exif` segment of the JPEG file at `path`, its orientation set to 1; nil
    /// where there is none.
    static func read(fromFile path: String) -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        // Metadata segments come before the picture; APP1 holds at most 64 KiB.
        let head = [UInt8]((try? handle.read(upToCount: 1 << 18)) ?? Data())
        guard head.count > 4, head[0] == 0xFF, head[1] == 0xD8 else { return nil }
        var i = 2
        while i + 4 <= head.count, head[i] == 0xFF, head[i + 1] != 0xDA, head[i + 1] != 0xD9 {
            let length = Int(head[i + 2]) << 8 | Int(head[i + 3])
            guard length >= 2, i + 2 + length <= head.count else { return nil }
            let payload = Array(head[(i + 4)..<(i + 2 + length)])
            if head[i + 1] == 0xE1 && payload.starts(with: signature) { return upright(payload) }
            i += 2 + length
        }
        return nil
    }

    /// `payload` with IFD0's orientation tag (0x0112), if any, set to 1 in the block's byte order.
    private static func upright(_ payload: [UInt8]) -> [UInt8] {
        var exif = payload
        let tiff = signature.count
        guard exif.count >= tiff + 8 else { return exif }
        let bigEndian = exif[tiff] == 0x4D  // "MM"
        func read(_ at: Int, _ bytes: Int) -> Int? {
            guard at >= 0, at + bytes <= exif.count else { return nil }
            let range = exif[at..<(at + bytes)]
            return (bigEndian ? Array(range) : range.reversed()).reduce(0) { $0 << 8 | Int($1) }
        }
        guard let ifd = read(tiff + 4, 4), let count = read(tiff + ifd, 2) else { return exif }
        for entry in 0..<count {
            let at = tiff + ifd + 2 + 12 * entry
            guard let tag = read(at, 2) else { break }
            if tag == 0x0112, at + 10 <= exif.count {
                (exif[at + 8], exif[at + 9]) = bigEndian ? (0, 1) : (1, 0)
            }
        }
        return exif
    }

    /// Inserts `exif` as an APP1 segment into `packet`, one JPEG picture: after its JFIF APP0 segment where it has
    /// one, else right after the start-of-image marker.
    static func insert(_ exif: [UInt8], into packet: Packet, file: String) throws(MediaError) {
        let p = packet.pointer
        let size = Int(p.pointee.size)
        guard exif.count + 2 <= 0xFFFF, size >= 4, p.pointee.data[0] == 0xFF, p.pointee.data[1] == 0xD8 else { return }
        var at = 2
        if p.pointee.data[2] == 0xFF && p.pointee.data[3] == 0xE0 && size >= 6 {
            at += 2 + (Int(p.pointee.data[4]) << 8 | Int(p.pointee.data[5]))
        }
        guard at <= size else { return }
        let segment = [0xFF, 0xE1, UInt8((exif.count + 2) >> 8), UInt8((exif.count + 2) & 0xFF)] + exif
        try libavRequire(av_grow_packet(p, Int32(segment.count)), "add the photo's EXIF", file: file)
        let data = p.pointee.data!
        memmove(data + at + segment.count, data + at, size - at)
        data.advanced(by: at).update(from: segment, count: segment.count)
    }
}

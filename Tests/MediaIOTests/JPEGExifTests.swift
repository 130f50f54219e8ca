import Foundation
import MaximTestSupport
import Testing

@testable import MediaIO

@Suite struct JPEGExifTests {
    /// An EXIF block in Intel byte order ("II", as most cameras write it) with IFD0 holding orientation 8.
    private func littleEndianExif() -> [UInt8] {
        let ifd: [UInt8] = [0x01, 0x00] + [0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00]
            + [0x00, 0x00, 0x00, 0x00]
        return Array("Exif\0\0".utf8) + [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00] + ifd
    }

    @Test func orientationIsSetUprightInTheBlocksByteOrder() throws {
        let dir = try TemporaryDirectory()
        let exif = littleEndianExif()
        let segment: [UInt8] = [0xFF, 0xE1, 0x00, UInt8(exif.count + 2)] + exif
        try Data([0xFF, 0xD8] + segment + [0xFF, 0xD9]).write(to: URL(fileURLWithPath: dir.path("photo.jpg")))
        let read = try #require(JPEGExif.read(fromFile: dir.path("photo.jpg")))
        var expected = exif
        expected[6 + 8 + 2 + 8] = 0x01  // the SHORT value, little-endian: 01 00
        #expect(read == expected)
    }

    @Test func aFileWithoutExifHasNone() throws {
        let dir = try TemporaryDirectory()
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x4A, 0x46, 0xFF, 0xD9]).write(to: URL(fileURLWithPath: dir.path("plain.jpg")))
        #expect(JPEGExif.read(fromFile: dir.path("plain.jpg")) == nil)
    }
}

import Foundation
import MaximTestSupport
import MediaIO
import Testing

@Suite("VideoReader")
struct VideoReaderTests {
    @Test func missingFileNamesTheFile() throws {
        let error = #expect(throws: MediaError.self) { try VideoReader(file: "/definitely/not/here.mp4") }
        #expect(error?.description == "/definitely/not/here.mp4: cannot open input: no such file")
    }

    @Test func zeroByteFileIsRejected() throws {
        let dir = try TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: dir.path("empty.mp4"), contents: Data())
        let error = #expect(throws: MediaError.self) { try VideoReader(file: dir.path("empty.mp4")) }
        #expect(error?.description.hasSuffix("empty.mp4: cannot open input: file is empty (0 bytes)") == true)
    }

    @Test func textFileIsNotMedia() throws {
        let dir = try TemporaryDirectory()
        try Data("this is not a video\n".utf8).write(to: URL(fileURLWithPath: dir.path("notes.mp4")))
        let error = #expect(throws: MediaError.self) { try VideoReader(file: dir.path("notes.mp4")) }
        #expect(error?.file == dir.path("notes.mp4"))
        #expect(error?.operation == "open input")
    }

    @Test func audioOnlyFileHasNoVideoStream() throws {
        let dir = try TemporaryDirectory()
        try Data(Self.wav(samples: 4800)).write(to: URL(fileURLWithPath: dir.path("tone.wav")))
        let error = #expect(throws: MediaError.self) { try VideoReader(file: dir.path("tone.wav")) }
        #expect(error?.reason == "the input has no video stream")
    }

    @Test func tenBitRGBDecodesExactlyOnTheTenBitGrid() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.pixelFormat = "gbrp10le"
        clip.frames = 3
        try clip.write(to: dir.path("in.mkv"))
        let decoded = try DecodedClip(dir.path("in.mkv"))
        #expect(decoded.format.pixelFormat == "gbrp10le")
        for (i, image) in decoded.images.enumerated() {
            let source = clip.image(i)
            for k in image.pixels.indices {
                let expected = (min(max(source.pixels[k], 0), 1) * 1023).rounded() / 1023
                guard abs(image.pixels[k] - expected) < 1e-6 else {
                    Issue.record("frame \(i) sample \(k): \(image.pixels[k]) is not the 10-bit value \(expected)")
                    return
                }
            }
            // Not truncated to 8 bits: values between 8-bit codes exist.
            #expect(image.pixels.contains { ($0 * 255).rounded() != $0 * 255 })
        }
    }

    @Test func readerReportsFormatAndTimeBase() throws {
        let dir = try TemporaryDirectory()
        var clip = SyntheticClip()
        clip.width = 96
        clip.height = 64
        try clip.write(to: dir.path("in.mkv"))
        let reader = try VideoReader(file: dir.path("in.mkv"))
        #expect(reader.format.width == 96)
        #expect(reader.format.height == 64)
        #expect(reader.format.pixelFormat == "yuv420p")
        var count = 0
        while try reader.nextFrame() != nil { count += 1 }
        #expect(count == clip.frames)
        #expect(try reader.nextFrame() == nil)
    }

    /// A minimal 16-bit mono PCM WAV file.
    static func wav(samples: Int, rate: UInt32 = 48_000) -> [UInt8] {
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        let dataSize = UInt32(samples * 2)
        var bytes = Array("RIFF".utf8) + le32(36 + dataSize) + Array("WAVE".utf8)
        bytes += Array("fmt ".utf8) + le32(16) + le16(1) + le16(1) + le32(rate) + le32(rate * 2) + le16(2) + le16(16)
        bytes += Array("data".utf8) + le32(dataSize)
        for i in 0..<samples { bytes += le16(UInt16(bitPattern: Int16(10_000 * sin(Double(i) / 10)))) }
        return bytes
    }
}

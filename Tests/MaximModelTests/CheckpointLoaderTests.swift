import Foundation
import Testing
import Tensor
import ZIPFoundation
@testable import MaximModel

/// Strict loading: each malformed checkpoint gives its own typed error naming what is wrong.
@Suite final class CheckpointLoaderTests {
    static let tinyArrays: [String: Tensor] = try! NPZArchive.read(contentsOf: Fixtures.golden("tiny", "params.npz"))

    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("maxim-loader-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A `.npy` with an arbitrary header dict and payload.
    func npy(header: String, payload: [UInt8], version: UInt8 = 1) -> Data {
        var text = header
        let prefix = version == 1 ? 10 : 12
        while (prefix + text.utf8.count + 1) % 64 != 0 { text += " " }
        text += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [version, 0])
        let n = text.utf8.count
        data.append(contentsOf: version == 1 ? [UInt8(n & 0xFF), UInt8(n >> 8)] : [UInt8(n & 0xFF), UInt8(n >> 8), 0, 0])
        data.append(contentsOf: Array(text.utf8))
        data.append(contentsOf: payload)
        return data
    }

    /// A zip holding raw member bytes.
    func zip(_ members: [String: Data], compressed: Bool = false) throws -> URL {
        let url = directory.appendingPathComponent("\(UUID().uuidString).npz")
        let archive = try Archive(url: url, accessMode: .create)
        for (name, data) in members {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count),
                                 compressionMethod: compressed ? .deflate : .none) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return url
    }

    @Test func loadsTheTinyCheckpointStrictly() throws {
        let model = try CheckpointLoader.load(CheckpointParameters(arrays: Self.tinyArrays))
        #expect(model.configuration.features == 8)
    }

    @Test func acceptsKeysWithoutTheOptTargetPrefix() throws {
        let stripped = Dictionary(uniqueKeysWithValues: Self.tinyArrays.map { (String($0.key.dropFirst(11)), $0.value) })
        #expect(throws: Never.self) { try CheckpointLoader.load(CheckpointParameters(arrays: stripped)) }
    }

    @Test func missingKeyNamesTheKeyAndItsExpectedShape() throws {
        var arrays = Self.tinyArrays
        arrays["opt/target/stage_0_encoder_block_1/channel_attention_block_10/conv2/kernel"] = nil
        #expect(throws: CheckpointError.missingParameter(
            key: "stage_0_encoder_block_1/channel_attention_block_10/conv2/kernel", expectedShape: [3, 3, 16, 16])) {
            try CheckpointLoader.load(CheckpointParameters(arrays: arrays))
        }
    }

    @Test func extraKeyIsReportedAsUnused() throws {
        var arrays = Self.tinyArrays
        arrays["opt/target/stage_0_encoder_block_0/Conv_9/kernel"] = Tensor(zeros: [1, 1, 8, 8])
        #expect(throws: CheckpointError.unusedParameters(["stage_0_encoder_block_0/Conv_9/kernel"])) {
            try CheckpointLoader.load(CheckpointParameters(arrays: arrays))
        }
    }

    @Test func wrongShapeNamesExpectedAndActualShapes() throws {
        var arrays = Self.tinyArrays
        let key = "opt/target/stage_0_decoder_block_2/ConvTranspose_0/kernel"
        arrays[key] = Tensor(zeros: [2, 2, 16, 32])
        #expect(throws: CheckpointError.shapeMismatch(
            key: "stage_0_decoder_block_2/ConvTranspose_0/kernel", expectedShape: [2, 2, 32, 32],
            actualShape: [2, 2, 16, 32])) {
            try CheckpointLoader.load(CheckpointParameters(arrays: arrays))
        }
    }

    @Test func float16ArraysAreConvertedToFloat32() throws {
        let values: [Float16] = [1, -2.5, 0.099975586, 65504]
        let payload = values.flatMap { [UInt8($0.bitPattern & 0xFF), UInt8($0.bitPattern >> 8)] }
        let url = try zip(["w.npy": npy(header: "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 2), }", payload: payload)])
        let arrays = try NPZArchive.read(contentsOf: url)
        #expect(arrays["w"]?.shape == [2, 2])
        #expect(arrays["w"]?.scalars == values.map(Float.init))
    }

    @Test func deflatedArchivesReadLikeStoredOnes() throws {
        let tensor = Tensor(shape: [3, 5], scalars: (0..<15).map { Float($0) * 0.5 })
        let url = directory.appendingPathComponent("deflated.npz")
        try NPZArchive.write(["opt/target/a/kernel": tensor], to: url, compressed: true)
        let entry = try #require(try Archive(url: url, accessMode: .read)["opt/target/a/kernel.npy"])
        #expect(entry.compressedSize < entry.uncompressedSize)
        #expect(try NPZArchive.read(contentsOf: url)["opt/target/a/kernel"]?.scalars == tensor.scalars)
    }

    @Test func truncatedArchiveIsReportedAsTruncated() throws {
        let url = directory.appendingPathComponent("truncated.npz")
        try NPZArchive.write(["a": Tensor(zeros: [64, 64])], to: url)
        let data = try Data(contentsOf: url)
        try data.prefix(data.count / 2).write(to: url)
        #expect {
            try NPZArchive.read(contentsOf: url)
        } throws: { error in
            if case .truncatedArchive = error as? NPZError { true } else { false }
        }
    }

    @Test func nonZipFileIsRejected() throws {
        let url = directory.appendingPathComponent("text.npz")
        try Data("not a zip archive".utf8).write(to: url)
        #expect(throws: NPZError.notAZipArchive(path: url.path)) { try NPZArchive.read(contentsOf: url) }
    }

    @Test func missingFileIsUnreadable() {
        let url = directory.appendingPathComponent("absent.npz")
        #expect {
            try NPZArchive.read(contentsOf: url)
        } throws: { error in
            if case .unreadable = error as? NPZError { true } else { false }
        }
    }

    @Test func badNpyHeaderNamesTheArray() throws {
        let url = try zip(["k.npy": npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 2], }", payload: [])])
        #expect(throws: NPZError.invalidArray(key: "k", .badHeader("shape is not a tuple"))) {
            try NPZArchive.read(contentsOf: url)
        }
        let garbage = try zip(["g.npy": Data("garbage bytes".utf8)])
        #expect(throws: NPZError.invalidArray(key: "g", .badMagic)) { try NPZArchive.read(contentsOf: garbage) }
    }

    @Test func unsupportedDTypeIsRejected() throws {
        let url = try zip(["i.npy": npy(header: "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", payload: [1, 0, 0, 0])])
        #expect(throws: NPZError.invalidArray(key: "i", .unsupportedDType("<i4"))) { try NPZArchive.read(contentsOf: url) }
        let bigEndian = npy(header: "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", payload: [0, 0, 0, 0])
        #expect(throws: NPYError.unsupportedDType(">f4")) { try NPYFormat.decode(bigEndian) }
    }

    @Test func truncatedArrayDataIsReported() {
        let data = npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", payload: [0, 0, 0, 0])
        #expect(throws: NPYError.truncated(expectedBytes: 16, actualBytes: 4)) { try NPYFormat.decode(data) }
    }

    @Test func npyVersionTwoHeadersAreRead() throws {
        let payload = [Float(1.5), -3].flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init) }
        let data = npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", payload: payload, version: 2)
        #expect(try NPYFormat.decode(data).scalars == [1.5, -3])
    }

    @Test func encodedNpyRoundTripsAndHasAnAlignedHeader() throws {
        let tensor = Tensor(shape: [1, 2, 3, 1], scalars: [1, 2, 3, 4, 5, 6])
        let data = NPYFormat.encode(tensor)
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let decoded = try NPYFormat.decode(data)
        #expect(decoded.shape == tensor.shape && decoded.scalars == tensor.scalars)
    }
}

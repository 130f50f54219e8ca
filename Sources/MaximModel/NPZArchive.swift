import Foundation
import Tensor
import ZIPFoundation

/// Why a `.npz` archive could not be read.
public enum NPZError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notAZipArchive(path: String)
    case truncatedArchive(path: String, reason: String)
    case invalidArray(key: String, NPYError)
    case duplicateKey(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .notAZipArchive(let path): "\(path) is not a .npz (zip) archive"
        case .truncatedArchive(let path, let reason): "\(path) is truncated or corrupt: \(reason)"
        case .invalidArray(let key, let error): "array '\(key)': \(error)"
        case .duplicateKey(let key): "key '\(key)' occurs twice"
        }
    }
}

/// NumPy `.npz`: a zip (stored or deflated) of `<key>.npy` members. ZIPFoundation reads the
/// central directory and handles numpy's ZIP64 local headers (sizes 0xFFFFFFFF + ZIP64 extra).
public enum NPZArchive {
    /// Reads every array; keys are member names without `.npy`.
    /// A one-line reason for a failed open, instead of Foundation's NSError dump.
    static func reason(_ error: any Error, path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "it is a directory, not a .npz file" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return (error as NSError).localizedDescription
    }

    public static func read(contentsOf url: URL) throws(NPZError) -> [String: Tensor] {
        let path = url.path
        let head: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            head = try handle.read(upToCount: 4) ?? Data()
        } catch {
            throw .unreadable(path: path, reason: Self.reason(error, path: path))
        }
        // Every zip starts with a local file header or, when empty, the end-of-directory record.
        guard head.count >= 4, head[0] == 0x50, head[1] == 0x4B,
              (head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6) else {
            throw .notAZipArchive(path: path)
        }
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw .truncatedArchive(path: path, reason: "no readable central directory (\(error))")
        }
        var arrays: [String: Tensor] = [:]
        for entry in archive where entry.type == .file {
            let name = entry.path
            let key = name.hasSuffix(".npy") ? String(name.dropLast(4)) : name
            var data = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { data.append($0) }
            } catch {
                throw .truncatedArchive(path: path, reason: "member '\(name)': \(error)")
            }
            guard arrays[key] == nil else { throw .duplicateKey(key) }
            do {
                arrays[key] = try NPYFormat.decode(data)
            } catch {
                throw .invalidArray(key: key, error)
            }
        }
        return arrays
    }

    /// Writes arrays as a stored (or deflated) `.npz`, members in key order.
    public static func write(_ arrays: [String: Tensor], to url: URL, compressed: Bool = false) throws {
        try? FileManager.default.removeItem(at: url)
        let archive = try Archive(url: url, accessMode: .create)
        for key in arrays.keys.sorted() {
            let data = NPYFormat.encode(arrays[key]!)
            try archive.addEntry(
                with: key + ".npy", type: .file, uncompressedSize: Int64(data.count),
                compressionMethod: compressed ? .deflate : .none
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }
}

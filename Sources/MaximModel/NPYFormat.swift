import Foundation
import Tensor

/// Why a `.npy` array could not be read.
public enum NPYError: Error, Equatable, Sendable, CustomStringConvertible {
    case badMagic
    case unsupportedVersion(major: UInt8, minor: UInt8)
    case badHeader(String)
    case unsupportedDType(String)
    case fortranOrder
    case truncated(expectedBytes: Int, actualBytes: Int)

    public var description: String {
        switch self {
        case .badMagic: "not a .npy array (missing \\x93NUMPY magic)"
        case .unsupportedVersion(let major, let minor): "unsupported .npy format version \(major).\(minor)"
        case .badHeader(let reason): "malformed .npy header: \(reason)"
        case .unsupportedDType(let descr): "unsupported dtype '\(descr)' (expected little-endian float32 '<f4' or float16 '<f2')"
        case .fortranOrder: "Fortran-ordered arrays are not supported"
        case .truncated(let expected, let actual): "array data truncated: expected \(expected) bytes, found \(actual)"
        }
    }
}

/// NumPy's `.npy` format (versions 1, 2 and 3): magic, version, little-endian header length,
/// a Python-literal dict `{'descr': …, 'fortran_order': …, 'shape': (…), }`, then raw C-order data.
public enum NPYFormat {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

    /// Decodes an array of `<f4`, `<f2` or `<f8` into float32.
    public static func decode(_ data: Data) throws(NPYError) -> Tensor {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw .badMagic }
        let (major, minor) = (bytes[6], bytes[7])
        let headerStart: Int
        let headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw .truncated(expectedBytes: 12, actualBytes: bytes.count) }
            headerStart = 12
            headerLength = (8...11).reduce(0) { $0 | Int(bytes[$1]) << (8 * ($1 - 8)) }
        default:
            throw .unsupportedVersion(major: major, minor: minor)
        }
        guard bytes.count >= headerStart + headerLength else {
            throw .truncated(expectedBytes: headerStart + headerLength, actualBytes: bytes.count)
        }
        guard let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)],
                                  encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw .badHeader("header is not text")
        }
        let (descr, fortran, shape) = try parseHeader(header)
        if fortran && shape.count > 1 { throw .fortranOrder }
        // Checked arithmetic: a hostile header's shape must be an error, not an overflow trap.
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw .badHeader("shape \(shape) has more elements than memory can hold") }
            count = product
        }
        let itemSize: Int
        switch descr {
        case "<f4", "|f4", "=f4": itemSize = 4
        case "<f2", "|f2", "=f2": itemSize = 2
        case "<f8", "=f8": itemSize = 8
        default: throw .unsupportedDType(descr)
        }
        let dataStart = headerStart + headerLength
        let (needed, overflow) = count.multipliedReportingOverflow(by: itemSize)
        guard !overflow else { throw .badHeader("shape \(shape) has more elements than memory can hold") }
        guard bytes.count - dataStart >= needed else {
            throw .truncated(expectedBytes: needed, actualBytes: bytes.count - dataStart)
        }
        var values = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + dataStart
            for i in 0..<count {
                switch itemSize {
                case 4:
                    values[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                case 2:
                    let bits = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    values[i] = Float(Float16(bitPattern: bits))
                default:
                    values[i] = Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                }
            }
        }
        return values.withUnsafeBufferPointer { Tensor(shape: shape, copying: $0) }
    }

    /// Parses the header dict: descr, fortran_order, shape.
    static func parseHeader(_ header: String) throws(NPYError) -> (String, Bool, [Int]) {
        func value(after key: String) throws(NPYError) -> Substring {
            guard let range = header.range(of: "'\(key)'") else { throw .badHeader("missing '\(key)'") }
            var rest = header[range.upperBound...].drop(while: { $0 == " " })
            guard rest.first == ":" else { throw .badHeader("no ':' after '\(key)'") }
            rest = rest.dropFirst().drop(while: { $0 == " " })
            return rest
        }
        let descrText = try value(after: "descr")
        guard let quote = descrText.first, quote == "'" || quote == "\"",
              let end = descrText.dropFirst().firstIndex(of: quote) else {
            throw .badHeader("descr is not a string")
        }
        let descr = String(descrText[descrText.index(after: descrText.startIndex)..<end])
        let fortranText = try value(after: "fortran_order")
        let fortran: Bool
        if fortranText.hasPrefix("False") { fortran = false }
        else if fortranText.hasPrefix("True") { fortran = true }
        else { throw .badHeader("fortran_order is not a boolean") }
        let shapeText = try value(after: "shape")
        guard shapeText.first == "(", let close = shapeText.firstIndex(of: ")") else {
            throw .badHeader("shape is not a tuple")
        }
        var shape: [Int] = []
        for part in shapeText[shapeText.index(after: shapeText.startIndex)..<close].split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
            if trimmed.isEmpty { continue }
            guard let dim = Int(trimmed), dim >= 0 else { throw .badHeader("bad shape entry '\(trimmed)'") }
            shape.append(dim)
        }
        return (descr, fortran, shape)
    }

    /// Encodes float32 as a version 1.0 `.npy` (header padded to a multiple of 64 bytes).
    public static func encode(_ tensor: Tensor) -> Data {
        let dims = tensor.shape.map(String.init).joined(separator: ", ")
        let shapeText = tensor.shape.count == 1 ? "(\(dims),)" : "(\(dims))"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var data = Data(magic + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        tensor.withUnsafeBufferPointer { buffer in
            var le = buffer.map { $0.bitPattern.littleEndian }
            data.append(Data(bytes: &le, count: le.count * 4))
        }
        return data
    }
}

import Foundation

/// The first of `name`, `stem-2.ext`, `stem-3.ext`, … that `taken` does not reject: how the batch runner files an
/// input or names an output when an earlier one of the same name is there (cameras restart their numbering, so
/// `GOPR0001.MP4` arrives again), instead of replacing it.
public func freeName(_ name: String, taken: (String) -> Bool) -> String {
    let ext = (name as NSString).pathExtension
    let stem = ext.isEmpty ? name : String(name.dropLast(ext.count + 1))
    var candidate = name
    var number = 1
    while taken(candidate) {
        number += 1
        candidate = ext.isEmpty ? "\(stem)-\(number)" : "\(stem)-\(number).\(ext)"
    }
    return candidate
}

/// ``freeName(_:taken:)`` for names of `directory` (a dangling symbolic link counts as taken).
public func freeName(_ name: String, in directory: URL, withSuffixes suffixes: [String] = [""]) -> String {
    freeName(name) { candidate in
        suffixes.contains { suffix in
            var st = stat()
            return lstat(directory.appendingPathComponent(candidate + suffix).path, &st) == 0
        }
    }
}

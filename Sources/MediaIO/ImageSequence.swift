import Foundation

/// The files an input pattern such as `frames/%04d.png` names, checked before libavformat reads them.
///
/// FFmpeg's image reader looks for the first file among the numbers 0–4 only, and ends the sequence silently at the
/// first missing number: frames exported from 1001 on could not be opened at all, and `0001, 0002, 0004, 0005`
/// gave a two-frame video. Here the first number is whatever the folder holds, and a gap is an error.
struct ImageSequence {
    /// The frame numbers present, ascending.
    let numbers: [Int]

    /// A file name with a printf-style frame number (`%d`, `%04d`) cut around it: what libavformat reads and writes
    /// as a sequence.
    static func split(_ name: String) -> (prefix: String, format: String, suffix: String)? {
        guard let spec = try? NSRegularExpression(pattern: "%0?[0-9]*d"),
            let match = spec.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)),
            let range = Range(match.range, in: name)
        else { return nil }
        return (String(name[..<range.lowerBound]), String(name[range]), String(name[range.upperBound...]))
    }

    /// Numbers of the files in the pattern's folder that the pattern names exactly (`%04d` takes `0007`, not `07`).
    init?(pattern path: String) {
        let url = URL(fileURLWithPath: path)
        guard let (prefix, format, suffix) = ImageSequence.split(url.lastPathComponent) else { return nil }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)) ?? []
        numbers = files.compactMap { file -> Int? in
            guard file.hasPrefix(prefix), file.hasSuffix(suffix), file.count > prefix.count + suffix.count else {
                return nil
            }
            let digits = String(file.dropFirst(prefix.count).dropLast(suffix.count))
            guard digits.allSatisfy(\.isASCII), let n = Int(digits), n >= 0, String(format: format, n) == digits
            else { return nil }
            return n
        }.sorted()
        self.format = format
    }

    private let format: String

    /// The first number missing between the first and the last, and the numbers around it, as the pattern writes them.
    var firstGap: (last: String, missing: String, next: String)? {
        for (a, b) in zip(numbers, numbers.dropFirst()) where b != a + 1 {
            return (formatted(a), formatted(a + 1), formatted(b))
        }
        return nil
    }

    func formatted(_ n: Int) -> String { String(format: format, n) }
}

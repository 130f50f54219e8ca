import Foundation

/// Checks the Prometheus text exposition format (0.0.4): HELP/TYPE comments, then `name value` samples
/// whose names are valid and declared, values parse as floats, each metric family declared once.
public func parsePrometheusText(_ text: String) throws -> [String: Double] {
    struct FormatError: Error, CustomStringConvertible { let description: String }
    guard text.hasSuffix("\n") else { throw FormatError(description: "must end with a newline") }
    var types: [String: String] = [:]
    var samples: [String: Double] = [:]
    let name = #/^[a-zA-Z_:][a-zA-Z0-9_:]*$/#
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
        let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
        if line.hasPrefix("# TYPE ") {
            guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]),
                types[parts[2]] == nil
            else { throw FormatError(description: "bad TYPE line: \(line)") }
            types[parts[2]] = parts[3]
        } else if line.hasPrefix("# HELP ") {
            guard parts.count >= 3, parts[2].wholeMatch(of: name) != nil else { throw FormatError(description: "bad HELP: \(line)") }
        } else if line.hasPrefix("#") || line.isEmpty {
            continue
        } else {
            guard parts.count == 2, parts[0].wholeMatch(of: name) != nil, let value = Double(parts[1]) else {
                throw FormatError(description: "bad sample line: \(line)")
            }
            guard types[parts[0]] != nil else { throw FormatError(description: "sample before its TYPE: \(line)") }
            samples[parts[0]] = value
        }
    }
    return samples
}

/// A coding key that accepts any field name, used to list what a YAML mapping actually contains.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A field the schema does not know. `Codable` ignores these by default; pipeline files must not.
struct UnknownFieldError: Error {
    var codingPath: [any CodingKey]
    var field: String
    var allowed: [String]
}

extension Decoder {
    /// Throws `UnknownFieldError` when the mapping at this level has a key outside `allowed`.
    func rejectUnknownKeys<Key: CodingKey>(allowed: [Key]) throws {
        let names = Set(allowed.map(\.stringValue))
        let container = try container(keyedBy: AnyCodingKey.self)
        for key in container.allKeys where !names.contains(key.stringValue) {
            throw UnknownFieldError(
                codingPath: codingPath, field: key.stringValue, allowed: allowed.map(\.stringValue))
        }
    }
}

extension KeyedDecodingContainer {
    /// The value of an enumerated field (`tile_shape`, `precision`), or `fallback` where it is absent; any other
    /// text is an error naming the allowed values.
    func decodeChoice<Choice: RawRepresentable & CaseIterable>(_ type: Choice.Type, forKey key: Key, default fallback: Choice)
        throws -> Choice where Choice.RawValue == String {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return fallback }
        guard let choice = Choice(rawValue: text) else {
            let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "'\(text)' is not allowed (allowed: \(allowed))")
        }
        return choice
    }
}

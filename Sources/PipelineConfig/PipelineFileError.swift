/// Why a pipeline file was refused. `description` is one line naming the file, the field and what is allowed.
public struct PipelineFileError: Error, Equatable, CustomStringConvertible {
    public var file: String
    /// Dotted path of the field, e.g. `stages[1].tile`; empty for problems with the file as a whole.
    public var field: String
    public var problem: String

    public init(file: String, field: String, problem: String) {
        self.file = file
        self.field = field
        self.problem = problem
    }

    public var description: String {
        field.isEmpty ? "\(file): \(problem)" : "\(file): \(field): \(problem)"
    }
}

/// Renders a `Codable` coding path the way a user would write it: `stages[0].tile`.
func fieldPath(_ path: [any CodingKey], appending last: String? = nil) -> String {
    var text = ""
    for key in path {
        if let index = key.intValue {
            text += "[\(index)]"
        } else {
            text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
        }
    }
    if let last { text += text.isEmpty ? last : ".\(last)" }
    return text
}

import Foundation
import Yams

extension PipelineFile {
    /// Reads, decodes and validates a pipeline file.
    ///
    /// Relative model paths are resolved against the pipeline file's own directory, so a pipeline and its
    /// checkpoints can move together and a cron job's working directory does not matter.
    public static func load(from url: URL) throws -> PipelineFile {
        let display = url.relativePath
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw PipelineFileError(file: display, field: "", problem: "cannot read the file (\(error.localizedDescription))")
        }
        var pipeline = try parse(text, file: display)
        pipeline.resolveModelPaths(relativeTo: url.deletingLastPathComponent())
        try pipeline.validate(file: display)
        return pipeline
    }

    /// Decodes YAML text; `file` only names the source in errors. Does not validate values.
    public static func parse(_ text: String, file: String) throws -> PipelineFile {
        do {
            return try YAMLDecoder().decode(PipelineFile.self, from: text)
        } catch let error as UnknownFieldError {
            throw PipelineFileError(unknownField: error, file: file)
        } catch let error as DecodingError {
            // Yams wraps errors thrown inside `init(from:)` as the underlying error of a `dataCorrupted`.
            if case .dataCorrupted(let context) = error, let unknown = context.underlyingError as? UnknownFieldError {
                throw PipelineFileError(unknownField: unknown, file: file)
            }
            throw PipelineFileError(decodingError: error, file: file)
        } catch let error as PipelineFileError {
            throw error
        } catch {
            throw PipelineFileError(file: file, field: "", problem: "not valid YAML (\(error))")
        }
    }

    mutating func resolveModelPaths(relativeTo directory: URL) {
        for index in stages.indices {
            if case .file(let path) = stages[index].model, !path.hasPrefix("/") {
                stages[index].model = .file(directory.appendingPathComponent(path).standardizedFileURL.path)
            }
        }
    }

    /// Checks every value against what the pipeline can run. Built-in model names are checked by the caller,
    /// which knows where the shipped models live.
    public func validate(file: String) throws {
        func fail(_ field: String, _ problem: String) -> PipelineFileError {
            PipelineFileError(file: file, field: field, problem: problem)
        }
        if name.trimmingCharacters(in: .whitespaces).isEmpty { throw fail("name", "must not be empty") }
        if stages.isEmpty { throw fail("stages", "needs at least one stage (a list of {model, tile, overlap})") }
        for (i, stage) in stages.enumerated() {
            let at = "stages[\(i)]"
            if stage.tile < 64 || stage.tile % 64 != 0 {
                throw fail("\(at).tile", "\(stage.tile) is not allowed (allowed: a multiple of 64, e.g. 128, 256, 512)")
            }
            if stage.overlap < 0 || 2 * stage.overlap >= stage.tile {
                throw fail(
                    "\(at).overlap",
                    "\(stage.overlap) is not allowed (allowed: 0 to \(stage.tile / 2 - 1), less than half the tile)")
            }
            if case .file(let path) = stage.model {
                if !path.hasSuffix(".npz") {
                    throw fail(
                        "\(at).model",
                        "'\(path)' is neither a built-in model nor a .npz file (allowed: \(ModelReference.builtinNames.joined(separator: ", ")), or a path to a .npz checkpoint)")
                }
                if !FileManager.default.fileExists(atPath: path) {
                    throw fail("\(at).model", "model file '\(path)' does not exist")
                }
            }
        }
        if let queueCapacity, queueCapacity < 1 || queueCapacity > 64 {
            throw fail("queue_capacity", "\(queueCapacity) is not allowed (allowed: 1 to 64 frames)")
        }
        if let threads, threads < 1 || threads > 1024 {
            throw fail("threads", "\(threads) is not allowed (allowed: 1 to 1024, or leave it out for all cores)")
        }
        if let codec = output.codec, codec.isEmpty {
            throw fail("output.codec", "must name an encoder, e.g. libx264, libx265, ffv1, png (or be left out)")
        }
        if let crf = output.crf, !(0...63).contains(crf) {
            throw fail("output.crf", "\(crf) is not allowed (allowed: 0 to 63; libx264 uses 0 to 51)")
        }
    }
}

extension PipelineFileError {
    init(unknownField error: UnknownFieldError, file: String) {
        self.init(
            file: file, field: fieldPath(error.codingPath, appending: error.field),
            problem: "unknown field (allowed: \(error.allowed.joined(separator: ", ")))")
    }

    init(decodingError: DecodingError, file: String) {
        switch decodingError {
        case .typeMismatch(let type, let context):
            self.init(file: file, field: fieldPath(context.codingPath), problem: "wrong type (expected \(Self.describe(type)))")
        case .valueNotFound(let type, let context):
            self.init(file: file, field: fieldPath(context.codingPath), problem: "missing value (expected \(Self.describe(type)))")
        case .keyNotFound(let key, let context):
            self.init(file: file, field: fieldPath(context.codingPath, appending: key.stringValue), problem: "required field is missing")
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            self.init(file: file, field: fieldPath(context.codingPath), problem: "\(context.debugDescription)\(underlying)")
        @unknown default:
            self.init(file: file, field: "", problem: "\(decodingError)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is [StageSpec].Type: "a list of stages"
        default: "\(type)"
        }
    }
}

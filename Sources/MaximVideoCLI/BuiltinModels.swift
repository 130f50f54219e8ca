import Foundation
import PipelineConfig

/// Finds the checkpoints shipped with the tool (`models/deblur-small.npz`, `models/denoise-small.npz`).
///
/// Looked up, in order: `$MAXIM_VIDEO_HOME/models` (the Docker image sets it), `share/maxim-video/models`
/// beside the binary's `bin/`, then `models/` in the binary's directory or any parent (a source checkout's
/// `.build/release/maxim-video` finds the repository's `models/`).
enum BuiltinModels {
    static let files = ["deblur": "deblur-small.npz", "denoise": "denoise-small.npz"]

    /// Tile overlap per side for each shipped model, as `pipelines/<task>.yaml` says: the smallest that measured no
    /// loss against a wide overlap (models/MODEL_CARD.md); every 8 pixels less is fewer tiles per frame.
    static let defaultOverlap = ["deblur": 8, "denoise": 8]

    struct Missing: Error, CustomStringConvertible {
        let name: String
        let file: String
        let searched: [String]
        var description: String {
            "the built-in '\(name)' model (models/\(file)) is not installed (looked in: \(searched.joined(separator: ", "))); pass a checkpoint with --model PATH.npz"
        }
    }

    static func searchDirectories(environment: [String: String] = ProcessInfo.processInfo.environment) -> [URL] {
        var dirs: [URL] = []
        if let home = environment["MAXIM_VIDEO_HOME"], !home.isEmpty {
            dirs.append(URL(fileURLWithPath: home).appendingPathComponent("models"))
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let exeDir = URL(fileURLWithPath: Bundle.main.executablePath ?? executable.path).deletingLastPathComponent()
        dirs.append(exeDir.deletingLastPathComponent().appendingPathComponent("share/maxim-video/models"))
        var dir = exeDir
        while dir.path != "/" {
            dirs.append(dir.appendingPathComponent("models"))
            dir = dir.deletingLastPathComponent()
        }
        return dirs
    }

    /// The checkpoint file for a pipeline stage's model reference.
    static func resolve(_ reference: ModelReference) throws -> URL {
        switch reference {
        case .file(let path):
            return URL(fileURLWithPath: path)
        case .builtin(let name):
            let file = files[name] ?? "\(name).npz"
            let dirs = searchDirectories()
            for dir in dirs {
                let url = dir.appendingPathComponent(file)
                if FileManager.default.fileExists(atPath: url.path) { return url }
            }
            throw Missing(name: name, file: file, searched: dirs.prefix(3).map(\.path) + ["parent models/ folders"])
        }
    }
}

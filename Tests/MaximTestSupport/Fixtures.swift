import Foundation

/// The repository's test fixtures (`Tests/Fixtures`), found relative to this file — never the shared data folder.
public enum Fixtures {
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A file of a golden conformance case, e.g. `golden("tiny", "params.npz")`.
    public static func golden(_ testCase: String, _ file: String) -> URL {
        root.appendingPathComponent("golden").appendingPathComponent(testCase).appendingPathComponent(file)
    }

    /// The golden tiny checkpoint (random weights; 8 features, 2 stages): a real MAXIM file that runs fast.
    public static var tinyCheckpoint: String { golden("tiny", "params.npz").path }

    /// Noisy/clean PNG pairs (256×144 crops of two frames of a σ = 25 clip, see `Fixtures/denoise/README.md`).
    public static func denoise(_ kind: String) -> URL {
        root.appendingPathComponent("denoise").appendingPathComponent(kind)
    }

    /// Blurry/sharp PNG pairs (256×144 crops of two frames of a camera-motion clip, see `Fixtures/deblur/README.md`).
    public static func deblur(_ kind: String) -> URL {
        root.appendingPathComponent("deblur").appendingPathComponent(kind)
    }

    /// The training code's outputs for a shipped model on a real crop (`tools/train/shipped_reference.py`),
    /// e.g. `shipped("deblur-small", "outputs.npz")`.
    public static func shipped(_ model: String, _ file: String) -> URL {
        root.appendingPathComponent("shipped").appendingPathComponent(model).appendingPathComponent(file)
    }

    /// A model shipped in the repository's `models/` folder, e.g. `model("deblur-small")`.
    public static func model(_ name: String) -> URL {
        root.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("models").appendingPathComponent(name + ".npz")
    }

    /// A clip of the repository's `samples/` folder, e.g. `sample("fig-noisy.mp4")`.
    public static func sample(_ name: String) -> String {
        root.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("samples").appendingPathComponent(name).path
    }

    /// A real-world media case made by `tools/fixtures/make_media_fixtures.sh` (e.g. `media("rotate90.mp4")`).
    public static func media(_ name: String) -> String {
        root.appendingPathComponent("media").appendingPathComponent(name).path
    }
}

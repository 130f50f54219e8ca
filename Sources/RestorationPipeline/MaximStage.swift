import Foundation
import MaximModel
import MediaIO
import Tensor

/// Runs a MAXIM network on one tile: planar RGB in, the last stage's full-resolution output back.
///
/// Values are passed through unclipped; clipping happens only when the frame is converted back for encoding.
public struct MaximTileRestorer: TileRestorer {
    public let model: Maxim

    public init(model: Maxim) { self.model = model }

    public func restoreTile(_ tile: RGBImage) throws -> RGBImage {
        RGBImage(nhwc: model.restore(Tensor(planar: tile)))
    }
}

/// A restoration stage that runs a MAXIM checkpoint tile by tile, blending the tiles with feathered overlap.
public struct MaximStage: RestorationStage {
    public let name: String
    public let tiled: TiledStage

    /// - Parameters:
    ///   - workers: tiles of one frame restored at once; each uses `ComputeThreads.count` threads inside its
    ///     matrix work, so `workers × ComputeThreads.count` should not exceed the cores.
    public init(name: String, model: Maxim, tile: Int, overlap: Int, workers: Int) {
        precondition(tile % model.configuration.sizeMultiple == 0,
                     "tile must be a multiple of \(model.configuration.sizeMultiple) for this model")
        self.name = name
        tiled = TiledStage(name: name, restorer: MaximTileRestorer(model: model), tile: tile, overlap: overlap,
                           workers: workers)
    }

    /// Loads the checkpoint at `url` (strictly: every key used, every shape checked).
    public init(name: String, checkpoint url: URL, tile: Int, overlap: Int, workers: Int) throws {
        self.init(name: name, model: try CheckpointLoader.load(contentsOf: url), tile: tile, overlap: overlap,
                  workers: workers)
    }

    public func restore(_ image: RGBImage) throws -> RGBImage {
        try tiled.restore(image)
    }
}

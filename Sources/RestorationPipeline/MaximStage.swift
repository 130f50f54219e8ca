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
    ///   - sizing: `.square`, or `.fitted` in steps of (a multiple of) the model's `sizeMultiple`.
    ///   - workers: tiles restored at once, shared by every frame this stage holds; each tile uses
    ///     `ComputeThreads.count` threads inside its matrix work, so `workers × ComputeThreads.count` should not
    ///     exceed the cores.
    public init(name: String, model: Maxim, tile: Int, overlap: Int, sizing: TileSizing = .square, workers: Int) {
        let multiple = model.configuration.sizeMultiple
        precondition(tile % multiple == 0, "tile must be a multiple of \(multiple) for this model")
        if case .fitted(let step) = sizing { precondition(step % multiple == 0, "tiles must grow by \(multiple)s") }
        self.name = name
        tiled = TiledStage(name: name, restorer: MaximTileRestorer(model: model), tile: tile, overlap: overlap,
                           sizing: sizing, workers: workers)
    }

    public func restore(_ image: RGBImage) throws -> RGBImage {
        try tiled.restore(image)
    }
}

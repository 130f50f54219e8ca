import Foundation
import MediaIO

/// A model that restores one tile. Implementations must be safe to call from several threads.
public protocol TileRestorer: Sendable {
    /// Restores a tile (every tile of a frame has the same shape) and returns an image of the same size.
    func restoreTile(_ tile: RGBImage) throws -> RGBImage
}

/// Runs a `TileRestorer` over a whole frame, tile by tile, and blends the tiles with feathered overlap.
///
/// Tiles run on `workers` threads shared by every frame this stage holds at once (``TileScheduler``: the oldest
/// frame's tiles first, never the cooperative pool); each restored tile is blended into its frame as soon as it is
/// done, so memory holds one accumulator per frame in flight plus one tile's working set per worker, however large
/// the frame.
public struct TiledStage: RestorationStage {
    public let name: String
    public let restorer: any TileRestorer
    public let tile: Int
    public let overlap: Int
    public let sizing: TileSizing
    public let workers: Int
    private let scheduler: TileScheduler

    public init(name: String, restorer: any TileRestorer, tile: Int, overlap: Int, sizing: TileSizing = .square,
                workers: Int = 1) {
        precondition(tile > 0 && overlap >= 0 && 2 * overlap < tile, "overlap must be less than half the tile")
        precondition(workers >= 1, "a tiled stage needs at least one worker")
        self.name = name
        self.restorer = restorer
        self.tile = tile
        self.overlap = overlap
        self.sizing = sizing
        self.workers = workers
        scheduler = TileScheduler(workers: workers)
    }

    public func tiler(width: Int, height: Int) -> Tiler {
        Tiler(width: width, height: height, tile: tile, overlap: overlap, sizing: sizing)
    }

    public func restore(_ image: RGBImage) throws -> RGBImage {
        try scheduler.run(TileJob(image: image, tiler: tiler(width: image.width, height: image.height),
                                  restorer: restorer))
    }
}

import Dispatch
import Foundation
import MediaIO

/// A model that restores one tile. Implementations must be safe to call from several threads.
public protocol TileRestorer: Sendable {
    /// Restores a tile (every tile of a frame has the same shape) and returns an image of the same size.
    func restoreTile(_ tile: RGBImage) throws -> RGBImage
}

/// Runs a `TileRestorer` over a whole frame, tile by tile, and blends the tiles with feathered overlap.
///
/// Tiles of one frame run on `workers` threads (Dispatch's `concurrentPerform`, never the cooperative pool);
/// each restored tile is blended into the frame as soon as it is done, so memory holds one frame accumulator
/// plus one tile's working set per worker, however large the frame.
public struct TiledStage: RestorationStage {
    public let name: String
    public let restorer: any TileRestorer
    public let tile: Int
    public let overlap: Int
    public let sizing: TileSizing
    public let workers: Int

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
    }

    public func tiler(width: Int, height: Int) -> Tiler {
        Tiler(width: width, height: height, tile: tile, overlap: overlap, sizing: sizing)
    }

    public func restore(_ image: RGBImage) throws -> RGBImage {
        let tiler = tiler(width: image.width, height: image.height)
        let tiles = tiler.tiles
        let state = BlendState(blender: TileBlender(tiler: tiler))
        let restorer = restorer
        DispatchQueue.concurrentPerform(iterations: min(workers, tiles.count)) { _ in
            while let index = state.nextTile(of: tiles.count) {
                let rect = tiles[index]
                do {
                    let input = TileBlender.extract(rect, from: image, width: tiler.tileWidth, height: tiler.tileHeight)
                    let output = try restorer.restoreTile(input)
                    state.add(output, at: rect)
                } catch {
                    state.fail(error)
                }
            }
        }
        return try state.finish()
    }
}

/// The shared state of one frame's tile loop: the next tile to hand out, the blender and the first error.
private final class BlendState: @unchecked Sendable {
    // Every member is read and written under `lock` only.
    private let lock = NSLock()
    private var blender: TileBlender
    private var next = 0
    private var error: (any Error)?

    init(blender: TileBlender) { self.blender = blender }

    /// The next tile index, or nil when all are handed out or a tile failed (stop early, report the error).
    func nextTile(of count: Int) -> Int? {
        lock.withLock {
            guard error == nil, next < count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func add(_ tile: RGBImage, at rect: TileRect) {
        lock.withLock { blender.add(tile, at: rect) }
    }

    func fail(_ error: any Error) {
        lock.withLock { if self.error == nil { self.error = error } }
    }

    func finish() throws -> RGBImage {
        try lock.withLock {
            if let error { throw error }
            return blender.finish()
        }
    }
}

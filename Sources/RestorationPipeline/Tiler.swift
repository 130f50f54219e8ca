#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tile's place in the frame. All tiles of a frame have the same shape; near the right/bottom edge of a frame
/// smaller than one tile, part of the tile lies outside the frame and is filled by reflection.
public struct TileRect: Sendable, Equatable {
    public let x: Int
    public let y: Int
    public let column: Int
    public let row: Int
}

/// How a stage sizes its tiles for a given frame.
public enum TileSizing: Sendable, Equatable {
    /// Every tile `tile × tile`, whatever the frame.
    case square
    /// Each axis gets the tile length in `tile…2·tile` (steps of `multiple`, the model's size multiple) that
    /// covers it with the fewest processed pixels; ties go to the shorter length, the one nearer the trained
    /// size. A 1280-pixel axis takes 3 tiles of 448 instead of 6 of 256 (1,344 pixels instead of 1,536).
    case fitted(multiple: Int)
}

/// Where the tiles of a frame go and how much each one counts at every pixel.
///
/// MAXIM's grid branch mixes across a fixed grid of the whole input, so a model's output depends on the
/// input's size: every tile of a frame therefore has the same shape, and the last tile of a row or column is
/// snapped to the frame edge rather than shrunk. Neighbouring tiles share `2·overlap` pixels (each tile's
/// `overlap`-wide margin is its least reliable part), feathered with a raised-cosine ramp. Weights are
/// separable, so the normaliser `Σ w` is the product of two per-axis sums; blending divides by it, which makes
/// the weights a partition of unity however the snapped last tile overlaps.
///
/// ```
///  frame x →  0          stride      2·stride          W-tile      W
///  tile 0     [==========\\]
///  tile 1               [//==========\\]
///  tile 2                         [//==========\\]
///  last                                    [////==========]   ← snapped to the edge
/// ```
public struct Tiler: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Tile shape for this frame (both equal `tile` with `.square` sizing).
    public let tileWidth: Int
    public let tileHeight: Int
    public let overlap: Int
    /// Left edges of the tile columns.
    public let columnOrigins: [Int]
    /// Top edges of the tile rows.
    public let rowOrigins: [Int]

    public init(width: Int, height: Int, tile: Int, overlap: Int, sizing: TileSizing = .square) {
        precondition(width > 0 && height > 0, "frame must not be empty")
        precondition(tile > 0 && overlap >= 0 && 2 * overlap < tile, "overlap must be less than half the tile")
        self.width = width
        self.height = height
        self.overlap = overlap
        tileWidth = Self.tileLength(axis: width, tile: tile, overlap: overlap, sizing: sizing)
        tileHeight = Self.tileLength(axis: height, tile: tile, overlap: overlap, sizing: sizing)
        columnOrigins = Self.origins(length: width, tile: tileWidth, overlap: overlap)
        rowOrigins = Self.origins(length: height, tile: tileHeight, overlap: overlap)
    }

    /// Every tile, row by row.
    public var tiles: [TileRect] {
        rowOrigins.enumerated().flatMap { row, y in
            columnOrigins.enumerated().map { column, x in TileRect(x: x, y: y, column: column, row: row) }
        }
    }

    public var tileCount: Int { columnOrigins.count * rowOrigins.count }

    /// Pixels the model processes per frame pixel (≥ 1): the price of overlap and edge snapping.
    public var overlapCost: Double {
        Double(tileCount * tileWidth * tileHeight) / Double(width * height)
    }

    /// Weights of the tile starting at `origin` along one axis of `length` pixels, `tile` values long.
    /// A tile edge on the frame border gets weight 1 (nothing to blend with there); an inner edge ramps up
    /// over `2·overlap` pixels as `½ − ½·cos(π(u + ½)/(2·overlap))`, which is never 0 and which sums to
    /// exactly 1 with the neighbour's falling ramp when the two overlap by exactly `2·overlap`.
    public func axisWeights(origin: Int, length: Int, tile: Int) -> [Float] {
        let ramp = 2 * overlap
        var weights = [Float](repeating: 1, count: tile)
        guard ramp > 0 else { return weights }
        for u in 0..<min(ramp, tile) {
            let w = Float(0.5 - 0.5 * cos(Double.pi * (Double(u) + 0.5) / Double(ramp)))
            if origin > 0 { weights[u] *= w }
            if origin + tile < length { weights[tile - 1 - u] *= w }
        }
        return weights
    }

    /// Weights of every column (`columnWeights`) and every row of tiles along their axis.
    public var columnWeights: [[Float]] { columnOrigins.map { axisWeights(origin: $0, length: width, tile: tileWidth) } }
    public var rowWeights: [[Float]] { rowOrigins.map { axisWeights(origin: $0, length: height, tile: tileHeight) } }

    /// Origins along one axis: a regular stride of `tile − 2·overlap`, the last one snapped so the tile ends
    /// at the frame edge. An axis shorter than a tile gets one tile at 0 (the rest is reflect-padding).
    static func origins(length: Int, tile: Int, overlap: Int) -> [Int] {
        guard length > tile else { return [0] }
        let stride = tile - 2 * overlap
        var origins = [0]
        while origins[origins.count - 1] + tile < length {
            let next = origins[origins.count - 1] + stride
            origins.append(next + tile >= length ? length - tile : next)
        }
        return origins
    }

    /// The tile length for an axis of `axis` pixels: `tile`, or with `.fitted` the candidate that processes the
    /// fewest pixels along the axis (tile count × length).
    static func tileLength(axis: Int, tile: Int, overlap: Int, sizing: TileSizing) -> Int {
        guard case .fitted(let multiple) = sizing, multiple > 0 else { return tile }
        var best = tile, bestCost = origins(length: axis, tile: tile, overlap: overlap).count * tile
        for length in stride(from: tile + multiple, through: 2 * tile, by: multiple) {
            let cost = origins(length: axis, tile: length, overlap: overlap).count * length
            if cost < bestCost { (best, bestCost) = (length, cost) }
        }
        return best
    }
}

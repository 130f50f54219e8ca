#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tile's place in the frame. Tiles all have the same size; near the right/bottom edge of a frame
/// smaller than one tile, part of the tile lies outside the frame and is filled by reflection.
public struct TileRect: Sendable, Equatable {
    public let x: Int
    public let y: Int
    public let column: Int
    public let row: Int
}

/// Where the tiles of a frame go and how much each one counts at every pixel.
///
/// MAXIM's grid branch mixes across a fixed 16×16 grid of the whole input, so a model's output depends on the
/// input's size: every tile therefore has the same shape, and the last tile of a row or column is snapped to
/// the frame edge rather than shrunk. Neighbouring tiles share `2·overlap` pixels (each tile's `overlap`-wide
/// margin is its least reliable part), feathered with a raised-cosine ramp. Weights are separable, so the
/// normaliser `Σ w` is the product of two per-axis sums; blending divides by it, which makes the weights a
/// partition of unity however the snapped last tile overlaps.
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
    public let tile: Int
    public let overlap: Int
    /// Left edges of the tile columns.
    public let columnOrigins: [Int]
    /// Top edges of the tile rows.
    public let rowOrigins: [Int]

    public init(width: Int, height: Int, tile: Int, overlap: Int) {
        precondition(width > 0 && height > 0, "frame must not be empty")
        precondition(tile > 0 && overlap >= 0 && 2 * overlap < tile, "overlap must be less than half the tile")
        self.width = width
        self.height = height
        self.tile = tile
        self.overlap = overlap
        columnOrigins = Self.origins(length: width, tile: tile, overlap: overlap)
        rowOrigins = Self.origins(length: height, tile: tile, overlap: overlap)
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
        Double(tileCount * tile * tile) / Double(width * height)
    }

    /// Weights of the tile starting at `origin` along one axis of `length` pixels, `tile` values long.
    /// A tile edge on the frame border gets weight 1 (nothing to blend with there); an inner edge ramps up
    /// over `2·overlap` pixels as `½ − ½·cos(π(u + ½)/(2·overlap))`, which is never 0 and which sums to
    /// exactly 1 with the neighbour's falling ramp when the two overlap by exactly `2·overlap`.
    public func axisWeights(origin: Int, length: Int) -> [Float] {
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
}

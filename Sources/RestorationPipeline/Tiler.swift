#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tile's place in the frame: its rectangle, and its column and row in the tiling. Near the right/bottom edge of
/// a frame smaller than one tile, part of the tile lies outside the frame and is filled by reflection.
public struct TileRect: Sendable, Equatable {
    public let x: Int
    public let y: Int
    public let width: Int
    public let height: Int
    public let column: Int
    public let row: Int
}

/// One column (or row) of tiles along its axis: where it starts and how long its tiles are.
public struct TileSpan: Sendable, Equatable {
    public let origin: Int
    public let length: Int

    public init(origin: Int, length: Int) {
        self.origin = origin
        self.length = length
    }
}

/// How a stage sizes its tiles for a given frame.
public enum TileSizing: Sendable, Equatable {
    /// Every tile `tile × tile`, whatever the frame.
    case square
    /// Tile lengths are multiples of `multiple` (the model's size multiple) chosen per axis: where tiles of
    /// `tile` (the size the model was trained at) to `tile + multiple` pixels, balanced to within one multiple,
    /// can cover the axis, those — smaller tiles keep a layer's activations nearer the core (a features-8 model
    /// restores a 256² tile at ~0.69 µs per pixel, a 448×256 one at ~0.73); otherwise the one length in
    /// `tile…2·tile` that covers the axis with the fewest processed pixels. A 1280-pixel axis takes 5 tiles
    /// (288, 288, 256, 256, 256 from 256 in steps of 32: the 1,344 pixels of 3 × 448), a 720-pixel one 3 × 256,
    /// a 640-pixel one 2 × 352, a 360-pixel one 1 × 384.
    case fitted(multiple: Int)
}

/// Where the tiles of a frame go and how much each one counts at every pixel.
///
/// MAXIM's grid branch mixes across a fixed grid of the whole input, so a model's output depends on the
/// input's size: the tiles of a frame therefore keep one shape, or (fitted) lengths one size multiple apart
/// near the trained size (`TileSizing`), and the last tile of a row or column is snapped to the frame edge
/// rather than shrunk. Neighbouring tiles share
/// `2·overlap` pixels (each tile's `overlap`-wide margin is its least reliable part), feathered with a
/// raised-cosine ramp. Weights are separable, so the normaliser `Σ w` is the product of two per-axis sums;
/// blending divides by it, which makes the weights a partition of unity however the snapped last tile overlaps.
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
    public let overlap: Int
    /// The tile columns, left to right, and the tile rows, top to bottom.
    public let columns: [TileSpan]
    public let rows: [TileSpan]

    public init(width: Int, height: Int, tile: Int, overlap: Int, sizing: TileSizing = .square) {
        precondition(width > 0 && height > 0, "frame must not be empty")
        precondition(tile > 0 && overlap >= 0 && 2 * overlap < tile, "overlap must be less than half the tile")
        self.width = width
        self.height = height
        self.overlap = overlap
        columns = Self.spans(length: width, tile: tile, overlap: overlap, sizing: sizing)
        rows = Self.spans(length: height, tile: tile, overlap: overlap, sizing: sizing)
    }

    /// Every tile, row by row.
    public var tiles: [TileRect] {
        rows.enumerated().flatMap { row, r in
            columns.enumerated().map { column, c in
                TileRect(x: c.origin, y: r.origin, width: c.length, height: r.length, column: column, row: row)
            }
        }
    }

    public var tileCount: Int { columns.count * rows.count }

    /// The tile shapes of this frame, widest and tallest first, e.g. `288×256, 256×256`.
    public var shapeDescription: String {
        let widths = Set(columns.map(\.length)).sorted(by: >), heights = Set(rows.map(\.length)).sorted(by: >)
        return heights.flatMap { h in widths.map { w in "\(w)×\(h)" } }.joined(separator: ", ")
    }

    /// Pixels the model processes per frame pixel (≥ 1): the price of overlap and edge snapping.
    public var overlapCost: Double {
        Double(columns.map(\.length).reduce(0, +) * rows.map(\.length).reduce(0, +)) / Double(width * height)
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
    public var columnWeights: [[Float]] { columns.map { axisWeights(origin: $0.origin, length: width, tile: $0.length) } }
    public var rowWeights: [[Float]] { rows.map { axisWeights(origin: $0.origin, length: height, tile: $0.length) } }

    /// The tiles along an axis of `length` pixels: each starts where its neighbour's last `2·overlap` pixels do,
    /// and the last one is snapped so it ends at the frame edge (where the lengths cover more than the axis, it
    /// overlaps its neighbour by more). An axis shorter than a tile gets one tile at 0 (the rest is reflect-padding).
    static func spans(length: Int, tile: Int, overlap: Int, sizing: TileSizing) -> [TileSpan] {
        let lengths: [Int]
        if case .fitted(let multiple) = sizing, multiple > 0 {
            lengths = fittedLengths(axis: length, tile: tile, overlap: overlap, multiple: multiple)
        } else {
            lengths = Array(repeating: tile, count: count(length: length, tile: tile, overlap: overlap))
        }
        var spans: [TileSpan] = []
        var origin = 0
        for (i, l) in lengths.enumerated() {
            spans.append(TileSpan(origin: i == lengths.count - 1 ? max(0, length - l) : origin, length: l))
            origin += l - 2 * overlap
        }
        return spans
    }

    /// How many tiles of `tile` pixels, each sharing `2·overlap` with the next, cover an axis of `length`.
    static func count(length: Int, tile: Int, overlap: Int) -> Int {
        guard length > tile else { return 1 }
        let stride = tile - 2 * overlap
        return 1 + (length - tile + stride - 1) / stride
    }

    /// `.fitted` tile lengths for an axis of `axis` pixels, the longer ones first. Where tiles of `tile` to
    /// `tile + multiple` pixels (balanced to within one multiple) can cover the axis, the count of them that
    /// processes the fewest pixels, of equals the most (shorter) tiles; otherwise tiles of the one length in
    /// `tile…2·tile` (steps of `multiple`) that covers the axis with the fewest pixels, of equals the shorter.
    /// An axis no longer than `tile` gets one tile of `tile`.
    static func fittedLengths(axis: Int, tile: Int, overlap: Int, multiple: Int) -> [Int] {
        guard axis > tile else { return [tile] }
        /// `count` tiles covering the axis with neighbours sharing 2·overlap: the covered length rounded up
        /// to whole multiples, dealt out as evenly as possible.
        func balanced(_ count: Int) -> [Int] {
            let needed = axis + (count - 1) * 2 * overlap
            let units = (needed + multiple - 1) / multiple
            return (0..<count).map { i in (units / count + (i < units % count ? 1 : 0)) * multiple }
        }
        var nearTrained: [Int]?
        for count in 1... {
            let lengths = balanced(count)
            guard lengths.min()! >= tile else { break }
            if lengths.max()! <= tile + multiple, lengths.reduce(0, +) <= nearTrained?.reduce(0, +) ?? .max {
                nearTrained = lengths
            }
        }
        if let nearTrained { return nearTrained }
        var best = tile, bestCost = count(length: axis, tile: tile, overlap: overlap) * tile
        for length in stride(from: tile + multiple, through: 2 * tile, by: multiple) {
            let cost = count(length: axis, tile: length, overlap: overlap) * length
            if cost < bestCost { (best, bestCost) = (length, cost) }
        }
        return Array(repeating: best, count: count(length: axis, tile: best, overlap: overlap))
    }
}

import Testing

@testable import RestorationPipeline

@Suite struct TilerTests {
    static let frames = [(31, 17), (641, 359), (1920, 1080), (3840, 2160)]

    static let sizings: [TileSizing] = [.square, .fitted(multiple: 64), .fitted(multiple: 32)]

    @Test(arguments: frames, sizings)
    func tilesCoverEveryPixelAndTakeTheirColumnsWidthAndRowsHeight(frame: (width: Int, height: Int),
                                                                  sizing: TileSizing) {
        let (width, height) = frame
        let tiler = Tiler(width: width, height: height, tile: 256, overlap: 32, sizing: sizing)
        var covered = [Bool](repeating: false, count: width * height)
        for t in tiler.tiles {
            #expect(t.x >= 0 && t.y >= 0)
            #expect(t.width == tiler.columns[t.column].length && t.height == tiler.rows[t.row].length)
            // A tile may stick out of the frame only where the frame is smaller than a tile.
            #expect(t.x + t.width <= max(width, t.width) && t.y + t.height <= max(height, t.height))
            for y in t.y..<min(t.y + t.height, height) {
                for x in t.x..<min(t.x + t.width, width) { covered[y * width + x] = true }
            }
        }
        #expect(covered.allSatisfy { $0 })
    }

    @Test(arguments: frames, sizings)
    func weightsSumToOneEverywhere(frame: (width: Int, height: Int), sizing: TileSizing) {
        let (width, height) = frame
        let tiler = Tiler(width: width, height: height, tile: 256, overlap: 32, sizing: sizing)
        // Σ_tiles wx·wy, accumulated per pixel the way the blender's normaliser is, then normalised.
        var sum = [Double](repeating: 0, count: width * height)
        for t in tiler.tiles {
            let wx = tiler.columnWeights[t.column], wy = tiler.rowWeights[t.row]
            for v in 0..<min(t.height, height - t.y) {
                for u in 0..<min(t.width, width - t.x) { sum[(t.y + v) * width + t.x + u] += Double(wx[u] * wy[v]) }
            }
        }
        #expect(sum.allSatisfy { $0 > 0 })
        let colNorm = TileBlender.norm(
            origins: tiler.columns.map(\.origin), weights: tiler.columnWeights, length: width)
        let rowNorm = TileBlender.norm(origins: tiler.rows.map(\.origin), weights: tiler.rowWeights, length: height)
        var worst = 0.0
        for y in 0..<height {
            for x in 0..<width { worst = max(worst, abs(sum[y * width + x] / (colNorm[x] * rowNorm[y]) - 1)) }
        }
        #expect(worst < 1e-6)
    }

    @Test func regularOverlapsSumToOneBeforeNormalising() {
        // 256-tile, 32 overlap, stride 192: 832 = 4 regular tiles exactly, so ramps meet pairwise.
        let tiler = Tiler(width: 832, height: 64, tile: 256, overlap: 32)
        #expect(tiler.columns.map(\.origin) == [0, 192, 384, 576])
        let norm = TileBlender.norm(
            origins: tiler.columns.map(\.origin), weights: tiler.columnWeights, length: 832)
        #expect(norm.allSatisfy { abs($0 - 1) < 1e-6 })
    }

    @Test func lastTileSnapsToTheFrameEdge() {
        let tiler = Tiler(width: 1280, height: 720, tile: 256, overlap: 32)
        #expect(tiler.columns.map(\.origin) == [0, 192, 384, 576, 768, 960, 1024])
        #expect(tiler.rows.map(\.origin) == [0, 192, 384, 464])
        #expect(tiler.tiles.allSatisfy { $0.width == 256 && $0.height == 256 })
        #expect(tiler.tileCount == 28)
        #expect(abs(tiler.overlapCost - 28.0 * 65536 / 921_600) < 1e-12)
    }

    @Test func fittedTilesOfA720pFrameStayNearTheTrainedSize() {
        let square = Tiler(width: 1280, height: 720, tile: 256, overlap: 8)
        // The shipped denoiser (size multiple 32): 5 × 3 tiles of 288 or 256 by 256, the pixels of 3 × 448 by 256.
        let fitted = Tiler(width: 1280, height: 720, tile: 256, overlap: 8, sizing: .fitted(multiple: 32))
        #expect(fitted.columns.map(\.length) == [288, 288, 256, 256, 256])
        #expect(fitted.columns.map(\.origin) == [0, 272, 544, 784, 1024])
        #expect(fitted.rows.map(\.length) == [256, 256, 256] && fitted.rows.map(\.origin) == [0, 240, 464])
        #expect(fitted.tileCount == 15 && fitted.shapeDescription == "288×256, 256×256")
        #expect(abs(fitted.overlapCost - 1344.0 * 768 / 921_600) < 1e-12)
        #expect(abs(fitted.overlapCost / square.overlapCost - 0.875) < 1e-12)
        // The deblurrer (size multiple 64): 320 + 4 × 256 across.
        let coarse = Tiler(width: 1280, height: 720, tile: 256, overlap: 8, sizing: .fitted(multiple: 64))
        #expect(coarse.columns.map(\.length) == [320, 256, 256, 256, 256] && coarse.rows.count == 3)
    }

    @Test func fittedTilesOfSmallFramesKeepTheFewestPixels() {
        // 640×360: no tiles of 256…288 cover 640, so 2 of 352 (multiple 32) or 3 of 256 (multiple 64); one row
        // of 384 instead of two of 256.
        let fine = Tiler(width: 640, height: 360, tile: 256, overlap: 8, sizing: .fitted(multiple: 32))
        #expect(fine.columns.map(\.length) == [352, 352] && fine.rows.map(\.length) == [384])
        let coarse = Tiler(width: 640, height: 360, tile: 256, overlap: 8, sizing: .fitted(multiple: 64))
        #expect(coarse.columns.map(\.length) == [256, 256, 256] && coarse.rows.map(\.length) == [384])
        // Equal pixels: the shorter tiles (96 from 64 in steps of 64: 2 × 64, not 1 × 128).
        #expect(Tiler(width: 96, height: 80, tile: 64, overlap: 8, sizing: .fitted(multiple: 64)).tileCount == 4)
        // An axis shorter than the tile: one tile of `tile`, reflect-padded.
        #expect(Tiler(width: 100, height: 40, tile: 256, overlap: 8, sizing: .fitted(multiple: 32)).tileCount == 1)
    }

    @Test func fittedTilesNeverCostMoreThanSquareOnesAndMeetWithoutGaps() {
        for width in stride(from: 32, through: 2200, by: 37) {
            for (tile, multiple) in [(256, 64), (256, 32), (128, 32), (192, 64)] {
                let square = Tiler(width: width, height: 64, tile: tile, overlap: 16)
                let fitted = Tiler(width: width, height: 64, tile: tile, overlap: 16, sizing: .fitted(multiple: multiple))
                let lengths = fitted.columns.map(\.length)
                #expect(lengths.allSatisfy { $0 >= tile && $0 <= 2 * tile && ($0 - tile) % multiple == 0 })
                #expect(lengths.max()! - lengths.min()! <= multiple)
                #expect(lengths.reduce(0, +) <= square.columns.count * tile)
                // From 0 to the frame edge, each neighbour sharing at least 2·overlap pixels.
                #expect(fitted.columns[0].origin == 0)
                #expect(fitted.columns.last!.origin + fitted.columns.last!.length == max(width, lengths.last!))
                for (a, b) in zip(fitted.columns, fitted.columns.dropFirst()) {
                    #expect(b.origin > a.origin && a.origin + a.length - b.origin >= 2 * 16)
                }
            }
        }
    }

    @Test func frameBordersHaveWeightOneAndInnerEdgesFeather() {
        let tiler = Tiler(width: 1000, height: 256, tile: 256, overlap: 32)
        let first = tiler.axisWeights(origin: 0, length: 1000, tile: 256)
        #expect(first[0] == 1 && first[100] == 1)
        #expect(first[255] > 0 && first[255] < 0.01)
        let last = tiler.axisWeights(origin: 1000 - 256, length: 1000, tile: 256)
        #expect(last[255] == 1 && last[0] < 0.01)
        // A frame exactly one tile high: one row, weight 1 throughout.
        #expect(tiler.rows.map(\.origin) == [0])
        #expect(tiler.axisWeights(origin: 0, length: 256, tile: 256).allSatisfy { $0 == 1 })
    }

    @Test func reflectIndexMirrorsWithoutRepeatingTheEdge() {
        #expect((0..<9).map { TileBlender.reflect($0, 4) } == [0, 1, 2, 3, 2, 1, 0, 1, 2])
        #expect(TileBlender.reflect(-1, 4) == 1)
        #expect(TileBlender.reflect(5, 1) == 0)
    }
}

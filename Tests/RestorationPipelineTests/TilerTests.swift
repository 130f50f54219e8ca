import Testing

@testable import RestorationPipeline

@Suite struct TilerTests {
    static let frames = [(31, 17), (641, 359), (1920, 1080), (3840, 2160)]

    static let sizings: [TileSizing] = [.square, .fitted(multiple: 64)]

    @Test(arguments: frames, sizings)
    func tilesCoverEveryPixelAndAllHaveTheTileShape(frame: (width: Int, height: Int), sizing: TileSizing) {
        let (width, height) = frame
        let tiler = Tiler(width: width, height: height, tile: 256, overlap: 32, sizing: sizing)
        let (tw, th) = (tiler.tileWidth, tiler.tileHeight)
        var covered = [Bool](repeating: false, count: width * height)
        for t in tiler.tiles {
            #expect(t.x >= 0 && t.y >= 0)
            // A tile may stick out of the frame only where the frame is smaller than a tile.
            #expect(t.x + tw <= max(width, tw) && t.y + th <= max(height, th))
            for y in t.y..<min(t.y + th, height) {
                for x in t.x..<min(t.x + tw, width) { covered[y * width + x] = true }
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
            for v in 0..<min(tiler.tileHeight, height - t.y) {
                for u in 0..<min(tiler.tileWidth, width - t.x) { sum[(t.y + v) * width + t.x + u] += Double(wx[u] * wy[v]) }
            }
        }
        #expect(sum.allSatisfy { $0 > 0 })
        let colNorm = TileBlender.norm(
            origins: tiler.columnOrigins, weights: tiler.columnWeights, length: width)
        let rowNorm = TileBlender.norm(origins: tiler.rowOrigins, weights: tiler.rowWeights, length: height)
        var worst = 0.0
        for y in 0..<height {
            for x in 0..<width { worst = max(worst, abs(sum[y * width + x] / (colNorm[x] * rowNorm[y]) - 1)) }
        }
        #expect(worst < 1e-6)
    }

    @Test func regularOverlapsSumToOneBeforeNormalising() {
        // 256-tile, 32 overlap, stride 192: 832 = 4 regular tiles exactly, so ramps meet pairwise.
        let tiler = Tiler(width: 832, height: 64, tile: 256, overlap: 32)
        #expect(tiler.columnOrigins == [0, 192, 384, 576])
        let norm = TileBlender.norm(
            origins: tiler.columnOrigins, weights: tiler.columnWeights, length: 832)
        #expect(norm.allSatisfy { abs($0 - 1) < 1e-6 })
    }

    @Test func lastTileSnapsToTheFrameEdge() {
        let tiler = Tiler(width: 1280, height: 720, tile: 256, overlap: 32)
        #expect(tiler.columnOrigins == [0, 192, 384, 576, 768, 960, 1024])
        #expect(tiler.rowOrigins == [0, 192, 384, 464])
        #expect(tiler.tileCount == 28)
        #expect(abs(tiler.overlapCost - 28.0 * 65536 / 921_600) < 1e-12)
    }

    @Test func fittedTilesCoverA720pFrameWithAnEighthLessWork() {
        let square = Tiler(width: 1280, height: 720, tile: 256, overlap: 8)
        let fitted = Tiler(width: 1280, height: 720, tile: 256, overlap: 8, sizing: .fitted(multiple: 64))
        #expect(square.tileCount == 18)
        #expect(fitted.tileWidth == 448 && fitted.tileHeight == 256)
        #expect(fitted.columnOrigins == [0, 432, 832])
        #expect(fitted.tileCount == 9)
        #expect(abs(fitted.overlapCost / square.overlapCost - 0.875) < 1e-12)
        // 640×360: one row of 384-high tiles instead of two rows of 256.
        let small = Tiler(width: 640, height: 360, tile: 256, overlap: 8, sizing: .fitted(multiple: 64))
        #expect(small.tileWidth == 256 && small.tileHeight == 384 && small.tileCount == 3)
    }

    @Test func fittedTilesNeverCostMoreThanSquareOnesAndStayWithinTwiceTheTile() {
        for width in stride(from: 32, through: 2200, by: 37) {
            for (tile, multiple) in [(256, 64), (128, 32), (192, 64)] {
                let square = Tiler(width: width, height: 64, tile: tile, overlap: 16)
                let fitted = Tiler(width: width, height: 64, tile: tile, overlap: 16, sizing: .fitted(multiple: multiple))
                let w = fitted.tileWidth
                #expect(w >= tile && w <= 2 * tile && (w - tile) % multiple == 0)
                #expect(fitted.columnOrigins.count * w <= square.columnOrigins.count * tile)
                // Ties go to the shorter tile: no shorter candidate does as well.
                for shorter in stride(from: tile, to: w, by: multiple) {
                    #expect(Tiler.origins(length: width, tile: shorter, overlap: 16).count * shorter > fitted.columnOrigins.count * w)
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
        #expect(tiler.rowOrigins == [0])
        #expect(tiler.axisWeights(origin: 0, length: 256, tile: 256).allSatisfy { $0 == 1 })
    }

    @Test func reflectIndexMirrorsWithoutRepeatingTheEdge() {
        #expect((0..<9).map { TileBlender.reflect($0, 4) } == [0, 1, 2, 3, 2, 1, 0, 1, 2])
        #expect(TileBlender.reflect(-1, 4) == 1)
        #expect(TileBlender.reflect(5, 1) == 0)
    }
}

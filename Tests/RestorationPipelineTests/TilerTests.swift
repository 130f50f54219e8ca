import Testing

@testable import RestorationPipeline

@Suite struct TilerTests {
    static let frames = [(31, 17), (641, 359), (1920, 1080), (3840, 2160)]

    @Test(arguments: frames)
    func tilesCoverEveryPixelAndAllHaveTheTileShape(width: Int, height: Int) {
        let tiler = Tiler(width: width, height: height, tile: 256, overlap: 32)
        var covered = [Bool](repeating: false, count: width * height)
        for t in tiler.tiles {
            #expect(t.x >= 0 && t.y >= 0)
            // A tile may stick out of the frame only where the frame is smaller than a tile.
            #expect(t.x + 256 <= max(width, 256) && t.y + 256 <= max(height, 256))
            for y in t.y..<min(t.y + 256, height) {
                for x in t.x..<min(t.x + 256, width) { covered[y * width + x] = true }
            }
        }
        #expect(covered.allSatisfy { $0 })
    }

    @Test(arguments: frames)
    func weightsSumToOneEverywhere(width: Int, height: Int) {
        let tiler = Tiler(width: width, height: height, tile: 256, overlap: 32)
        // Σ_tiles wx·wy, accumulated per pixel the way the blender's normaliser is, then normalised.
        var sum = [Double](repeating: 0, count: width * height)
        for t in tiler.tiles {
            let wx = tiler.axisWeights(origin: t.x, length: width), wy = tiler.axisWeights(origin: t.y, length: height)
            for v in 0..<min(256, height - t.y) {
                for u in 0..<min(256, width - t.x) { sum[(t.y + v) * width + t.x + u] += Double(wx[u] * wy[v]) }
            }
        }
        #expect(sum.allSatisfy { $0 > 0 })
        let colNorm = TileBlender.norm(
            origins: tiler.columnOrigins, weights: tiler.columnOrigins.map { tiler.axisWeights(origin: $0, length: width) },
            length: width)
        let rowNorm = TileBlender.norm(
            origins: tiler.rowOrigins, weights: tiler.rowOrigins.map { tiler.axisWeights(origin: $0, length: height) },
            length: height)
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
            origins: tiler.columnOrigins, weights: tiler.columnOrigins.map { tiler.axisWeights(origin: $0, length: 832) },
            length: 832)
        #expect(norm.allSatisfy { abs($0 - 1) < 1e-6 })
    }

    @Test func lastTileSnapsToTheFrameEdge() {
        let tiler = Tiler(width: 1280, height: 720, tile: 256, overlap: 32)
        #expect(tiler.columnOrigins == [0, 192, 384, 576, 768, 960, 1024])
        #expect(tiler.rowOrigins == [0, 192, 384, 464])
        #expect(tiler.tileCount == 28)
        #expect(abs(tiler.overlapCost - 28.0 * 65536 / 921_600) < 1e-12)
    }

    @Test func frameBordersHaveWeightOneAndInnerEdgesFeather() {
        let tiler = Tiler(width: 1000, height: 256, tile: 256, overlap: 32)
        let first = tiler.axisWeights(origin: 0, length: 1000)
        #expect(first[0] == 1 && first[100] == 1)
        #expect(first[255] > 0 && first[255] < 0.01)
        let last = tiler.axisWeights(origin: 1000 - 256, length: 1000)
        #expect(last[255] == 1 && last[0] < 0.01)
        // A frame exactly one tile high: one row, weight 1 throughout.
        #expect(tiler.rowOrigins == [0])
        #expect(tiler.axisWeights(origin: 0, length: 256).allSatisfy { $0 == 1 })
    }

    @Test func reflectIndexMirrorsWithoutRepeatingTheEdge() {
        #expect((0..<9).map { TileBlender.reflect($0, 4) } == [0, 1, 2, 3, 2, 1, 0, 1, 2])
        #expect(TileBlender.reflect(-1, 4) == 1)
        #expect(TileBlender.reflect(5, 1) == 0)
    }
}

import Foundation
import MaximModel
import MaximTestSupport
import MediaIO
import Tensor
import Testing

@testable import RestorationPipeline

enum GoldenFixtures {
    /// The golden tiny network (random weights, 8 features, 2 stages), loaded once for all tests.
    static let model: Maxim = try! CheckpointLoader.load(contentsOf: Fixtures.golden("tiny", "params.npz"))
}

/// A photograph-like test frame: smooth gradients, a few edges and fine texture.
func sceneImage(width: Int, height: Int) -> RGBImage {
    var pixels = [Float](repeating: 0, count: 3 * width * height)
    for c in 0..<3 {
        for y in 0..<height {
            for x in 0..<width {
                let fx = Float(x) / Float(width), fy = Float(y) / Float(height)
                var v = 0.3 + 0.4 * fx * fy + 0.1 * Float(c) * fy
                if (x / 37 + y / 29) % 2 == 0 { v += 0.15 }
                v += 0.05 * sin(Float(x) * 0.9 + Float(c)) * cos(Float(y) * 0.7)
                pixels[(c * height + y) * width + x] = v
            }
        }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
}

/// Mean |horizontal gradient| on the columns where a tile starts or ends, divided by the mean elsewhere.
func seamRatio(_ image: RGBImage, tiler: Tiler) -> Double {
    var edges = Set<Int>()
    for column in tiler.columns {
        if column.origin > 0 { edges.insert(column.origin - 1) }
        if column.origin + column.length < image.width { edges.insert(column.origin + column.length - 1) }
    }
    var onEdges = 0.0, elsewhere = 0.0, nEdges = 0, nElse = 0
    let w = image.width, h = image.height
    for c in 0..<3 {
        for y in 0..<h {
            for x in 0..<(w - 1) {
                let g = Double(abs(image.pixels[(c * h + y) * w + x + 1] - image.pixels[(c * h + y) * w + x]))
                if edges.contains(x) { onEdges += g; nEdges += 1 } else { elsewhere += g; nElse += 1 }
            }
        }
    }
    return (onEdges / Double(nEdges)) / (elsewhere / Double(nElse))
}

@Suite struct MaximStageTests {
    @Test func aFrameOfOneTileGivesTheGoldenOutput() throws {
        let input = try NPYFormat.decode(Data(contentsOf: Fixtures.golden("tiny", "input.npy")))
        let golden = try NPZArchive.read(contentsOf: Fixtures.golden("tiny", "outputs.npz"))
        let reference = RGBImage(nhwc: try #require(golden["stage_1/scale_2"]))
        let stage = MaximStage(name: "tiny", model: GoldenFixtures.model, tile: 64, overlap: 16, workers: 1)
        let out = try stage.restore(RGBImage(nhwc: input))
        let scale = reference.pixels.map { abs($0) }.max()!
        let worst = zip(out.pixels, reference.pixels).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-5 * scale, "max |out − golden| = \(worst), scale \(scale)")
    }

    @Test func aFittedTileCoversARectangularFrameAndGivesTheGoldenOutput() throws {
        // 192×128 from a 128 tile: one fitted 192×128 tile, where square tiles would need two 128² ones.
        let input = try NPYFormat.decode(Data(contentsOf: Fixtures.golden("tiny-rect", "input.npy")))
        let golden = try NPZArchive.read(contentsOf: Fixtures.golden("tiny-rect", "outputs.npz"))
        let reference = RGBImage(nhwc: try #require(golden["stage_1/scale_2"]))
        let stage = MaximStage(name: "tiny", model: GoldenFixtures.model, tile: 128, overlap: 16,
                               sizing: .fitted(multiple: 64), workers: 1)
        let tiler = stage.tiled.tiler(width: 192, height: 128)
        #expect(tiler.tileCount == 1 && tiler.tiles[0].width == 192 && tiler.tiles[0].height == 128)
        let out = try stage.restore(RGBImage(nhwc: input))
        let scale = reference.pixels.map { abs($0) }.max()!
        let worst = zip(out.pixels, reference.pixels).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-5 * scale, "max |out − golden| = \(worst), scale \(scale)")
    }

    @Test func blendedTilesOfARealCheckpointShowNoSeams() throws {
        let (width, height) = (256, 128)
        let image = sceneImage(width: width, height: height)
        let small = MaximStage(name: "t64", model: GoldenFixtures.model, tile: 64, overlap: 16, workers: 2)
        let large = MaximStage(name: "t128", model: GoldenFixtures.model, tile: 128, overlap: 16, workers: 2)
        let tiler = small.tiled.tiler(width: width, height: height)
        let blended = seamRatio(try small.restore(image), tiler: tiler)
        // The same columns in the 128-px tiling, where most of them are not tile edges: what the scene and the
        // network give there anyway.
        let baseline = seamRatio(try large.restore(image), tiler: tiler)
        print("seam ratio at 64-px tiles / 16 overlap: \(blended); same columns at 128-px tiles: \(baseline); relative \(blended / baseline)")
        #expect(blended / baseline <= 1.05)
        #expect(blended <= 1.10)
    }

    /// Fitted tiles of two widths meet as seamlessly as square ones: the model's output for a tile depends on the
    /// tile's size (the grid gMLP mixes over a fixed grid of it), and the blend must hide that too.
    @Test func blendedFittedTilesOfTwoWidthsShowNoSeams() throws {
        let (width, height) = (256, 128)
        let image = sceneImage(width: width, height: height)
        let multiple = GoldenFixtures.model.configuration.sizeMultiple
        let fitted = MaximStage(name: "f64", model: GoldenFixtures.model, tile: 64, overlap: 16,
                                sizing: .fitted(multiple: multiple), workers: 2)
        let large = MaximStage(name: "t128", model: GoldenFixtures.model, tile: 128, overlap: 16, workers: 2)
        let tiler = fitted.tiled.tiler(width: width, height: height)
        #expect(Set(tiler.columns.map(\.length)).count == 2, "columns \(tiler.columns)")
        let blended = seamRatio(try fitted.restore(image), tiler: tiler)
        let baseline = seamRatio(try large.restore(image), tiler: tiler)
        #expect(blended / baseline <= 1.05, "fitted \(blended), same columns at 128-px tiles \(baseline)")
    }

    @Test func seamRatioSeesSeamsThatBlendingRemoves() throws {
        // Each tile shifted by its own offset, as a model would whose output depends on the tile's context.
        struct OffsetPerTile: TileRestorer {
            func restoreTile(_ tile: RGBImage) throws -> RGBImage {
                let key = tile.pixels.reduce(0, +)
                let offset = 0.2 * (key * 97).truncatingRemainder(dividingBy: 1)
                return RGBImage(width: tile.width, height: tile.height, pixels: tile.pixels.map { $0 + offset })
            }
        }
        let image = sceneImage(width: 320, height: 96)
        let hard = TiledStage(name: "hard", restorer: OffsetPerTile(), tile: 64, overlap: 0, workers: 2)
        let soft = TiledStage(name: "soft", restorer: OffsetPerTile(), tile: 64, overlap: 16, workers: 2)
        let hardRatio = seamRatio(try hard.restore(image), tiler: hard.tiler(width: 320, height: 96))
        let softRatio = seamRatio(try soft.restore(image), tiler: soft.tiler(width: 320, height: 96))
        #expect(hardRatio > 2, "abutting tiles with different offsets: \(hardRatio)")
        #expect(softRatio <= 1.05, "the same tiles feathered: \(softRatio)")
    }
}

import Foundation
import MediaIO
import Testing

@testable import RestorationPipeline

/// Returns its input: blending must then reproduce the frame exactly.
struct IdentityTiles: TileRestorer {
    func restoreTile(_ tile: RGBImage) throws -> RGBImage { tile }
}

/// Adds a constant: blending must give input + constant everywhere, with no seam or darkened border.
struct AddConstantTiles: TileRestorer {
    let constant: Float
    func restoreTile(_ tile: RGBImage) throws -> RGBImage {
        RGBImage(width: tile.width, height: tile.height, pixels: tile.pixels.map { $0 + constant })
    }
}

struct FailingTiles: TileRestorer {
    struct Boom: Error {}
    func restoreTile(_ tile: RGBImage) throws -> RGBImage { throw Boom() }
}

/// A deterministic, non-smooth test image (so a misplaced tile cannot go unnoticed).
func noiseImage(width: Int, height: Int, seed: UInt64 = 1) -> RGBImage {
    var state = seed
    let pixels = (0..<(3 * width * height)).map { _ -> Float in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 24)
    }
    return RGBImage(width: width, height: height, pixels: pixels)
}

@Suite struct TiledStageTests {
    @Test(arguments: [(31, 17), (641, 359), (300, 200)], [TileSizing.square, .fitted(multiple: 32)])
    func identityModelReturnsTheInputExactly(frame: (width: Int, height: Int), sizing: TileSizing) throws {
        let (width, height) = frame
        let image = noiseImage(width: width, height: height)
        let stage = TiledStage(name: "id", restorer: IdentityTiles(), tile: 128, overlap: 16, sizing: sizing, workers: 2)
        let out = try stage.restore(image)
        #expect(out.width == width && out.height == height)
        #expect(out.pixels == image.pixels)
    }

    @Test(arguments: [(31, 17), (641, 359)])
    func constantAddingModelAddsTheConstantEverywhere(width: Int, height: Int) throws {
        let image = noiseImage(width: width, height: height, seed: 7)
        let stage = TiledStage(name: "c", restorer: AddConstantTiles(constant: 0.25), tile: 64, overlap: 16, workers: 2)
        let out = try stage.restore(image)
        let expected = image.pixels.map { $0 + 0.25 }
        #expect(out.pixels == expected)
    }

    @Test func aFailingTileFailsTheFrame() {
        let stage = TiledStage(name: "f", restorer: FailingTiles(), tile: 64, overlap: 8, workers: 2)
        #expect(throws: FailingTiles.Boom.self) { try stage.restore(noiseImage(width: 200, height: 100)) }
    }

    @Test func tileExtractionReflectsBeyondSmallFrames() {
        let image = noiseImage(width: 5, height: 3)
        let tile = TileBlender.extract(TileRect(x: 0, y: 0, width: 64, height: 64, column: 0, row: 0), from: image)
        #expect(tile.width == 64 && tile.height == 64)
        // Column 5 mirrors column 3, row 3 mirrors row 1 (numpy 'reflect').
        #expect(tile.pixels[0 * 64 + 5] == image.pixels[0 * 5 + 3])
        #expect(tile.pixels[3 * 64 + 0] == image.pixels[1 * 5 + 0])
        #expect(tile.pixels[2 * 64 * 64 + 64 + 1] == image.pixels[2 * 15 + 5 + 1])
    }
}

/// Counts tiles being restored at once, the most ever seen, and the total.
final class InFlightCounter: TileRestorer, @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var current = 0
    private(set) var most = 0
    private(set) var total = 0

    func restoreTile(_ tile: RGBImage) throws -> RGBImage {
        lock.withLock {
            current += 1
            total += 1
            most = max(most, current)
        }
        Thread.sleep(forTimeInterval: 0.002)
        lock.withLock { current -= 1 }
        return tile
    }
}

@Suite struct TiledStageMemoryTests {
    @Test(arguments: [1, 2, 3])
    func aFrameOf4KNeverHasMoreTilesInFlightThanWorkers(workers: Int) throws {
        let counter = InFlightCounter()
        let stage = TiledStage(name: "count", restorer: counter, tile: 256, overlap: 32, workers: workers)
        let image = RGBImage(width: 3840, height: 2160, pixels: [Float](repeating: 0.5, count: 3 * 3840 * 2160))
        let out = try stage.restore(image)
        #expect(counter.total == stage.tiler(width: 3840, height: 2160).tileCount)
        #expect(counter.most <= workers)
        #expect(out.pixels.count == image.pixels.count)
    }

    @Test func aLoneFrameGetsEveryWorker() throws {
        let counter = InFlightCounter()
        let stage = TiledStage(name: "count", restorer: counter, tile: 64, overlap: 8, workers: 3)
        let image = RGBImage(width: 640, height: 360, pixels: [Float](repeating: 0.5, count: 3 * 640 * 360))
        _ = try stage.restore(image)
        #expect(counter.most == 3, "at most \(counter.most) of 3 workers busy on one frame")
    }

    @Test func framesRestoredAtOnceShareTheWorkersAndKeepTheirOwnPixels() throws {
        let counter = InFlightCounter()
        let stage = TiledStage(name: "count", restorer: counter, tile: 64, overlap: 8, workers: 2)
        let frames = (0..<4).map { i in
            RGBImage(width: 200, height: 120, pixels: [Float](repeating: Float(i) / 4, count: 3 * 200 * 120))
        }
        let results = FrameResults(count: frames.count)
        DispatchQueue.concurrentPerform(iterations: frames.count) { i in
            results.set(i, Result { try stage.restore(frames[i]) })
        }
        for (i, frame) in frames.enumerated() {
            let out = try results.get(i)
            #expect(out.pixels == frame.pixels, "frame \(i) came back with another frame's tiles")
        }
        #expect(counter.most <= 2 && counter.total == 4 * stage.tiler(width: 200, height: 120).tileCount)
    }
}

/// Results written by concurrent iterations, one slot each.
final class FrameResults: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var slots: [Result<RGBImage, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ result: Result<RGBImage, any Error>) { lock.withLock { slots[i] = result } }
    func get(_ i: Int) throws -> RGBImage { try lock.withLock { slots[i] }!.get() }
}

import Testing
@testable import MaximVideoCLI

@Suite struct ThreadPlanTests {
    /// 1280×720 at the small models' tile 256 / overlap 8, fitted tiles (5 × 3 of 288 or 320 and 256 by 256).
    static let tiles720p = 15

    @Test func twoCoresShareTwoTileWorkersBetweenTwoFrames() {
        let plan = ThreadPlan(threads: 2, tilesPerFrame: [Self.tiles720p], frameBytes: 1280 * 720 * 12)
        #expect(plan.frameWorkersPerStage == 2 && plan.tileWorkers == [2])
    }

    @Test func everyThreadRestoresTilesWhateverTheTileCount() {
        for tiles in [1, 9, 15, 18, 100] {
            let plan = ThreadPlan(threads: 16, tilesPerFrame: [tiles], frameBytes: 1280 * 720 * 12)
            #expect(plan.tileWorkers == [16], "\(tiles) tiles: \(plan)")
        }
    }

    @Test func framesWithFewerTilesThanWorkersKeepEnoughFramesInFlightToCoverThem() {
        // 16 workers, 9 tiles a frame: two frames cover them, a third keeps them busy while one finishes.
        #expect(ThreadPlan(threads: 16, tilesPerFrame: [9], frameBytes: 1280 * 720 * 12).frameWorkersPerStage == 3)
        // One-tile frames: as many frames as the cap allows.
        #expect(ThreadPlan(threads: 16, tilesPerFrame: [1]).frameWorkersPerStage == ThreadPlan.maxFrameWorkers)
    }

    @Test func chainedStagesShareTheThreads() {
        let plan = ThreadPlan(threads: 8, tilesPerFrame: [18, 18])
        #expect(plan.tileWorkers == [4, 4] && plan.frameWorkersPerStage == 2)
    }

    @Test func anUnknownFrameSizeUsesEveryThreadOnTwoFrames() {
        let plan = ThreadPlan(threads: 6, tilesPerFrame: [nil])
        #expect(plan.frameWorkersPerStage == 2 && plan.tileWorkers == [6])
    }

    @Test func hugeFramesLimitFramesInFlight() {
        // 8K float frames (~400 MB each, in and out): at most one frame in flight per stage within the 1 GiB budget.
        let plan = ThreadPlan(threads: 64, tilesPerFrame: [17 * 33], frameBytes: 7680 * 4320 * 12)
        #expect(plan.frameWorkersPerStage == 1 && plan.tileWorkers == [64])
        // And the queues hold one frame each: 5 frames at once instead of 7 (a 3-frame 8K job peaked at 4.1 GB).
        #expect(plan.queueCapacity == 1)
    }

    @Test func queuesKeepTwoFramesUpTo4K() {
        for (width, height) in [(1280, 720), (1920, 1080), (3840, 2160)] {
            let plan = ThreadPlan(threads: 2, tilesPerFrame: [100], frameBytes: width * height * 12)
            #expect(plan.queueCapacity == 2, "\(width)×\(height): \(plan)")
        }
        #expect(ThreadPlan(threads: 2, tilesPerFrame: [nil]).queueCapacity == 2)
    }
}

import Testing
@testable import MaximVideoCLI

@Suite struct ThreadPlanTests {
    /// 1280×720 at the small models' tile 256 / overlap 8.
    static let tiles720p = 18

    @Test func twoCoresRestoreTwoTilesOfOneFrameAtOnce() {
        let plan = ThreadPlan(threads: 2, tilesPerFrame: [Self.tiles720p], frameBytes: 1280 * 720 * 12)
        #expect(plan.frameWorkersPerStage == 1 && plan.tileWorkers == [2])
    }

    @Test func manyCoresSplitIntoFramesSoNoTileRoundLeavesThreadsIdle() {
        // 16 tile workers on one frame: 18 tiles take two rounds, the second with 14 threads idle (56 % busy).
        let plan = ThreadPlan(threads: 16, tilesPerFrame: [Self.tiles720p], frameBytes: 1280 * 720 * 12)
        #expect(plan.frameWorkersPerStage * plan.tileWorkers[0] <= 16)
        #expect(plan.frameWorkersPerStage > 1)
        let workers = plan.tileWorkers[0]
        let busy = Double(Self.tiles720p) / Double(((Self.tiles720p + workers - 1) / workers) * workers)
            * Double(workers * plan.frameWorkersPerStage) / 16
        #expect(busy >= 0.99, "\(plan)")
    }

    @Test func anOddTileCountOnTwoCoresRunsTwoFramesOneTileEach() {
        let plan = ThreadPlan(threads: 2, tilesPerFrame: [15])
        #expect(plan.frameWorkersPerStage == 2 && plan.tileWorkers == [1])
    }

    @Test func chainedStagesShareTheThreads() {
        let plan = ThreadPlan(threads: 8, tilesPerFrame: [18, 18])
        #expect(plan.frameWorkersPerStage * plan.tileWorkers[0] <= 4 && plan.tileWorkers.count == 2)
    }

    @Test func anUnknownFrameSizeUsesEveryThreadOnTilesOfOneFrame() {
        let plan = ThreadPlan(threads: 6, tilesPerFrame: [nil])
        #expect(plan.frameWorkersPerStage == 1 && plan.tileWorkers == [6])
    }

    @Test func hugeFramesLimitFramesInFlight() {
        // 8K float frames (~400 MB each, in and out): at most one frame in flight per stage within the 1 GiB budget.
        let plan = ThreadPlan(threads: 64, tilesPerFrame: [17 * 33], frameBytes: 7680 * 4320 * 12)
        #expect(plan.frameWorkersPerStage == 1 && plan.tileWorkers == [64])
    }
}

import RestorationPipeline

/// How a pipeline's thread budget is spent: per stage, tile workers shared by the frames that stage holds at once.
///
/// Tiles are independent, so a tile runs on one thread (no synchronisation inside its matrix work: on 2 cores two
/// tiles at once beat one tile on two threads, 0.11 vs 0.125 s per small-model tile). Each stage's share of the
/// threads restores tiles of every frame it holds, the oldest frame's first (`TileScheduler`), so a lone frame — a
/// single image, a short clip's, a clip's last — gets the whole share. More than one frame is in flight so that the
/// workers have the next frame's tiles while a frame's last tiles finish: two, or more where a frame has fewer
/// tiles than workers, capped so that frame buffers stay small next to the models' own memory; for the same reason
/// the queues between threads hold one frame instead of two where frames are huge (8K: 398 MiB each as float RGB).
/// Chained stages get equal shares and run side by side on different frames.
struct ThreadPlan: CustomStringConvertible {
    let threads: Int
    /// Frames one stage holds at once (the same for every stage).
    let frameWorkersPerStage: Int
    /// Threads restoring tiles, per stage, shared by that stage's frames in flight.
    let tileWorkers: [Int]
    let computeThreadsPerTile = 1
    /// Frames each queue between threads holds, where the pipeline leaves it open.
    let queueCapacity: Int

    static let maxFrameWorkers = 8
    static let frameMemoryBudget = 1 << 30

    /// - Parameters:
    ///   - tilesPerFrame: per stage, the tiles of one frame; nil where the frame size is unknown (stdin).
    ///   - frameBytes: one decoded frame as the stages hold it (float RGB), if known.
    init(threads: Int, tilesPerFrame: [Int?], frameBytes: Int? = nil) {
        self.threads = max(1, threads)
        let stages = max(1, tilesPerFrame.count)
        let share = max(1, self.threads / stages)
        // Input and output of every frame in flight, in every stage.
        let memoryCap = frameBytes.map { max(1, Self.frameMemoryBudget / max(1, 2 * $0 * stages)) } ?? Self.maxFrameWorkers
        // Enough frames that their tiles cover the workers with one frame to spare; the fewest tiles of any stage.
        let fewest = tilesPerFrame.map { max(1, $0 ?? share) }.min() ?? share
        let wanted = (share + fewest - 1) / fewest + 1
        frameWorkersPerStage = max(1, min(wanted, Self.maxFrameWorkers, memoryCap))
        tileWorkers = Array(repeating: share, count: stages)
        let twoEach = RestorerOptions(queueCapacity: 2, workersPerStage: frameWorkersPerStage)
            .framesInFlightBound(stageCount: stages)
        queueCapacity = frameBytes.map { twoEach * $0 > Self.frameMemoryBudget ? 1 : 2 } ?? 2
    }

    var description: String {
        "\(threads) thread(s): \(tileWorkers.map(String.init).joined(separator: "/")) tile worker(s) per stage shared by \(frameWorkersPerStage) frame(s) in flight × \(computeThreadsPerTile) compute thread(s) per tile; queues of \(queueCapacity) frame(s)"
    }
}

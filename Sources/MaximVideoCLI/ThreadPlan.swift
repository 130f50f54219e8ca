/// How a pipeline's thread budget is spent: frames in flight per stage × tiles in flight per frame.
///
/// Tiles are independent, so a tile runs on one thread (no synchronisation inside its matrix work: on 2 cores two
/// tiles at once beat one tile on two threads, 0.11 vs 0.125 s per small-model tile). A frame's tiles alone do not
/// scale: 18 tiles of a 720p frame on 16 workers take two rounds, the second with 14 workers idle. So the stage's
/// threads are split into `frameWorkersPerStage` frames at once (delivered in order by the stage runner), each with
/// `tileWorkers` tile threads, choosing the split that leaves the fewest threads idle; ties go to fewer frames in
/// flight (less memory, lower latency). Chained stages get equal shares and run side by side on different frames.
struct ThreadPlan: CustomStringConvertible {
    let threads: Int
    /// Frames one stage restores at once (the same for every stage).
    let frameWorkersPerStage: Int
    /// Tiles of one frame restored at once, per stage.
    let tileWorkers: [Int]
    let computeThreadsPerTile = 1

    /// Frames in flight per stage are capped so that frame buffers stay small next to the models' own memory.
    static let maxFrameWorkers = 8
    static let frameMemoryBudget = 1 << 30

    /// - Parameters:
    ///   - tilesPerFrame: per stage, the tiles of one frame; nil where the frame size is unknown (stdin).
    ///   - frameBytes: one decoded frame as the stages hold it (float RGB), if known.
    init(threads: Int, tilesPerFrame: [Int?], frameBytes: Int? = nil) {
        self.threads = max(1, threads)
        let stages = max(1, tilesPerFrame.count)
        let share = max(1, self.threads / stages)
        let counts = tilesPerFrame.compactMap { $0 }.filter { $0 > 0 }
        guard counts.count == tilesPerFrame.count, !counts.isEmpty else {
            frameWorkersPerStage = 1
            tileWorkers = Array(repeating: share, count: stages)
            return
        }
        // Input and output of every frame in flight, in every stage.
        let memoryCap = frameBytes.map { max(1, Self.frameMemoryBudget / max(1, 2 * $0 * stages)) } ?? Self.maxFrameWorkers
        let candidates = 1...max(1, min(share, Self.maxFrameWorkers, memoryCap))
        var best = (frames: 1, utilisation: -1.0)
        for frames in candidates {
            let workers = share / frames
            // Worst stage: busy thread-rounds over available thread-rounds.
            let utilisation = counts.map { tiles in
                let rounds = (tiles + workers - 1) / workers
                return Double(tiles * frames) / Double(rounds * workers * frames) * Double(workers * frames) / Double(share)
            }.min()!
            if utilisation > best.utilisation + 0.01 { best = (frames, utilisation) }
        }
        frameWorkersPerStage = best.frames
        tileWorkers = Array(repeating: share / best.frames, count: stages)
    }

    var description: String {
        "\(threads) thread(s): \(frameWorkersPerStage) frame(s) per stage at once × \(tileWorkers.map(String.init).joined(separator: "/")) tile worker(s) per frame × \(computeThreadsPerTile) compute thread(s) per tile"
    }
}

import Foundation
import MediaIO

/// Restores the tiles of every frame a stage holds on at most `workers` threads shared by those frames, the oldest
/// frame's tiles first.
///
/// With a fixed share of tile threads per frame in flight, cores sat idle whenever fewer frames than shares were
/// in flight: a single image, a short clip and a clip's last frame ran on one share (a lone 720p frame on one of
/// two cores). Shared, every worker takes the next tile of the oldest frame that has tiles left, so a lone frame
/// gets every core and frames still tend to finish in order. Workers are threads started while tiles wait and
/// ending when none do, so a stage between frames holds no threads.
final class TileScheduler: @unchecked Sendable {
    let workers: Int
    // Guarded by `lock`: the threads running, and the jobs with tiles not yet handed out, oldest first.
    private let lock = NSLock()
    private var running = 0
    private var queued: [TileJob] = []

    init(workers: Int) {
        precondition(workers >= 1, "a tile scheduler needs at least one worker")
        self.workers = workers
    }

    /// Restores `job`'s tiles (alongside other frames' jobs) and returns its blended frame; blocks until then.
    func run(_ job: TileJob) throws -> RGBImage {
        lock.withLock {
            queued.append(job)
            let waiting = queued.reduce(0) { $0 + $1.tilesLeft }
            for _ in 0..<max(0, min(workers - running, waiting)) {
                running += 1
                let thread = Thread { [self] in work() }
                thread.name = "tiles"
                thread.start()
            }
        }
        return try job.wait()
    }

    private func work() {
        while let (job, index) = next() { job.restore(index) }
    }

    /// The oldest job's next tile, or nil (and this worker ends) when no job has tiles left.
    private func next() -> (TileJob, Int)? {
        lock.withLock {
            while let job = queued.first {
                if let index = job.take() { return (job, index) }
                queued.removeFirst()
            }
            running -= 1
            return nil
        }
    }
}

/// One frame's tiles: which to hand out next, the blender they go into, and the first error.
final class TileJob: @unchecked Sendable {
    private let image: RGBImage
    private let tiles: [TileRect]
    private let restorer: any TileRestorer
    // Guarded by `condition`: the next tile to hand out, how many handed out have been blended (or failed), the
    // blender and the first error (after which no more tiles are handed out).
    private let condition = NSCondition()
    private var next = 0
    private var done = 0
    private var blender: TileBlender
    private var error: (any Error)?

    init(image: RGBImage, tiler: Tiler, restorer: any TileRestorer) {
        self.image = image
        tiles = tiler.tiles
        self.restorer = restorer
        blender = TileBlender(tiler: tiler)
    }

    /// Tiles not yet handed out.
    var tilesLeft: Int { condition.withLock { error == nil ? tiles.count - next : 0 } }

    /// The next tile's index, or nil when all are handed out or one failed.
    func take() -> Int? {
        condition.withLock {
            guard error == nil, next < tiles.count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    /// Restores tile `index` and blends it in (or records its error).
    func restore(_ index: Int) {
        let rect = tiles[index]
        let result = Result { try restorer.restoreTile(TileBlender.extract(rect, from: image)) }
        condition.withLock {
            switch result {
            case .success(let output): blender.add(output, at: rect)
            case .failure(let failure): if error == nil { error = failure }
            }
            done += 1
            condition.broadcast()
        }
    }

    /// Waits until every tile handed out is back and none is left to hand out, then returns the blended frame or
    /// throws the first tile's error.
    func wait() throws -> RGBImage {
        condition.lock()
        defer { condition.unlock() }
        while done < next || (error == nil && next < tiles.count) { condition.wait() }
        if let error { throw error }
        return blender.finish()
    }
}

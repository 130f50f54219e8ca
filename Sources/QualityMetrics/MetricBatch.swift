import Foundation
import MediaIO

/// The metrics of a few frame sets, computed in the background, one set per thread, so `VideoComparison` can decode
/// the next frames meanwhile.
final class MetricBatch: @unchecked Sendable {
    private let done = DispatchGroup()
    private let lock = NSLock()
    /// One slot per set, each written once by its own thread, read after `done` under `lock`.
    private var slots: [FrameQuality?]

    /// Starts measuring each `[reference, restored, input?]` set of `batch`; frame indices count from `firstIndex`.
    init(_ batch: [[RGBImage]], firstIndex: Int) {
        slots = Array(repeating: nil, count: batch.count)
        DispatchQueue.global().async(group: done) { [self] in
            DispatchQueue.concurrentPerform(iterations: batch.count) { n in
                let value = Self.measure(batch[n], index: firstIndex + n)
                lock.lock()
                defer { lock.unlock() }
                slots[n] = value
            }
        }
    }

    /// Blocks until every set is measured; the results in frame order.
    func wait() -> [FrameQuality] {
        done.wait()
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }

    static func measure(_ set: [RGBImage], index: Int) -> FrameQuality {
        let hasInput = set.count == 3
        return FrameQuality(
            index: index, psnr: ImageQuality.psnr(set[1], set[0]), ssim: ImageQuality.ssim(set[1], set[0]),
            inputPSNR: hasInput ? ImageQuality.psnr(set[2], set[0]) : nil,
            inputSSIM: hasInput ? ImageQuality.ssim(set[2], set[0]) : nil)
    }
}

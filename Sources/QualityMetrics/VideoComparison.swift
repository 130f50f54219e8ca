import Foundation
import MediaIO

/// Measures a restored clip against its reference (and, optionally, the degraded input against the same reference),
/// pairing frames by index.
///
/// Frames are streamed: at most two batches of `threads` frame pairs (triples with an input) are in memory, plus the
/// set kept for the preview, so hour-long clips cost no more memory than a few frames. Decoding happens on the calling
/// thread while the previous batch's metrics (SSIM dominates) run on `threads` threads.
public struct VideoComparison: Sendable {
    public var reference: String
    public var restored: String
    public var input: String?
    /// Threads computing metrics; 2 matches the development machine and leaves decoding its share of the CPU.
    public var threads: Int

    public init(reference: String, restored: String, input: String? = nil, threads: Int = 2) {
        precondition(threads >= 1, "threads must be at least 1, got \(threads)")
        self.reference = reference
        self.restored = restored
        self.input = input
        self.threads = threads
    }

    /// What a comparison produced: the metrics and, when asked for, the side-by-side preview.
    public struct Outcome: Sendable {
        public let report: QualityReport
        public let preview: RGBImage?
    }

    /// Reads all clips to the end and returns per-frame metrics, plus a preview when `preview` is given.
    ///
    /// Sizes and the preview region are checked before any metric is computed; a frame count mismatch is found when
    /// the shorter clip ends, and the longer clips are then read to the end so the error can state their counts.
    public func run(preview: PreviewRequest? = nil) throws(ComparisonError) -> Outcome {
        let refReader = try open(reference)
        let outReader = try open(restored)
        let inReader = try input.map { file throws(ComparisonError) in try open(file) }
        let width = refReader.format.width, height = refReader.format.height
        for reader in [outReader, inReader].compactMap({ $0 }) {
            try checkSize(reader.file, reader.format.width, reader.format.height, width, height)
        }
        let region = preview.map { $0.region ?? PixelRegion.centred(inWidth: width, height: height) }
        if let region, !region.fits(width: width, height: height) {
            throw .regionOutsideFrame(reference: reference, region: region, width: width, height: height)
        }
        let previewIndex = preview.map { $0.frame ?? max(0, (refReader.format.estimatedFrameCount ?? 1) - 1) / 2 }
        var kept: [RGBImage]?
        var keptIndex = -1

        var frames: [FrameQuality] = []
        var batch: [[RGBImage]] = []
        var running: MetricBatch?
        var index = 0
        while true {
            let r = try next(refReader), o = try next(outReader)
            let i: DecodedFrame? = try inReader.flatMap { reader throws(ComparisonError) in try next(reader) }
            guard let r, let o, inReader == nil || i != nil else {
                try checkCounts(
                    read: index, ref: (refReader, r != nil), out: (outReader, o != nil),
                    input: inReader.map { ($0, i != nil) })
                break
            }
            var set = [r.image, o.image]
            if let i { set.append(i.image) }
            for (file, image) in zip(comparedFiles, set.dropFirst()) {
                try checkSize(file, image.width, image.height, r.image.width, r.image.height)
            }
            if let previewIndex, keptIndex < previewIndex {
                // Without a known frame count the estimate may overshoot; keeping the latest frame until the wanted
                // one arrives falls back to the last frame instead of failing.
                kept = set
                keptIndex = index
            }
            batch.append(set)
            index += 1
            if batch.count == threads {
                // Measure this batch in the background while the next one decodes; at most two are in memory.
                if let running { frames += running.wait() }
                running = MetricBatch(batch, firstIndex: index - batch.count)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if let running { frames += running.wait() }
        if !batch.isEmpty { frames += MetricBatch(batch, firstIndex: index - batch.count).wait() }
        guard index > 0 else { throw .noFrames(file: reference) }

        var image: RGBImage?
        if let preview, let region, let kept {
            if let wanted = preview.frame, wanted != keptIndex {
                throw .previewFrameOutOfRange(reference: reference, frame: wanted, frames: index)
            }
            // A clip that changes size mid-stream may leave the region outside the kept frame.
            guard region.fits(width: kept[0].width, height: kept[0].height) else {
                throw .regionOutsideFrame(reference: reference, region: region, width: kept[0].width, height: kept[0].height)
            }
            // Panels left to right: input (when given) | restored | reference.
            let panels = kept.count == 3 ? [kept[2], kept[1], kept[0]] : [kept[1], kept[0]]
            image = SideBySide.compose(panels, region: region, gap: preview.gap)
        }
        return Outcome(
            report: QualityReport(reference: reference, restored: restored, input: input, frames: frames),
            preview: image)
    }

    /// The files measured against the reference, in the order of a frame set after its reference frame.
    var comparedFiles: [String] {
        var files = [restored]
        if let input { files.append(input) }
        return files
    }

    func open(_ file: String) throws(ComparisonError) -> VideoReader {
        do {
            return try VideoReader(file: file, copyOtherStreams: false)
        } catch {
            throw .media(error)
        }
    }

    func next(_ reader: VideoReader) throws(ComparisonError) -> DecodedFrame? {
        do {
            return try reader.nextFrame()
        } catch {
            throw .media(error)
        }
    }

    func checkSize(_ file: String, _ w: Int, _ h: Int, _ rw: Int, _ rh: Int) throws(ComparisonError) {
        guard w == rw && h == rh else {
            throw .sizeMismatch(file: file, width: w, height: h, reference: reference, referenceWidth: rw, referenceHeight: rh)
        }
    }

    /// Called when at least one clip ended after `read` paired frames; throws unless all of them ended.
    func checkCounts(
        read: Int, ref: (VideoReader, Bool), out: (VideoReader, Bool), input: (VideoReader, Bool)?
    ) throws(ComparisonError) {
        var counts: [Int] = []
        for (reader, hadFrame) in [ref, out] + (input.map { [$0] } ?? []) {
            var n = read + (hadFrame ? 1 : 0)
            if hadFrame { while try next(reader) != nil { n += 1 } }
            counts.append(n)
        }
        for (file, n) in zip(comparedFiles, counts.dropFirst()) where n != counts[0] {
            throw .frameCountMismatch(file: file, frames: n, reference: reference, referenceFrames: counts[0])
        }
    }
}

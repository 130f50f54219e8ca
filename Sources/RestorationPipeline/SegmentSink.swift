import Foundation
import MediaIO

/// The encoder-thread end of a segmented job: cuts the frame stream into segments of the journal's length, encodes
/// each with a fresh ``SegmentEncoder`` and records it in the journal as soon as its file is durable.
///
/// # Thread safety
/// `@unchecked Sendable`: used by the encoder thread only while the pipeline runs; the main thread reads
/// ``journal`` after the pipeline's threads have been joined.
final class SegmentSink: @unchecked Sendable {
    private(set) var journal: SegmentJournal
    private let directory: URL
    private let output: String
    private let video: VideoFormat
    private let encoder: EncoderSettings
    private var current: SegmentEncoder?
    private var framesInSegment = 0
    private(set) var outputPixelFormat = ""

    init(journal: SegmentJournal, directory: URL, output: String, video: VideoFormat, encoder: EncoderSettings) {
        self.journal = journal
        self.directory = directory
        self.output = output
        self.video = video
        self.encoder = encoder
    }

    private var segmentFrames: Int { journal.identity.segmentFrames }

    func write(_ image: RGBImage, alpha: AlphaPlane?, sideData: FrameSideData?, timing: FrameTiming) throws(MediaError) {
        let index = journal.segments.count
        if current == nil {
            current = try SegmentEncoder(
                path: directory.appendingPathComponent(SegmentJournal.segmentName(index)).path, file: output,
                video: video, encoder: encoder, output: output)
            outputPixelFormat = current!.outputPixelFormat
        }
        try current!.write(image, alpha: alpha, sideData: sideData, timing: timing)
        framesInSegment += 1
        if index == 3 && framesInSegment == max(1, segmentFrames / 2) { TestHook.killIfRequested("segment-3-mid") }
        if framesInSegment == segmentFrames { try closeSegment() }
    }

    /// Closes the last (possibly short) segment and marks the journal complete.
    func finish() throws(MediaError) {
        if current != nil { try closeSegment() }
        journal.complete = true
        try journal.save(to: directory, file: output)
    }

    private func closeSegment() throws(MediaError) {
        guard let segment = current else { return }
        let summary = try segment.finish()
        let index = journal.segments.count
        journal.segments.append(
            SegmentJournal.Entry(
                index: index, firstFrame: index * segmentFrames, frameCount: summary.frameCount,
                file: SegmentJournal.segmentName(index), bytes: summary.byteCount, sha256: summary.sha256,
                lastPTS: summary.lastPTS))
        try journal.save(to: directory, file: output)
        current = nil
        framesInSegment = 0
    }
}

import Foundation
import MaximModel
import MediaIO

/// The inputs a user controls, as fuzzing entry points: each takes arbitrary bytes and must either succeed or throw,
/// never trap, hang or exhaust memory. Driven by libFuzzer from `fuzz/` and replayed over the seed corpus (and every
/// input that once crashed) by `FuzzTargetsTests`.
public enum FuzzTargets {
    /// Bytes as a checkpoint: an `.npy` array on its own, and a `.npz` archive read and loaded as a MAXIM model.
    /// Returns how far they got, for the corpus tests.
    @discardableResult
    public static func checkpoint(_ data: Data) -> (array: Bool, archive: Bool) {
        let array = (try? NPYFormat.decode(data)) != nil
        let url = scratchFile("npz")
        guard (try? data.write(to: url)) != nil else { return (array, false) }
        defer { try? FileManager.default.removeItem(at: url) }
        let archive = (try? NPZArchive.read(contentsOf: url)) != nil
        _ = try? CheckpointLoader.load(contentsOf: url)
        return (array, archive)
    }

    /// Bytes as a media file: opened and decoded (at most `maximumFrames` frames, so a valid long video stays cheap).
    /// Returns the number of frames decoded.
    @discardableResult
    public static func media(_ data: Data, maximumFrames: Int = 8) -> Int {
        LibavLog.configure(verbose: false)
        let url = scratchFile("bin")
        guard (try? data.write(to: url)) != nil else { return 0 }
        defer { try? FileManager.default.removeItem(at: url) }
        guard let reader = try? VideoReader(file: url.path, copyOtherStreams: true, decoderThreads: 1) else { return 0 }
        var frames = 0
        while frames < maximumFrames, let frame = try? reader.nextFrame() {
            precondition(frame.image.width == reader.format.width && frame.image.height == reader.format.height)
            frames += 1
        }
        return frames
    }

    private static func scratchFile(_ suffix: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("maxim-fuzz-\(getpid()).\(suffix)")
    }
}

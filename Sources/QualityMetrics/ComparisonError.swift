import MediaIO

/// Why two (or three) clips could not be compared; every case names the files involved, as one line.
public enum ComparisonError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Frames are paired by index, so the clips must have the same number of frames.
    case frameCountMismatch(file: String, frames: Int, reference: String, referenceFrames: Int)
    /// Metrics compare pixel by pixel, so the frames must have the same size.
    case sizeMismatch(file: String, width: Int, height: Int, reference: String, referenceWidth: Int, referenceHeight: Int)
    /// The preview region must lie inside the frame.
    case regionOutsideFrame(reference: String, region: PixelRegion, width: Int, height: Int)
    /// The requested preview frame is past the end of the clip.
    case previewFrameOutOfRange(reference: String, frame: Int, frames: Int)
    /// A clip without frames has nothing to measure.
    case noFrames(file: String)
    /// Reading a clip failed.
    case media(MediaError)

    public var description: String {
        switch self {
        case let .frameCountMismatch(file, frames, reference, referenceFrames):
            "\(file) has \(frames) frames but \(reference) has \(referenceFrames); eval pairs frames by index"
        case let .sizeMismatch(file, w, h, reference, rw, rh):
            "\(file) is \(w)x\(h) but \(reference) is \(rw)x\(rh); eval compares frames of the same size"
        case let .regionOutsideFrame(reference, region, w, h):
            "\(reference): preview region \(region) does not fit in its \(w)x\(h) frames"
        case let .previewFrameOutOfRange(reference, frame, frames):
            "\(reference): preview frame \(frame) does not exist (the clip has \(frames) frames, 0 to \(frames - 1))"
        case let .noFrames(file):
            "\(file): cannot compare: it holds no video frames"
        case let .media(error):
            error.description
        }
    }
}

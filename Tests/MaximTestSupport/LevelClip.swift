import Foundation
import MediaIO

/// A short clip whose every sample is a whole 8-bit level, written losslessly (FFV1 in RGB), so a quality metric
/// over it can be checked against a closed-form value: adding `offset` levels everywhere gives MSE = offset².
public struct LevelClip: Sendable {
    public var width = 48
    public var height = 40
    public var frames = 6
    /// Levels added to every sample (the pattern stays within 20...220, so ±30 never clips).
    public var offset = 0

    public init(width: Int = 48, height: Int = 40, frames: Int = 6, offset: Int = 0) {
        self.width = width
        self.height = height
        self.frames = frames
        self.offset = offset
    }

    /// Frame `index`: a textured pattern that moves with the index, so frames differ from each other.
    public func image(_ index: Int) -> RGBImage {
        var pixels = [Float](repeating: 0, count: 3 * width * height)
        for c in 0..<3 {
            for y in 0..<height {
                for x in 0..<width {
                    let level = 20 + (x * 7 + y * 13 + c * 50 + index * 17) % 200 + offset
                    pixels[(c * height + y) * width + x] = Float(level) / 255
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Writes the clip to `path`: a video file, or an image sequence for a `%04d.png` pattern.
    public func write(to path: String) throws {
        LibavLog.configure(verbose: false)
        let sequence = path.hasSuffix(".png")
        let format = VideoFormat(
            width: width, height: height, pixelFormat: sequence ? "rgb24" : "bgr0", timeBase: Rational(1, 25),
            frameRate: Rational(25, 1))
        let writer = try VideoWriter(
            path: path, video: format,
            encoder: EncoderSettings(codec: sequence ? "png" : "ffv1", pixelFormat: sequence ? "rgb24" : "bgr0"))
        for i in 0..<frames { try writer.write(image(i), timing: FrameTiming(pts: Int64(i), duration: 1)) }
        try writer.finish()
    }
}

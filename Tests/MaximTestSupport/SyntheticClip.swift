import Foundation
import MediaIO

/// Describes a short generated video (moving gradients, optional variable frame rate and audio) and writes it with
/// the project's own encoder, so tests need neither fixtures nor the ffmpeg command-line tool.
public struct SyntheticClip: Sendable {
    public var width = 64
    public var height = 48
    public var frames = 12
    /// Encoder pixel format, e.g. "yuv420p", "yuv420p10le", "bgr0", "rgb48be".
    public var pixelFormat = "yuv420p"
    public var codec = "ffv1"
    public var encoderOptions: [String: String] = [:]
    public var colors: ColorTags = .unspecified
    public var sampleAspectRatio = Rational(1, 1)
    /// Constant-rate clips use 1/25; variable-rate ones use 1/1000 with irregular frame durations.
    public var variableFrameRate = false
    public var audio: AudioTrackSettings?
    /// The first frame's pts (a non-zero start time when positive), in ``timeBase``.
    public var firstPTS: Int64 = 0
    /// Seconds of audio written after the last frame (a video whose pictures end before its sound).
    public var audioAfterLastFrame = 0.0
    /// Whether frames are written with ``alpha(_:)`` (the pixel format needs an alpha channel to keep it).
    public var withAlpha = false
    /// Closed captions (A/53 `cc_data`, ``captions(_:)``) on every frame, for encoders that write them (libx264).
    public var withCaptions = false

    public init() {}

    /// Frame durations (ms) cycled through for variable-frame-rate clips.
    static let irregularDurations: [Int64] = [40, 33, 50, 20, 67, 41]

    /// The timestamps the clip's frames get, in ``timeBase``.
    public var timings: [FrameTiming] {
        var pts: Int64 = firstPTS
        return (0..<frames).map { i in
            let duration = variableFrameRate ? Self.irregularDurations[i % Self.irregularDurations.count] : 1
            defer { pts += duration }
            return FrameTiming(pts: pts, duration: duration)
        }
    }

    public var timeBase: Rational { variableFrameRate ? Rational(1, 1000) : Rational(1, 25) }

    /// Frame `index` of the clip: three differently moving gradients spanning [0, 1].
    public func image(_ index: Int) -> RGBImage {
        var pixels = [Float](repeating: 0, count: 3 * width * height)
        let t = Float(index)
        for y in 0..<height {
            for x in 0..<width {
                let i = y * width + x
                let fx = Float(x) / Float(max(width - 1, 1))
                let fy = Float(y) / Float(max(height - 1, 1))
                pixels[i] = (fx + 0.05 * t).truncatingRemainder(dividingBy: 1)
                pixels[width * height + i] = abs(sin(3 * fy + 0.3 * t)) * 0.9 + 0.05
                pixels[2 * width * height + i] = 0.5 + 0.45 * sin(6 * (fx + fy) - 0.5 * t)
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Frame `index`'s opacity: a diagonal ramp over [0, 1] that moves with the frame, fully transparent and fully
    /// opaque corners included.
    public func alpha(_ index: Int) -> AlphaPlane {
        var values = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let ramp = Float(x + y + index) / Float(max(width + height - 2, 1))
                values[y * width + x] = min(1, ramp)
            }
        }
        return AlphaPlane(width: width, height: height, values: values)
    }

    /// Frame `index`'s closed captions: one CEA-608 field-1 pair (`cc_type` 0, valid) that numbers the frame.
    public static func captions(_ index: Int) -> [UInt8] { [0xFC, UInt8(0x80 | index % 128), 0x80] }

    /// Writes the clip to `path` (the container follows the extension; a `%04d` pattern writes an image sequence).
    public func write(to path: String) throws {
        // Tests encode in-process; keep libx264's banners out of the test log, as the product does.
        LibavLog.configure(verbose: false)
        let format = VideoFormat(
            width: width, height: height, pixelFormat: pixelFormat, timeBase: timeBase,
            frameRate: variableFrameRate ? Rational(0, 1) : Rational(25, 1), sampleAspectRatio: sampleAspectRatio,
            colors: colors)
        let writer = try VideoWriter(
            path: path, video: format,
            encoder: EncoderSettings(codec: codec, pixelFormat: pixelFormat, options: encoderOptions), audio: audio)
        var samplesWritten = 0
        for (i, timing) in timings.enumerated() {
            try writer.write(
                image(i), alpha: withAlpha ? alpha(i) : nil, sideData: withCaptions ? FrameSideData(captions: Self.captions(i)) : nil,
                timing: timing)
            if let audio {
                let end = Double(timing.pts + timing.duration) * timeBase.doubleValue
                let target = Int(end * Double(audio.sampleRate))
                try writer.writeAudio(Self.tone(samples: samplesWritten..<target, audio))
                samplesWritten = target
            }
        }
        if let audio, audioAfterLastFrame > 0 {
            let end = samplesWritten + Int(audioAfterLastFrame * Double(audio.sampleRate))
            while samplesWritten < end {  // a second at a time
                let count = min(audio.sampleRate, end - samplesWritten)
                try writer.writeAudio(Self.tone(samples: samplesWritten..<samplesWritten + count, audio))
                samplesWritten += count
            }
        }
        try writer.finish()
    }

    /// Samples `range` of a 440 Hz tone at 0.3, interleaved over the track's channels.
    private static func tone(samples range: Range<Int>, _ audio: AudioTrackSettings) -> [Float] {
        var samples: [Float] = []
        samples.reserveCapacity(range.count * audio.channels)
        for s in range {
            let v = 0.3 * sin(2 * Float.pi * 440 * Float(s) / Float(audio.sampleRate))
            for _ in 0..<audio.channels { samples.append(v) }
        }
        return samples
    }
}

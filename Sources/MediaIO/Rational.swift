import CFFmpeg

/// A libav rational (time base, frame rate, aspect ratio) in a Swift-owned, `Codable` form.
public struct Rational: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    public var numerator: Int32
    public var denominator: Int32

    public init(_ numerator: Int32, _ denominator: Int32) {
        self.numerator = numerator
        self.denominator = denominator
    }

    init(_ value: AVRational) { self.init(value.num, value.den) }

    var av: AVRational { AVRational(num: numerator, den: denominator) }

    /// True for 0/x or x/0, libav's spelling of "unknown".
    public var isUnknown: Bool { numerator == 0 || denominator == 0 }

    public var doubleValue: Double { isUnknown ? 0 : Double(numerator) / Double(denominator) }

    public var description: String { "\(numerator)/\(denominator)" }

    /// A frame rate as people write it ("24", "25/1", "30000/1001", "29.97", "ntsc"), nil when it is not one.
    public init?(frameRate text: String) {
        var rate = AVRational()
        guard av_parse_video_rate(&rate, text) >= 0, rate.num > 0, rate.den > 0 else { return nil }
        self.init(rate)
    }
}

/// One stream of a probed file, as `maxim-video probe` reports it.
public struct StreamInfo: Sendable, Equatable, Codable {
    public var index: Int
    /// "video", "audio", "subtitle", "data", …
    public var type: String
    public var codec: String
    public var timeBase: Rational
    /// Packets counted by reading the file (exact), or the container's frame count when not scanned.
    public var frameCount: Int?
    /// Seconds from the first packet's pts to the end of the last packet (when scanned), else the container's.
    public var duration: Double?
    public var width: Int?
    public var height: Int?
    public var pixelFormat: String?
    public var frameRate: Rational?
    public var sampleAspectRatio: Rational?
    /// Clockwise degrees the picture is turned to show it upright (a display matrix, a photo's EXIF orientation), as
    /// restoration turns it; nil when it is upright as stored.
    public var rotation: Int?
    public var colorRange: String?
    public var colorPrimaries: String?
    public var colorTransfer: String?
    public var colorMatrix: String?
    public var sampleRate: Int?
    public var channels: Int?
    /// The stream's language tag (ISO 639-2, e.g. "eng"), when tagged.
    public var language: String?
    /// Every packet pts in file order (only with `collectTimestamps`), in ``timeBase``.
    public var packetTimestamps: [Int64]?
}

import CFFmpeg

/// The four colour tags of a video stream, kept as libav's enum values so they round-trip exactly.
///
/// Read from the input stream, used to pick the conversion matrix and range (`sws_setColorspaceDetails`), and
/// written unchanged to the output stream.
public struct ColorTags: Sendable, Equatable, Hashable {
    /// `AVColorRange`: 0 unspecified, 1 limited ("tv"), 2 full ("pc").
    public var range: Int32
    /// `AVColorPrimaries`.
    public var primaries: Int32
    /// `AVColorTransferCharacteristic`.
    public var transfer: Int32
    /// `AVColorSpace` (the YUV matrix).
    public var matrix: Int32

    public init(range: Int32, primaries: Int32, transfer: Int32, matrix: Int32) {
        self.range = range
        self.primaries = primaries
        self.transfer = transfer
        self.matrix = matrix
    }

    /// Builds tags from libav's names (`"tv"`/`"pc"`, `"bt709"`, `"smpte170m"`, …); throws naming the bad one.
    public init(range: String, primaries: String, transfer: String, matrix: String) throws(MediaError) {
        func check(_ value: Int32, _ name: String, _ what: String) throws(MediaError) -> Int32 {
            guard value >= 0 else {
                throw MediaError(file: name, operation: "parse colour \(what)", reason: "unknown name")
            }
            return value
        }
        self.range = try check(av_color_range_from_name(range), range, "range")
        self.primaries = try check(av_color_primaries_from_name(primaries), primaries, "primaries")
        self.transfer = try check(av_color_transfer_from_name(transfer), transfer, "transfer")
        self.matrix = try check(av_color_space_from_name(matrix), matrix, "matrix")
    }

    /// PQ (SMPTE ST 2084) or HLG transfer: high dynamic range.
    public var isHDR: Bool {
        transfer == Int32(AVCOL_TRC_SMPTE2084.rawValue) || transfer == Int32(AVCOL_TRC_ARIB_STD_B67.rawValue)
    }

    /// Everything unspecified.
    public static let unspecified = ColorTags(range: 0, primaries: 2, transfer: 2, matrix: 2)

    public var rangeName: String { name(av_color_range_name(AVColorRange(rawValue: UInt32(range)))) }
    public var primariesName: String { name(av_color_primaries_name(AVColorPrimaries(rawValue: UInt32(primaries)))) }
    public var transferName: String {
        name(av_color_transfer_name(AVColorTransferCharacteristic(rawValue: UInt32(transfer))))
    }
    public var matrixName: String { name(av_color_space_name(AVColorSpace(rawValue: UInt32(matrix)))) }

    /// True when the range tag says full ("pc"/JPEG) range.
    public var isFullRange: Bool { range == Int32(AVCOL_RANGE_JPEG.rawValue) }

    private func name(_ c: UnsafePointer<CChar>?) -> String { c.map { String(cString: $0) } ?? "unknown" }

    init(parameters p: UnsafePointer<AVCodecParameters>) {
        self.init(
            range: Int32(p.pointee.color_range.rawValue), primaries: Int32(p.pointee.color_primaries.rawValue),
            transfer: Int32(p.pointee.color_trc.rawValue), matrix: Int32(p.pointee.color_space.rawValue))
    }

    /// Writes the tags into an encoder context.
    func apply(to c: UnsafeMutablePointer<AVCodecContext>) {
        c.pointee.color_range = AVColorRange(rawValue: UInt32(range))
        c.pointee.color_primaries = AVColorPrimaries(rawValue: UInt32(primaries))
        c.pointee.color_trc = AVColorTransferCharacteristic(rawValue: UInt32(transfer))
        c.pointee.colorspace = AVColorSpace(rawValue: UInt32(matrix))
    }
}

/// Per-frame and mean quality of a restored clip, as `maxim-video eval` reports it (text or JSON).
///
/// Means are over frames (the convention of video-restoration papers: average the per-frame PSNR, not the PSNR of
/// the pooled error), so one identical frame makes the mean PSNR infinite, as it should.
public struct QualityReport: Sendable, Equatable, Encodable {
    public let reference: String
    public let restored: String
    public let input: String?
    public let frames: [FrameQuality]

    public init(reference: String, restored: String, input: String?, frames: [FrameQuality]) {
        self.reference = reference
        self.restored = restored
        self.input = input
        self.frames = frames
    }

    public var meanPSNR: Double { Self.mean(frames.map(\.psnr)) }
    public var meanSSIM: Double { Self.mean(frames.map(\.ssim)) }
    public var meanInputPSNR: Double? { input == nil ? nil : Self.mean(frames.compactMap(\.inputPSNR)) }
    public var meanInputSSIM: Double? { input == nil ? nil : Self.mean(frames.compactMap(\.inputSSIM)) }
    /// Mean restored PSNR minus mean input PSNR (equal to the mean of the per-frame gains).
    public var meanPSNRGain: Double? { meanInputPSNR.map { meanPSNR - $0 } }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    enum CodingKeys: String, CodingKey {
        case reference, restored, input, frameCount = "frame_count"
        case psnr, ssim, inputPSNR = "input_psnr", inputSSIM = "input_ssim", psnrGain = "psnr_gain"
        case meanPSNR = "mean_psnr", meanSSIM = "mean_ssim", meanInputPSNR = "mean_input_psnr"
        case meanInputSSIM = "mean_input_ssim", meanPSNRGain = "mean_psnr_gain"
    }

    /// Flat per-frame arrays plus means; input fields only when an input was compared. Encode with a
    /// `nonConformingFloatEncodingStrategy` (infinite PSNR is a normal result for identical frames).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(reference, forKey: .reference)
        try c.encode(restored, forKey: .restored)
        try c.encodeIfPresent(input, forKey: .input)
        try c.encode(frames.count, forKey: .frameCount)
        try c.encode(frames.map(\.psnr), forKey: .psnr)
        try c.encode(frames.map(\.ssim), forKey: .ssim)
        try c.encode(meanPSNR, forKey: .meanPSNR)
        try c.encode(meanSSIM, forKey: .meanSSIM)
        if input != nil {
            try c.encode(frames.compactMap(\.inputPSNR), forKey: .inputPSNR)
            try c.encode(frames.compactMap(\.inputSSIM), forKey: .inputSSIM)
            try c.encode(frames.compactMap(\.psnrGain), forKey: .psnrGain)
            try c.encodeIfPresent(meanInputPSNR, forKey: .meanInputPSNR)
            try c.encodeIfPresent(meanInputSSIM, forKey: .meanInputSSIM)
            try c.encodeIfPresent(meanPSNRGain, forKey: .meanPSNRGain)
        }
    }
}

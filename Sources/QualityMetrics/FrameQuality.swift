/// The metrics of one frame pair: restored vs reference, and (when an input was given) input vs reference.
///
/// PSNR is `.infinity` for identical frames; callers print it as "inf".
public struct FrameQuality: Sendable, Equatable {
    /// 0-based frame index, the position that paired the files.
    public let index: Int
    public let psnr: Double
    public let ssim: Double
    public let inputPSNR: Double?
    public let inputSSIM: Double?

    public init(index: Int, psnr: Double, ssim: Double, inputPSNR: Double? = nil, inputSSIM: Double? = nil) {
        self.index = index
        self.psnr = psnr
        self.ssim = ssim
        self.inputPSNR = inputPSNR
        self.inputSSIM = inputSSIM
    }

    /// Restored minus input PSNR: positive when restoration brought the frame closer to the reference.
    public var psnrGain: Double? { inputPSNR.map { psnr - $0 } }
}

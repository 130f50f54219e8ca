import MediaIO

/// Every frame of a file, decoded through the project's own ``VideoReader``.
public struct DecodedClip {
    public let format: VideoFormat
    public let images: [RGBImage]
    public let timings: [FrameTiming]
    /// Each frame's alpha plane (nil where the format has none).
    public let alphas: [AlphaPlane?]

    public init(_ path: String) throws {
        let reader = try VideoReader(file: path, copyOtherStreams: false)
        var images: [RGBImage] = []
        var timings: [FrameTiming] = []
        var alphas: [AlphaPlane?] = []
        while let frame = try reader.nextFrame() {
            images.append(frame.image)
            timings.append(frame.timing)
            alphas.append(frame.alpha)
        }
        self.format = reader.format
        self.images = images
        self.timings = timings
        self.alphas = alphas
    }
}

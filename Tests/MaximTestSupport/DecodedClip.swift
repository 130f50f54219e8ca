import MediaIO

/// Every frame of a file, decoded through the project's own ``VideoReader``.
public struct DecodedClip {
    public let format: VideoFormat
    public let images: [RGBImage]
    public let timings: [FrameTiming]

    public init(_ path: String) throws {
        let reader = try VideoReader(file: path, copyOtherStreams: false)
        var images: [RGBImage] = []
        var timings: [FrameTiming] = []
        while let frame = try reader.nextFrame() {
            images.append(frame.image)
            timings.append(frame.timing)
        }
        self.format = reader.format
        self.images = images
        self.timings = timings
    }
}

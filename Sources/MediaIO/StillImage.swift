/// One picture file (PNG, JPEG, TIFF, …) read or written through the same decoder, converter and encoder as
/// video, so colour handling and bit depth follow the same rules.
public enum StillImage {
    /// The first picture of `file` as planar float RGB, the format it was stored in, and its alpha where it has one.
    public static func read(_ file: String) throws(MediaError)
        -> (image: RGBImage, format: VideoFormat, alpha: AlphaPlane?)
    {
        let reader = try VideoReader(file: file, copyOtherStreams: false)
        guard let frame = try reader.nextFrame() else {
            throw MediaError(file: file, operation: "read the image", reason: "it holds no picture", hint: nil)
        }
        return (frame.image, reader.format, frame.alpha)
    }

    /// Writes `image` to `file` (format from the extension), atomically. Values are clipped to the file's range.
    ///
    /// - Parameters:
    ///   - like: the format the picture came from; its bit depth (16-bit PNG stays 16-bit) and alpha channel are
    ///     kept where the codec allows. Without it, 8-bit RGB.
    ///   - alpha: the picture's opacity, written where the file's format has alpha.
    public static func write(
        _ image: RGBImage, to file: String, like source: VideoFormat? = nil, alpha: AlphaPlane? = nil,
        overwrite: Bool = true
    ) throws(MediaError) {
        let format = VideoFormat(
            width: image.width, height: image.height, pixelFormat: source?.pixelFormat ?? "rgb24",
            timeBase: Rational(1, 25), frameRate: Rational(25, 1), colors: source?.colors ?? .unspecified)
        let target = try AtomicOutput(finalPath: file, overwrite: overwrite)
        do {
            let writer = try VideoWriter(
                path: target.writePath, displayName: file, video: format,
                encoder: EncoderSettings(codec: EncoderSettings.defaultCodec(forOutput: file)))
            try writer.write(image, alpha: alpha, timing: FrameTiming(pts: 0, duration: 1))
            try writer.finish()
            try target.commit()
        } catch {
            target.discard()
            throw error
        }
    }
}

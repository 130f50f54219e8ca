import CFFmpeg

/// Converts decoded pictures to planar float RGB and back with libswscale, using the stream's colour matrix and
/// range explicitly (`sws_setColorspaceDetails`).
///
/// # Why an integer planar RGB step
/// libswscale 6.7 (FFmpeg 5.1) can write `gbrpf32` directly, but measured here that path is not exact: 16-bit
/// RGB → `gbrpf32` → 16-bit is off by up to 65 codes and 10-bit input is scaled by 1/1024 instead of 1/1023. So
/// swscale converts between the video format and integer planar RGB (`gbrp`, `gbrp10le`, …, `gbrp16le`), and this
/// type does integer ↔ float itself as `value / (2^depth − 1)`, which round-trips exactly.
/// RGB-family inputs use planar RGB of their own depth (lossless); YUV/gray inputs deeper than 8 bits use 16-bit
/// (no truncation to 8 bits).
///
/// # Why alpha bypasses libswscale
/// swscale carries alpha through its 15-bit intermediate: `rgba` → `gbrap` → `rgba` turned every alpha of 128 and
/// above one code higher. Alpha is not a colour conversion at all, so it is read from and written to the frame
/// directly (`av_read_image_line2`/`av_write_image_line2`, any layout); swscale converts colour only (and zero
/// alpha, which it keeps exact).
///
/// # Why odd sizes are converted one column/row wider
/// Towards a chroma-subsampled format with an odd width (e.g. 65×37 `yuv420p` for ffv1), libswscale leaves the last
/// chroma column unwritten: the encoder then coded whatever the allocator left there (seen as run-to-run differences
/// in the output). So the picture is converted at the size rounded up to whole chroma blocks, with the last RGB
/// column and row repeated, and the frame is cropped back by its width/height fields: every chroma sample covers
/// real pixels.
final class FrameConverter {
    enum Direction { case toRGB, fromRGB }

    let width: Int
    let height: Int
    /// The size swscale converts at: `width`×`height`, rounded up to whole chroma blocks towards a subsampled format.
    private let scaledWidth: Int
    private let scaledHeight: Int
    let videoFormat: AVPixelFormat
    let planarFormat: AVPixelFormat
    /// Bits per sample of ``planarFormat``.
    let depth: Int
    /// Where ``videoFormat`` keeps alpha; nil when it has none or is a palette format.
    private let alpha: AlphaLayout?
    let file: String
    private let sws: OpaquePointer
    private let planar: Frame

    /// - Parameters:
    ///   - pixelFormat: the decoder's output format (`.toRGB`) or the encoder's input format (`.fromRGB`).
    ///   - colors: the stream's tags; an unspecified matrix means BT.709 from 720 lines up, else BT.601.
    init(
        width: Int, height: Int, pixelFormat: AVPixelFormat, colors: ColorTags, direction: Direction, file: String
    ) throws(MediaError) {
        self.width = width
        self.height = height
        self.videoFormat = pixelFormat
        self.file = file
        alpha = AlphaLayout(pixelFormat)
        (planarFormat, depth) = FrameConverter.planarFormat(
            for: pixelFormat, withZeroAlpha: direction == .fromRGB && alpha != nil)
        (scaledWidth, scaledHeight) =
            direction == .fromRGB ? FrameConverter.wholeChromaBlocks(pixelFormat, width: width, height: height) : (width, height)
        planar = try Frame(width: scaledWidth, height: scaledHeight, pixelFormat: planarFormat, file: file)
        let (src, dst) = direction == .toRGB ? (pixelFormat, planarFormat) : (planarFormat, pixelFormat)
        // Full-resolution chroma on the RGB side in both directions: measured on 4:2:0 round trips it is worth
        // several dB over swscale's default 2-tap chroma averaging.
        // Bicubic chroma resampling with full horizontal chroma interpolation. Measured on a 4:2:0 round trip
        // (yuv420p → RGB → yuv420p, lossless encoder) this gives 51–53 dB; SWS_FULL_CHR_H_INP on the way back
        // lost 3–4 dB, so it is not used.
        let flags = SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT
        guard
            let sws = sws_getContext(
                Int32(scaledWidth), Int32(scaledHeight), src, Int32(scaledWidth), Int32(scaledHeight), dst, flags, nil,
                nil, nil)
        else {
            throw MediaError(
                file: file, operation: "set up pixel conversion",
                reason: "libswscale cannot convert \(pixelFormatName(src)) to \(pixelFormatName(dst))")
        }
        self.sws = sws
        let flagsOfVideo = cffmpeg_pix_fmt_flags(pixelFormat)
        if flagsOfVideo & cffmpeg_AV_PIX_FMT_FLAG_RGB() == 0 && flagsOfVideo & cffmpeg_AV_PIX_FMT_FLAG_PAL() == 0 {
            let coefficients = sws_getCoefficients(FrameConverter.matrix(colors, height: height))
            let videoRange: Int32 = FrameConverter.isFullRange(pixelFormat, colors) ? 1 : 0
            let (srcRange, dstRange) = direction == .toRGB ? (videoRange, Int32(1)) : (Int32(1), videoRange)
            _ = sws_setColorspaceDetails(sws, coefficients, srcRange, coefficients, dstRange, 0, 1 << 16, 1 << 16)
        }
    }

    deinit { sws_freeContext(sws) }

    /// `width`×`height` rounded up to a multiple of `format`'s chroma block (unchanged for RGB and 4:4:4).
    static func wholeChromaBlocks(_ format: AVPixelFormat, width: Int, height: Int) -> (Int, Int) {
        guard let descriptor = av_pix_fmt_desc_get(format) else { return (width, height) }
        let w = 1 << Int(descriptor.pointee.log2_chroma_w), h = 1 << Int(descriptor.pointee.log2_chroma_h)
        return ((width + w - 1) / w * w, (height + h - 1) / h * h)
    }

    /// The matrix to convert with: the tagged one, or the HD/SD convention when untagged.
    static func matrix(_ colors: ColorTags, height: Int) -> Int32 {
        let m = colors.matrix
        let known = m == Int32(AVCOL_SPC_BT709.rawValue) || m == Int32(AVCOL_SPC_FCC.rawValue)
            || m == Int32(AVCOL_SPC_BT470BG.rawValue) || m == Int32(AVCOL_SPC_SMPTE170M.rawValue)
            || m == Int32(AVCOL_SPC_SMPTE240M.rawValue) || m == Int32(AVCOL_SPC_BT2020_NCL.rawValue)
            || m == Int32(AVCOL_SPC_BT2020_CL.rawValue)
        if known { return m }
        return height >= 720 ? Int32(AVCOL_SPC_BT709.rawValue) : Int32(AVCOL_SPC_SMPTE170M.rawValue)
    }

    /// Full range when tagged so, for the deprecated `yuvj*` formats, and for untagged gray (image files).
    static func isFullRange(_ format: AVPixelFormat, _ colors: ColorTags) -> Bool {
        if colors.isFullRange { return true }
        let name = pixelFormatName(format)
        if name.hasPrefix("yuvj") { return true }
        let isGray = cffmpeg_pix_fmt_components(format) <= 2
        return isGray && colors.range == Int32(AVCOL_RANGE_UNSPECIFIED.rawValue)
    }

    /// Integer planar RGB that holds every value of `format` without loss (see the type's discussion).
    ///
    /// `withZeroAlpha`: the planar RGB with alpha of the same depth, whose alpha plane ``fromRGB(_:alpha:)`` keeps
    /// at zero, so swscale writes alpha 0 and ``writeAlpha(_:to:)`` can add the real values (libavutil's line writer
    /// ORs bits into what is there).
    static func planarFormat(for format: AVPixelFormat, withZeroAlpha: Bool = false) -> (AVPixelFormat, Int) {
        let depth = Int(cffmpeg_pix_fmt_depth(format))
        let flags = cffmpeg_pix_fmt_flags(format)
        if withZeroAlpha {
            if depth <= 8 { return (AV_PIX_FMT_GBRAP, 8) }
            if flags & cffmpeg_AV_PIX_FMT_FLAG_RGB() != 0 && depth == 10 { return (AV_PIX_FMT_GBRAP10LE, 10) }
            if flags & cffmpeg_AV_PIX_FMT_FLAG_RGB() != 0 && depth == 12 { return (AV_PIX_FMT_GBRAP12LE, 12) }
            return (AV_PIX_FMT_GBRAP16LE, 16)
        }
        if depth <= 8 || flags & cffmpeg_AV_PIX_FMT_FLAG_PAL() != 0 { return (AV_PIX_FMT_GBRP, 8) }
        if flags & cffmpeg_AV_PIX_FMT_FLAG_RGB() != 0 {
            switch depth {
            case 9: return (AV_PIX_FMT_GBRP9LE, 9)
            case 10: return (AV_PIX_FMT_GBRP10LE, 10)
            case 12: return (AV_PIX_FMT_GBRP12LE, 12)
            case 14: return (AV_PIX_FMT_GBRP14LE, 14)
            default: break
            }
        }
        return (AV_PIX_FMT_GBRP16LE, 16)
    }

    /// Decoded picture → planar float RGB, and its alpha plane where the format has one (nil otherwise, and for
    /// palette pictures whose every pixel is opaque).
    func toRGB(_ frame: Frame) throws(MediaError) -> (image: RGBImage, alpha: AlphaPlane?) {
        try checkShape(frame)
        if videoFormat == AV_PIX_FMT_PAL8 { return paletteToRGB(frame) }
        try libavRequire(sws_scale_frame(sws, planar.pointer, frame.pointer), "convert a frame to RGB", file: file)
        let count = 3 * width * height
        let pixels = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            // GBRP stores G, B, R in data[0], data[1], data[2]; RGBImage is R, G, B.
            let sourcePlane = [2, 0, 1]
            for channel in 0..<3 {
                let base = planarPlane(sourcePlane[channel])
                let out = buffer.baseAddress! + channel * width * height
                readPlane(base, into: out)
            }
            initialized = count
        }
        return (RGBImage(width: width, height: height, pixels: pixels), readAlpha(frame))
    }

    /// Palette pictures are looked up directly: swscale routes `pal8` through YUV, which moved ~25 % of the samples
    /// of a palette PNG by one code. The palette is 32-bit native-endian ARGB; its alpha (a PNG's `tRNS`) becomes
    /// the alpha plane when any pixel is not opaque.
    private func paletteToRGB(_ frame: Frame) -> (image: RGBImage, alpha: AlphaPlane?) {
        let f = frame.pointer.pointee
        let indices = f.data.0!, palette = UnsafeRawPointer(f.data.1!).bindMemory(to: UInt32.self, capacity: 256)
        let plane = width * height
        var pixels = [Float](repeating: 0, count: 3 * plane)
        var alpha = [Float](repeating: 1, count: plane)
        var opaque = true
        for y in 0..<height {
            let row = indices + y * Int(f.linesize.0)
            for x in 0..<width {
                let argb = palette[Int(row[x])]
                let i = y * width + x
                pixels[i] = Float((argb >> 16) & 0xFF) / 255
                pixels[plane + i] = Float((argb >> 8) & 0xFF) / 255
                pixels[2 * plane + i] = Float(argb & 0xFF) / 255
                if argb >> 24 != 0xFF {
                    alpha[i] = Float(argb >> 24) / 255
                    opaque = false
                }
            }
        }
        return (
            RGBImage(width: width, height: height, pixels: pixels),
            opaque ? nil : AlphaPlane(width: width, height: height, values: alpha)
        )
    }

    /// Planar float RGB → a new frame in ``videoFormat`` (values clipped to [0, 1] and rounded here). `alpha` is
    /// written where the format has an alpha channel (opaque when nil) and dropped where it has none.
    func fromRGB(_ image: RGBImage, alpha: AlphaPlane? = nil) throws(MediaError) -> Frame {
        guard image.width == width && image.height == height,
            alpha.map({ $0.width == width && $0.height == height }) ?? true
        else {
            throw MediaError(
                file: file, operation: "convert a restored frame",
                reason: "a stage returned \(image.width)x\(image.height), the video is \(width)x\(height)")
        }
        try libavRequire(av_frame_make_writable(planar.pointer), "convert a restored frame", file: file)
        if self.alpha != nil {
            let (base, stride) = planarPlane(3)
            base.update(repeating: 0, count: stride * scaledHeight)
        }
        image.pixels.withUnsafeBufferPointer { pixels in
            let targetPlane = [2, 0, 1]
            for channel in 0..<3 {
                writePlane(pixels.baseAddress! + channel * width * height, to: planarPlane(targetPlane[channel]))
            }
        }
        let frame = try Frame(width: scaledWidth, height: scaledHeight, pixelFormat: videoFormat, file: file)
        try libavRequire(sws_scale_frame(sws, frame.pointer, planar.pointer), "convert a frame from RGB", file: file)
        writeAlpha(alpha, to: frame)
        frame.pointer.pointee.width = Int32(width)  // crop back: the extra column/row lies in the padding
        frame.pointer.pointee.height = Int32(height)
        return frame
    }

    /// The alpha component of a pixel format, as libavutil's image-line functions address it.
    private struct AlphaLayout {
        let descriptor: UnsafePointer<AVPixFmtDescriptor>
        /// The last component (`rgba`: 3, `ya8`: 1).
        let component: Int32
        /// `2^depth − 1`.
        let maximum: Float

        /// nil for formats without alpha, and for palette formats (their alpha is in the palette).
        init?(_ format: AVPixelFormat) {
            let flags = cffmpeg_pix_fmt_flags(format)
            guard flags & cffmpeg_AV_PIX_FMT_FLAG_ALPHA() != 0, flags & cffmpeg_AV_PIX_FMT_FLAG_PAL() == 0,
                let descriptor = av_pix_fmt_desc_get(format)
            else { return nil }
            self.descriptor = descriptor
            let last = Int(descriptor.pointee.nb_components) - 1
            component = Int32(last)
            let depth = withUnsafeBytes(of: descriptor.pointee.comp) {
                Int($0.bindMemory(to: AVComponentDescriptor.self)[last].depth)
            }
            maximum = Float((1 << depth) - 1)
        }
    }

    private func readAlpha(_ frame: Frame) -> AlphaPlane? {
        guard let alpha else { return nil }
        let scale = 1 / alpha.maximum
        var row = [UInt16](repeating: 0, count: width)
        var values = [Float](repeating: 0, count: width * height)
        withPlanes(of: frame) { data, linesize in
            let planes = UnsafeMutableRawPointer(data).assumingMemoryBound(to: UnsafePointer<UInt8>?.self)
            for y in 0..<height {
                av_read_image_line2(&row, planes, linesize, alpha.descriptor, 0, Int32(y), alpha.component,
                                    Int32(width), 0, 2)
                for x in 0..<width { values[y * width + x] = Float(row[x]) * scale }
            }
        }
        return AlphaPlane(width: width, height: height, values: values)
    }

    /// Sets the alpha of a frame swscale converted from zero alpha: `plane`, or opaque when nil; nothing for
    /// formats without alpha.
    private func writeAlpha(_ plane: AlphaPlane?, to frame: Frame) {
        guard let alpha else { return }
        var row = [UInt16](repeating: UInt16(alpha.maximum), count: width)
        withPlanes(of: frame) { data, linesize in
            for y in 0..<height {
                if let plane {
                    for x in 0..<width {
                        let v = plane.values[y * width + x]
                        row[x] = UInt16((v > 0 ? (v < 1 ? v : 1) : 0) * alpha.maximum + 0.5)
                    }
                }
                av_write_image_line2(&row, data, linesize, alpha.descriptor, 0, Int32(y), alpha.component,
                                     Int32(width), 2)
            }
        }
    }

    /// The frame's plane pointers and strides as libavutil's image-line functions take them.
    private func withPlanes(
        of frame: Frame, _ body: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafePointer<Int32>) -> Void
    ) {
        let f = frame.pointer
        withUnsafeMutablePointer(to: &f.pointee.data) { data in
            withUnsafePointer(to: f.pointee.linesize) { linesize in
                body(UnsafeMutableRawPointer(data).assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self),
                     UnsafeRawPointer(linesize).assumingMemoryBound(to: Int32.self))
            }
        }
    }

    private func checkShape(_ frame: Frame) throws(MediaError) {
        let f = frame.pointer.pointee
        guard Int(f.width) == width, Int(f.height) == height, f.format == videoFormat.rawValue else {
            let now = pixelFormatName(AVPixelFormat(rawValue: f.format))
            throw MediaError(
                file: file, operation: "convert a decoded frame",
                reason: "the picture changed from \(width)x\(height) \(pixelFormatName(videoFormat)) to "
                    + "\(f.width)x\(f.height) \(now) mid-stream, which is not supported")
        }
    }

    /// Pointer and stride (bytes) of a plane of the planar intermediate.
    private func planarPlane(_ index: Int) -> (UnsafeMutablePointer<UInt8>, Int) {
        let f = planar.pointer
        return withUnsafePointer(to: f.pointee.data) { data in
            withUnsafePointer(to: f.pointee.linesize) { linesize in
                let planes = UnsafeRawPointer(data).assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self)
                let strides = UnsafeRawPointer(linesize).assumingMemoryBound(to: Int32.self)
                return (planes[index]!, Int(strides[index]))
            }
        }
    }

    private func readPlane(_ plane: (UnsafeMutablePointer<UInt8>, Int), into out: UnsafeMutablePointer<Float>) {
        let (base, stride) = plane
        let scale = 1 / Float((1 << depth) - 1)
        for y in 0..<height {
            let row = base + y * stride
            let o = out + y * width
            if depth == 8 {
                for x in 0..<width { o[x] = Float(row[x]) * scale }
            } else {
                let row16 = UnsafeRawPointer(row).assumingMemoryBound(to: UInt16.self)
                for x in 0..<width { o[x] = Float(UInt16(littleEndian: row16[x])) * scale }
            }
        }
    }

    /// Writes the `width`×`height` picture and repeats its last column and row up to the scaled size.
    private func writePlane(_ source: UnsafePointer<Float>, to plane: (UnsafeMutablePointer<UInt8>, Int)) {
        let (base, stride) = plane
        let maximum = Float((1 << depth) - 1)
        let bytesPerSample = depth == 8 ? 1 : 2
        for y in 0..<height {
            let row = base + y * stride
            let s = source + y * width
            if depth == 8 {
                for x in 0..<width {
                    let v = s[x]
                    let clipped = v > 0 ? (v < 1 ? v : 1) : 0  // NaN → 0
                    row[x] = UInt8(clipped * maximum + 0.5)
                }
            } else {
                let row16 = UnsafeMutableRawPointer(row).assumingMemoryBound(to: UInt16.self)
                for x in 0..<width {
                    let v = s[x]
                    let clipped = v > 0 ? (v < 1 ? v : 1) : 0
                    row16[x] = UInt16(clipped * maximum + 0.5).littleEndian
                }
            }
            for x in width..<scaledWidth {
                (row + x * bytesPerSample).update(from: row + (width - 1) * bytesPerSample, count: bytesPerSample)
            }
        }
        for y in height..<scaledHeight {
            (base + y * stride).update(from: base + (height - 1) * stride, count: scaledWidth * bytesPerSample)
        }
    }
}

/// libav's name of a pixel format ("yuv420p"), or "none".
func pixelFormatName(_ format: AVPixelFormat) -> String {
    av_get_pix_fmt_name(format).map { String(cString: $0) } ?? "none"
}

import CFFmpeg

/// Sole owner of one `AVFrame`; `deinit` frees it (and drops its buffer references).
final class Frame {
    let pointer: UnsafeMutablePointer<AVFrame>

    init(file: String) throws(MediaError) {
        guard let frame = av_frame_alloc() else { throw outOfMemory("frame", file: file) }
        pointer = frame
    }

    /// A frame with its own, writable picture buffer of the given size and pixel format.
    convenience init(width: Int, height: Int, pixelFormat: AVPixelFormat, file: String) throws(MediaError) {
        try self.init(file: file)
        pointer.pointee.width = Int32(width)
        pointer.pointee.height = Int32(height)
        pointer.pointee.format = pixelFormat.rawValue
        try libavRequire(av_frame_get_buffer(pointer, 0), "allocate a \(width)x\(height) picture", file: file)
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&frame)
    }
}

import CFFmpeg

/// Sole owner of a copy of a stream's `AVCodecParameters`; `deinit` frees it.
///
/// `@unchecked Sendable`: immutable after `init` (only read, by `avcodec_parameters_copy`), so sharing is safe.
final class CodecParameters: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<AVCodecParameters>

    init(copying source: UnsafePointer<AVCodecParameters>, file: String) throws(MediaError) {
        guard let p = avcodec_parameters_alloc() else { throw outOfMemory("codec parameters", file: file) }
        pointer = p
        try libavRequire(avcodec_parameters_copy(p, source), "copy stream parameters", file: file)
    }

    deinit {
        var p: UnsafeMutablePointer<AVCodecParameters>? = pointer
        avcodec_parameters_free(&p)
    }
}

import CFFmpeg

/// The outcome of a libav call that did not fail: the only place where `EAGAIN` and `EOF` are interpreted.
///
/// Modelled on swift-nio's syscall funnel: "try again" and "end of stream" are ordinary values a caller switches on;
/// everything else negative throws a ``MediaError`` naming the file and the operation.
enum LibavStatus: Equatable {
    /// The call succeeded; the payload is its non-negative return value.
    case done(Int32)
    /// `AVERROR(EAGAIN)`: the codec needs the other side (more input or output drained) first.
    case tryAgain
    /// `AVERROR_EOF`: the stream or codec is fully drained.
    case endOfStream
}

/// The libav error funnel: maps a return code to a ``LibavStatus`` or throws a ``MediaError``.
func libav(_ code: Int32, _ operation: @autoclosure () -> String, file: String) throws(MediaError) -> LibavStatus {
    if code >= 0 { return .done(code) }
    if code == cffmpeg_AVERROR_EAGAIN() { return .tryAgain }
    if code == cffmpeg_AVERROR_EOF() { return .endOfStream }
    throw MediaError(file: file, operation: operation(), reason: libavMessage(code), code: code)
}

/// Like ``libav(_:_:file:)`` for calls where `EAGAIN`/`EOF` cannot legitimately happen: those throw too.
@discardableResult
func libavRequire(_ code: Int32, _ operation: @autoclosure () -> String, file: String) throws(MediaError) -> Int32 {
    if code >= 0 { return code }
    throw MediaError(file: file, operation: operation(), reason: libavMessage(code), code: code)
}

/// libav's human-readable text for an error code.
func libavMessage(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    if av_strerror(code, &buffer, buffer.count) < 0 { return "libav error \(code)" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Thrown when libav cannot allocate a small object; there is nothing sensible to do but report it.
func outOfMemory(_ what: String, file: String) -> MediaError {
    MediaError(file: file, operation: "allocate \(what)", reason: "out of memory")
}

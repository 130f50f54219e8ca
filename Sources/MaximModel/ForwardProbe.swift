#if canImport(Glibc)
import Glibc
#endif
import Tensor

/// Observes module outputs during a forward pass, for debugging against the reference's
/// `intermediates.npz`. Keys follow the reference: `<module path>/__call__/0[/<element>]`.
///
/// The recorder is per thread (the layers run on the caller's thread), so concurrent forward passes
/// on other threads are not observed. A pthread key rather than `@TaskLocal`: the synchronous
/// `TaskLocal.withValue` crashed outside a task in release builds (Swift 6.3.1).
public enum ForwardProbe {
    public typealias Recorder = @Sendable (String, Tensor) -> Void

    private final class Box {
        let recorder: Recorder
        init(_ recorder: @escaping Recorder) { self.recorder = recorder }
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "pthread_key_create failed (\(status))")
        return key
    }()

    /// Runs `body` with `recorder` receiving every module output computed on this thread.
    public static func withRecorder<R>(_ recorder: @escaping Recorder, _ body: () throws -> R) rethrows -> R {
        let previous = pthread_getspecific(key)
        let box = Unmanaged.passRetained(Box(recorder))
        pthread_setspecific(key, box.toOpaque())
        defer {
            pthread_setspecific(key, previous)
            box.release()
        }
        return try body()
    }

    static var recorder: Recorder? {
        guard let p = pthread_getspecific(key) else { return nil }
        return Unmanaged<Box>.fromOpaque(p).takeUnretainedValue().recorder
    }

    @inline(__always)
    static func record(_ path: String, _ tensor: Tensor, element: Int? = nil) {
        guard let recorder else { return }
        let key = path.isEmpty ? "__call__/0" : path + "/__call__/0"
        recorder(element.map { key + "/\($0)" } ?? key, tensor)
    }
}

import Tensor

/// Observes module outputs during a forward pass, for debugging against the reference's
/// `intermediates.npz`. Keys follow the reference: `<module path>/__call__/0[/<element>]`.
/// A task-local, so concurrent forward passes on other threads are not affected.
public enum ForwardProbe {
    public typealias Recorder = @Sendable (String, Tensor) -> Void

    @TaskLocal public static var recorder: Recorder?

    @inline(__always)
    static func record(_ path: String, _ tensor: Tensor, element: Int? = nil) {
        guard let recorder else { return }
        let key = path.isEmpty ? "__call__/0" : path + "/__call__/0"
        recorder(element.map { key + "/\($0)" } ?? key, tensor)
    }
}

/// Joins flax module path components.
@inline(__always)
func join(_ parent: String, _ child: String) -> String { parent.isEmpty ? child : parent + "/" + child }

import MediaIO

/// One restoration step (deblur, denoise, …): a frame of planar float RGB in, a frame of the same size out.
///
/// Stages are chained by ``VideoRestorer`` in list order, each on its own dedicated thread(s).
public protocol RestorationStage: Sendable {
    /// Short name for logs and progress, e.g. "identity" or "deblur".
    var name: String { get }
    /// Called from dedicated threads; may be called concurrently for different frames.
    func restore(_ image: RGBImage) throws -> RGBImage
}

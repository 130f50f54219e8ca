import MediaIO

public protocol RestorationStage: Sendable {
    var name: String { get }
    /// Called from dedicated threads; may be called concurrently for different frames.
    func restore(_ image: RGBImage) throws -> RGBImage
}

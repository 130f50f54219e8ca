import MediaIO

/// Returns every frame unchanged: makes the decode → stages → encode spine usable and testable without a model.
public struct IdentityStage: RestorationStage {
    public let name = "identity"

    public init() {}

    public func restore(_ image: RGBImage) throws -> RGBImage { image }
}

/// One decoded video frame as planar float RGB, its decoder timestamps, and the passthrough packets (audio,
/// subtitles, data) that the demuxer read since the previous frame, so they travel through the pipeline with it and
/// reach the muxer in file order without an unbounded side queue.
public struct DecodedFrame: Sendable {
    /// 0-based position in decode (presentation) order.
    public let index: Int
    public var image: RGBImage
    /// The picture's opacity when its format has an alpha channel; restoration leaves it as it is.
    public let alpha: AlphaPlane?
    /// What the picture carries beside its pixels (closed captions, an ICC profile), written back into the restored
    /// picture.
    public let sideData: FrameSideData?
    /// The picture's closed captions (A/53 `cc_data`).
    public var captions: [UInt8]? { sideData?.captions }
    public let timing: FrameTiming
    public let passthrough: [PassthroughPacket]
}

import CFFmpeg

extension VideoEncoder {
    /// The codec headers the encoder put in extradata (empty when it has none).
    var extradata: [UInt8] {
        guard let data = context.pointee.extradata, context.pointee.extradata_size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(context.pointee.extradata_size)))
    }
}

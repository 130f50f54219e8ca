import CFFmpeg

/// What a decoded picture carries beside its pixels that its restored picture must carry too; the decoder hands it
/// out with each picture, and encoders that know it write it back into theirs. Restoration re-encodes every
/// picture, so without this it was all lost:
/// - closed captions (CEA-608/708 as ATSC A/53 `cc_data` in the pictures' SEI or user data: TV recordings, US
///   camcorders), written by libx264 and MPEG-2;
/// - a photo's ICC colour profile (a phone's Display P3 photos: without it colour-managed viewers show the restored
///   photo duller), written by the PNG and JPEG encoders;
/// - a JPEG photo's EXIF block (date taken, place, camera), which FFmpeg keeps only as tags: read from the file and
///   written into the restored JPEG's packet (``JPEGExif``).
public struct FrameSideData: Sendable, Equatable {
    /// A/53 `cc_data` triplets.
    public var captions: [UInt8]?
    /// The ICC profile's bytes.
    public var iccProfile: [UInt8]?
    /// The APP1 `Exif` payload, orientation upright.
    public var exif: [UInt8]?

    public init(captions: [UInt8]? = nil, iccProfile: [UInt8]? = nil, exif: [UInt8]? = nil) {
        self.captions = captions
        self.iccProfile = iccProfile
        self.exif = exif
    }

    private static var kinds: [(AVFrameSideDataType, WritableKeyPath<FrameSideData, [UInt8]?>)] {
        [(AV_FRAME_DATA_A53_CC, \.captions), (AV_FRAME_DATA_ICC_PROFILE, \.iccProfile)]
    }

    /// What `frame` carries; nil when nothing.
    static func read(from frame: Frame) -> FrameSideData? {
        var data = FrameSideData()
        for (type, field) in kinds {
            guard let side = av_frame_get_side_data(frame.pointer, type), side.pointee.size > 0 else { continue }
            data[keyPath: field] = Array(UnsafeBufferPointer(start: side.pointee.data, count: Int(side.pointee.size)))
        }
        return data == FrameSideData() ? nil : data
    }

    /// Attaches it to the picture about to be encoded.
    func attach(to frame: Frame, file: String) throws(MediaError) {
        for (type, field) in Self.kinds {
            guard let bytes = self[keyPath: field], !bytes.isEmpty else { continue }
            guard let side = av_frame_new_side_data(frame.pointer, type, bytes.count) else {
                throw outOfMemory("frame side data", file: file)
            }
            side.pointee.data.update(from: bytes, count: bytes.count)
        }
    }

    /// Whether the encoder named `codec` writes captions into its pictures (it has libavcodec's `a53cc` option).
    public static func captionsCarried(by codec: String) -> Bool {
        guard var options = avcodec_find_encoder_by_name(codec)?.pointee.priv_class else { return false }
        return withUnsafeMutablePointer(to: &options) { pointer in
            av_opt_find(UnsafeMutableRawPointer(pointer), "a53cc", nil, 0, AV_OPT_SEARCH_FAKE_OBJ) != nil
        }
    }
}

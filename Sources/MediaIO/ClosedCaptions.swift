import CFFmpeg

/// CEA-608/708 closed captions as they travel inside a video stream (ATSC A/53 `cc_data` in the pictures' SEI or
/// user data: TV recordings, US camcorders): the decoder hands them out with each picture, and an encoder that
/// knows them (libx264, MPEG-2) writes them back into its own pictures. Restoration re-encodes the video,
/// so without carrying them from frame to frame every caption was lost.
public enum ClosedCaptions {
    /// The picture's `cc_data` triplets, if it carries any.
    static func read(from frame: Frame) -> [UInt8]? {
        guard let side = av_frame_get_side_data(frame.pointer, AV_FRAME_DATA_A53_CC), side.pointee.size > 0 else {
            return nil
        }
        return Array(UnsafeBufferPointer(start: side.pointee.data, count: Int(side.pointee.size)))
    }

    /// Whether the encoder named `codec` writes captions into its pictures (it has libavcodec's `a53cc` option).
    public static func carried(by codec: String) -> Bool {
        guard var options = avcodec_find_encoder_by_name(codec)?.pointee.priv_class else { return false }
        return withUnsafeMutablePointer(to: &options) { pointer in
            av_opt_find(UnsafeMutableRawPointer(pointer), "a53cc", nil, 0, AV_OPT_SEARCH_FAKE_OBJ) != nil
        }
    }

    /// Attaches `bytes` to the picture about to be encoded.
    static func attach(_ bytes: [UInt8]?, to frame: Frame, file: String) throws(MediaError) {
        guard let bytes, !bytes.isEmpty else { return }
        guard let side = av_frame_new_side_data(frame.pointer, AV_FRAME_DATA_A53_CC, bytes.count) else {
            throw outOfMemory("closed captions", file: file)
        }
        side.pointee.data.update(from: bytes, count: bytes.count)
    }
}

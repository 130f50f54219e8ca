/// What was wrong with an input that could still be read: packets the decoder rejected (their frames are lost or
/// concealed by the decoder) and an end that came too early.
///
/// A damaged input is processed as far as it goes; the caller decides from this record whether that is a success
/// (concealed errors are reported, a truncated input fails unless the user accepts it).
public struct InputDamage: Sendable, Equatable {
    /// Video packets the decoder rejected as invalid.
    public var rejectedPackets = 0
    /// The first decoder message, for the report.
    public var firstDecodeError: String?
    /// Why reading stopped before the container's end, when it did (a read error after some frames).
    public var readError: String?
    /// Frames the container's index announces, when it has one that counts them exactly (mp4/mov); nil otherwise.
    public var announcedFrames: Int?
    /// Frames actually decoded.
    public var decodedFrames = 0
    /// Video packets the container delivered (one per frame in the containers that announce a count).
    public var videoPackets = 0

    public init() {}

    /// The input ended before its index said it would, or reading it failed part way.
    public var isTruncated: Bool {
        if readError != nil { return true }
        guard let announcedFrames else { return false }
        return videoPackets < announcedFrames
    }

    public var isDamaged: Bool { rejectedPackets > 0 || isTruncated }

    /// One sentence for the user, e.g. "truncated: 25 of 50 frames could be read".
    public var summary: String {
        var parts: [String] = []
        if isTruncated {
            if let announcedFrames {
                parts.append("truncated: \(decodedFrames) of \(announcedFrames) frames could be read")
            } else {
                parts.append("truncated: reading stopped after \(decodedFrames) frames (\(readError ?? "early end"))")
            }
        }
        if rejectedPackets > 0 {
            let skipped = "\(rejectedPackets) damaged video packet(s) skipped (\(firstDecodeError ?? "invalid data"))"
            parts.append(isTruncated ? skipped : skipped + "; \(decodedFrames) frames decoded")
        }
        return parts.joined(separator: "; ")
    }
}

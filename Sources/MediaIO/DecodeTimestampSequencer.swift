/// Keeps the video's decode timestamps strictly increasing across segment boundaries, never touching pts.
///
/// Every segment comes from a fresh encoder; with B-frames its first dts lies below its first pts by the reorder
/// delay and can fall at or below the previous segment's last dts. Such a dts is raised to one tick above its
/// predecessor (in the output's time base, which is at least as fine as the input's). A dts that would then pass
/// its own pts cannot be fixed without changing pts, so it is an error.
struct DecodeTimestampSequencer {
    private(set) var last: Int64?
    /// How many dts were raised.
    private(set) var rewrites = 0

    /// The dts to write for a packet with these timestamps, or nil when no valid dts exists.
    mutating func next(pts: Int64, dts: Int64) -> Int64? {
        var out = dts
        if let last, out <= last {
            out = last + 1
            rewrites += 1
            guard out <= pts else { return nil }
        }
        last = out
        return out
    }
}

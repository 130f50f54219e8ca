/// A per-channel vector (a bias, a channel scale) repeated into a pattern a whole number of rows long and of
/// vector-friendly length. Loops over thin rows (12–48 channels) would leave most of each row to their scalar
/// remainder; swept in the pattern's stride they run on full vectors.
enum RowPattern {
    /// A multiple of both `channels` and 16 floats (one AVX-512 vector), at least 256 floats so the vector loop
    /// dominates its remainder; `channels` itself when that would exceed 1024 (wide rows vectorise well alone).
    static func length(channels: Int) -> Int {
        guard channels > 0 else { return 1 }
        var a = channels, b = 16
        while b != 0 { (a, b) = (b, a % b) }
        let lcm = channels / a * 16
        guard lcm <= 1024 else { return channels }
        return lcm * max(1, (256 + lcm - 1) / lcm)
    }

    /// Calls `body(offset, count, pattern)` for consecutive blocks covering `total` floats (whole rows, starting at
    /// channel 0), each at most one pattern long, with `pattern[i]` = `row[i % channels]`.
    @inline(__always)
    static func sweep(
        repeating row: UnsafePointer<Float>, channels: Int, total: Int,
        _ body: (_ offset: Int, _ count: Int, _ pattern: UnsafePointer<Float>) -> Void
    ) {
        let length = length(channels: channels)
        func blocks(_ pattern: UnsafePointer<Float>) {
            var offset = 0
            while offset < total {
                let count = min(length, total - offset)
                body(offset, count, pattern)
                offset += count
            }
        }
        guard length > channels, total > channels else { return blocks(row) }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: length) { buffer in
            let pattern = buffer.baseAddress!
            for i in 0..<length { pattern[i] = row[i % channels] }
            blocks(pattern)
        }
    }
}

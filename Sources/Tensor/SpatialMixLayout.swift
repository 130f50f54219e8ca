/// Which pixels a spatial mix gathers, and in what chunks: the offset tables the gather and the scatter walk, owned
/// (and freed) here.
///
/// A pixel's offset is separable, cell origin + offset inside the cell: two small tables instead of two divisions
/// and two remainders for every gathered and every scattered pixel. Both tables sit in one buffer the chunks (and the
/// vector gather and scatter) read through pointers: the mix index's first, then the other index's.
final class SpatialMixLayout {
    /// Pixels mixed with each other (the kernel is `mixCount × mixCount`), and how many such sets the image has.
    let mixCount: Int
    let otherCount: Int
    /// Sets of mixed pixels per chunk: a chunk's `[mixCount, othersPerChunk · channels]` matrix stays in L2. One set
    /// fewer where its rows would be a multiple of 4 KiB (1024 floats, as the L2 sizing gives at every width): rows
    /// that far apart share L1 sets, and the product's packing and the scatter read down its columns.
    let othersPerChunk: Int
    let chunks: Int
    private let offsets: UnsafeMutableBufferPointer<Int>

    init(height h: Int, width w: Int, axis: SpatialMixAxis, channels k: Int) {
        let (fh, fw) = axis.patch(height: h, width: w)
        let (gh, gw) = (h / fh, w / fw)
        let patches = gh * gw, pixelsPerPatch = fh * fw
        mixCount = axis.isGrid ? patches : pixelsPerPatch
        otherCount = axis.isGrid ? pixelsPerPatch : patches
        let perChunk = max(1, min(otherCount, 16384 / max(mixCount * k, 1) * 4))
        othersPerChunk = perChunk > 1 && perChunk * k % 1024 == 0 ? perChunk - 1 : perChunk
        chunks = (otherCount + othersPerChunk - 1) / othersPerChunk
        let cellOffsets = (0..<patches).map { ($0 / gw) * fh * w + ($0 % gw) * fw }
        let inCellOffsets = (0..<pixelsPerPatch).map { ($0 / fw) * w + $0 % fw }
        offsets = .allocate(capacity: mixCount + otherCount)
        _ = offsets.initialize(from: axis.isGrid ? cellOffsets + inCellOffsets : inCellOffsets + cellOffsets)
    }

    deinit { offsets.deallocate() }

    /// Pixel offsets (in pixels from the image's first) of the mix index and of the other index; a pixel's offset is
    /// the sum of one of each.
    var mixOffsets: UnsafePointer<Int> { UnsafePointer(offsets.baseAddress!) }
    var otherOffsets: UnsafePointer<Int> { mixOffsets + mixCount }

    /// The other indices of chunk `chunk`.
    func others(ofChunk chunk: Int) -> Range<Int> {
        chunk * othersPerChunk..<min(otherCount, (chunk + 1) * othersPerChunk)
    }
}

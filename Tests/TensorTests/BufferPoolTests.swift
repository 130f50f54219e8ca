import Testing
@testable import Tensor

@Suite struct BufferPoolTests {
    /// Consecutive buffers start at different offsets into their pages (so equal indices of different tensors do
    /// not share cache sets), each 64-byte aligned and fully writable; a released buffer's mapping is reused.
    @Test func buffersAreColouredAlignedWritableAndRecycled() {
        let bytes = 37 * BufferPool.granularity + 12345  // a size class no other test allocates
        let buffers = (0..<8).map { _ in BufferPool.allocate(bytes: bytes) }
        let offsets = Set(buffers.map { Int(bitPattern: $0) & 4095 })
        #expect(offsets.count > 1, "buffers at different colours")
        for p in buffers {
            #expect(Int(bitPattern: p) % 64 == 0)
            p.initializeMemory(as: UInt8.self, repeating: 0xAB, count: bytes)
            #expect(p.load(fromByteOffset: bytes - 1, as: UInt8.self) == 0xAB)
        }
        let pages = Set(buffers.map { Int(bitPattern: $0) & ~4095 })
        for p in buffers { BufferPool.release(p, bytes: bytes) }
        let again = BufferPool.allocate(bytes: bytes)
        #expect(pages.contains(Int(bitPattern: again) & ~4095), "an idle mapping of the same size is reused")
        BufferPool.release(again, bytes: bytes)
    }
}

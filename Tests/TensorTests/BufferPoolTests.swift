@testable import Tensor
import Testing

/// The pool's keep-or-unmap policy on its bookkeeping alone (no memory is mapped: the buffers are fake addresses).
@Suite("BufferPool")
struct BufferPoolTests {
    let mib = 1 << 20

    func fake(_ i: Int) -> BufferPool.Buffer { BufferPool.Buffer(pointer: UnsafeMutableRawPointer(bitPattern: 4096 * (i + 1))!) }

    /// One pass: buffers of these sizes taken (from the pool or "mapped"), then all given back; how many came from
    /// the pool, and how many the pool handed back to be unmapped.
    func pass(_ state: inout BufferPool.State, sizes: [Int]) -> (reused: Int, unmapped: Int) {
        var taken: [(BufferPool.Buffer, Int)] = []
        var reused = 0
        for (i, size) in sizes.enumerated() {
            if let buffer = state.take(size: size) {
                reused += 1
                taken.append((buffer, size))
            } else {
                taken.append((fake(i), size))
            }
        }
        var unmapped = 0
        for (buffer, size) in taken { unmapped += state.give(buffer, size: size).count }
        return (reused, unmapped)
    }

    /// A large tile's pass: three buffers of distinct sizes live at once, above the fixed minimum together.
    @Test func buffersOfALargePassAreAllReusedByTheNext() {
        var state = BufferPool.State()
        let sizes = [200 * mib, 150 * mib, 100 * mib]  // 450 MiB live: above the 384 MiB minimum
        let first = pass(&state, sizes: sizes)
        #expect(first.reused == 0 && first.unmapped == 0)
        let second = pass(&state, sizes: sizes)
        #expect(second.reused == 3, "every buffer came back from the pool")
        #expect(second.unmapped == 0)
        #expect(state.peakLiveBytes == 450 * mib && state.liveBytes == 0)
    }

    @Test func idleBytesStayUnderTwiceThePeak() {
        var state = BufferPool.State()
        // One at a time: the peak is one buffer, so idle buffers of many sizes cannot pile up past the minimum.
        var unmapped = 0
        for i in 0..<10 { unmapped += pass(&state, sizes: [(100 + i) * mib]).unmapped }
        #expect(state.peakLiveBytes == 109 * mib)
        #expect(state.idleBytes <= BufferPool.minimumCapacity)
        #expect(unmapped == 7, "the largest idle buffers made room")
        #expect(state.idle.values.map(\.count).reduce(0, +) == 3)
    }
}

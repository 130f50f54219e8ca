#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Recycles large tensor buffers.
///
/// Through malloc, activation-sized blocks (1–100 MB) either land in the heap, where freed
/// blocks are not returned and fragmentation doubled the peak RSS, or are mmapped afresh every time,
/// paying a page fault per 4 KiB. A forward pass allocates the same few shapes over and over, so
/// exact-size reuse of mmapped buffers keeps RSS close to the live tensor size and avoids the
/// faults. At most `capacity` bytes are kept idle; beyond that buffers go back to the kernel.
enum BufferPool {
    /// Smaller buffers come from malloc. Low enough that a forward pass's chunk scratch and low-resolution
    /// activations are pooled too: no malloc/free (and no fill-byte `memset`, see `ReproducibleHeap`) per operation.
    static let threshold = 1 << 16
    static let granularity = 1 << 16
    static let capacity = 384 << 20

    /// An idle mapping; only the pool touches it, under its lock.
    struct Buffer: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    struct State {
        var idle: [Int: [Buffer]] = [:]
        var idleBytes = 0
    }

    private static let state = Mutex(State())

    static func roundedSize(_ bytes: Int) -> Int { (bytes + granularity - 1) / granularity * granularity }

    static func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        let size = roundedSize(bytes)
        let reused: UnsafeMutableRawPointer? = state.withLock { state in
            guard let buffer = state.idle[size]?.popLast() else { return nil }
            state.idleBytes -= size
            return buffer.pointer
        }
        if let reused { return reused }
        let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        precondition(p != MAP_FAILED && p != nil, "Tensor allocation of \(size) bytes failed (mmap)")
        return p!
    }

    static func release(_ p: UnsafeMutableRawPointer, bytes: Int) {
        let size = roundedSize(bytes)
        var evicted: [(Buffer, Int)] = []
        let buffer = Buffer(pointer: p)
        let kept: Bool = state.withLock { state in
            guard size <= capacity else { return false }
            // Make room by dropping idle buffers of other sizes, largest first.
            while state.idleBytes + size > capacity,
                  let victimSize = state.idle.filter({ !$0.value.isEmpty }).keys.max() {
                let victim = state.idle[victimSize]!.removeLast()
                state.idleBytes -= victimSize
                evicted.append((victim, victimSize))
            }
            state.idle[size, default: []].append(buffer)
            state.idleBytes += size
            return true
        }
        for (victim, victimSize) in evicted { munmap(victim.pointer, victimSize) }
        if !kept { munmap(p, size) }
    }
}

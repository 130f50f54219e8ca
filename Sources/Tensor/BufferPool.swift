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
/// faults. Idle buffers are kept up to ``minimumCapacity`` or, where passes need more at once (large tiles), up to
/// twice the most bytes ever in use together; beyond that they go back to the kernel. A fixed 384 MiB cap made the
/// deblurrer's 704×768 tiles (`--tile 512`) evict and re-map their buffers on every pass: 5.4–6.4 M page faults in a
/// 24-frame job, 14–17 % of its CPU time in the kernel (now 0.4 M, 1.5 %; the job's wall time moved less: a reused
/// buffer arrives colder in cache than a freshly zeroed page — docs/performance.md).
enum BufferPool {
    /// Smaller buffers come from malloc. Low enough that a forward pass's chunk scratch and low-resolution
    /// activations are pooled too: no malloc/free (and no fill-byte `memset`, see `ReproducibleHeap`) per operation.
    static let threshold = 1 << 16
    static let granularity = 1 << 16
    static let minimumCapacity = 384 << 20

    /// An idle mapping; only the pool touches it, under its lock.
    struct Buffer: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    /// The pool's bookkeeping, apart from the mappings themselves (so the policy can be tested without memory).
    struct State {
        var idle: [Int: [Buffer]] = [:]
        var idleBytes = 0
        /// Bytes handed out and not yet released, and their high-water mark.
        var liveBytes = 0
        var peakLiveBytes = 0

        /// Twice the peak: a pass frees buffers of many sizes, more in all than it ever holds at once, and the next
        /// pass wants each of them back (704×768 deblur tiles at 1× the peak still faulted 1.8 M times in a job).
        var capacity: Int { max(BufferPool.minimumCapacity, 2 * peakLiveBytes) }

        /// Books `size` bytes as handed out; an idle buffer of exactly that size, where there is one.
        mutating func take(size: Int) -> Buffer? {
            liveBytes += size
            peakLiveBytes = max(peakLiveBytes, liveBytes)
            guard let buffer = idle[size]?.popLast() else { return nil }
            idleBytes -= size
            return buffer
        }

        /// Books `buffer` as released and keeps it idle, after dropping idle buffers of other sizes, largest first, to
        /// stay under ``capacity`` (which a buffer never exceeds: it was part of the peak); returns what the caller
        /// must unmap.
        mutating func give(_ buffer: Buffer, size: Int) -> [(Buffer, Int)] {
            liveBytes -= size
            var evicted: [(Buffer, Int)] = []
            while idleBytes + size > capacity, let victimSize = idle.filter({ !$0.value.isEmpty }).keys.max() {
                evicted.append((idle[victimSize]!.removeLast(), victimSize))
                idleBytes -= victimSize
            }
            idle[size, default: []].append(buffer)
            idleBytes += size
            return evicted
        }
    }

    private static let state = Mutex(State())

    static func roundedSize(_ bytes: Int) -> Int { (bytes + granularity - 1) / granularity * granularity }

    static func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        let size = roundedSize(bytes)
        if let reused = state.withLock({ $0.take(size: size) }) { return reused.pointer }
        let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        precondition(p != MAP_FAILED && p != nil, "Tensor allocation of \(size) bytes failed (mmap)")
        return p!
    }

    static func release(_ p: UnsafeMutableRawPointer, bytes: Int) {
        let size = roundedSize(bytes)
        let unmapped = state.withLock { $0.give(Buffer(pointer: p), size: size) }
        for (buffer, size) in unmapped { munmap(buffer.pointer, size) }
    }
}

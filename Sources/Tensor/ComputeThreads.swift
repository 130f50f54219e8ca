import Dispatch
import Synchronization

/// How many threads one tensor operation may use. Kernels split work into independent chunks and
/// run them on up to this many threads themselves (OpenBLAS is kept single-threaded, see
/// `BLASRuntime`), so the budget is explicit and several models can run side by side without
/// oversubscribing the CPU: `workers × ComputeThreads.count ≤ cores`.
public enum ComputeThreads {
    private static let value = Atomic<Int>(1)

    public static var count: Int { value.load(ordering: .relaxed) }

    public static func set(_ threads: Int) {
        precondition(threads >= 1, "Thread count must be at least 1, got \(threads)")
        value.store(threads, ordering: .relaxed)
    }

    /// Runs `body(chunk)` for every chunk in `0..<chunks`, on up to `count` threads. Workers take
    /// the next chunk from a shared counter, so a thread that is descheduled (a busy machine, tiles
    /// running side by side) does not hold up the others. Each chunk's result depends only on its
    /// index, never on which thread ran it.
    static func forEach(chunks: Int, _ body: (Int) -> Void) {
        let threads = min(count, chunks)
        if threads <= 1 {
            for i in 0..<chunks { body(i) }
            return
        }
        // The kernels hand over raw pointers into tensors they keep alive for the whole call, and
        // every chunk writes a disjoint part of the output, so sharing `body` across threads is safe.
        let next = ChunkCounter()
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while true {
                    let i = next.value.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard i < chunks else { break }
                    shared.value(i)
                }
            }
        }
    }

    /// Splits `0..<total` into ranges of about `grain` items and runs them in parallel.
    static func forEachRange(total: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        guard total > 0 else { return }
        let grain = max(grain, 1)
        let chunks = (total + grain - 1) / grain
        forEach(chunks: chunks) { i in
            body((i * grain)..<min(total, (i + 1) * grain))
        }
    }
}

final class ChunkCounter: Sendable {
    let value = Atomic<Int>(0)
}

struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Scratch memory for one chunk of a kernel; 64-byte aligned, freed by the caller's `defer`.
///
/// Chunk-sized blocks (≥ 64 KiB) come from ``BufferPool``, like tensors, so a forward pass makes no malloc calls
/// of that size: they cost fragmentation and, with the heap fill byte the product sets for libx264's sake
/// (`ReproducibleHeap`), a `memset` on every allocation and free. A 64-byte header before the returned block records
/// its size for `freeScratch`.
@inline(__always)
func allocateScratch(_ count: Int) -> UnsafeMutablePointer<Float> {
    let bytes = scratchHeader + max(count, 16) * 4
    let base: UnsafeMutableRawPointer
    if bytes >= BufferPool.threshold {
        base = BufferPool.allocate(bytes: bytes)
    } else {
        base = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    }
    base.storeBytes(of: bytes, as: Int.self)
    return (base + scratchHeader).bindMemory(to: Float.self, capacity: max(count, 16))
}

@inline(__always)
func freeScratch(_ p: UnsafeMutablePointer<Float>) {
    let base = UnsafeMutableRawPointer(p) - scratchHeader
    let bytes = base.load(as: Int.self)
    if bytes >= BufferPool.threshold {
        BufferPool.release(base, bytes: bytes)
    } else {
        base.deallocate()
    }
}

private let scratchHeader = 64

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Bytes held by live tensors, and the high-water mark: what a model really needs, independent
/// of allocator behaviour (for `bench --verbose` and memory tuning).
public enum TensorMemory {
    static let live = Atomic<Int>(0)
    static let peak = Atomic<Int>(0)

    public static var liveBytes: Int { live.load(ordering: .relaxed) }
    public static var peakBytes: Int { peak.load(ordering: .relaxed) }

    /// Restarts the high-water mark at the current live size.
    public static func resetPeak() { peak.store(live.load(ordering: .relaxed), ordering: .relaxed) }

    static func allocated(_ bytes: Int) {
        let now = live.wrappingAdd(bytes, ordering: .relaxed).newValue
        var seen = peak.load(ordering: .relaxed)
        while now > seen {
            let (exchanged, original) = peak.compareExchange(expected: seen, desired: now, ordering: .relaxed)
            if exchanged { break }
            seen = original
        }
    }

    static func freed(_ bytes: Int) { live.wrappingSubtract(bytes, ordering: .relaxed) }
}

/// A backend's description of a memory layout (bytes of a oneDNN memory descriptor, ~1 KiB) as a dictionary key
/// hashed once: looked up on every convolution band, hashing the bytes each time cost ~0.2 % of a small model's frame.
struct LayoutKey: Hashable, Sendable {
    let bytes: [UInt8]
    private let digest: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        digest = bytes.hashValue
    }

    func hash(into hasher: inout Hasher) { hasher.combine(digest) }
    static func == (a: LayoutKey, b: LayoutKey) -> Bool { a.digest == b.digest && a.bytes == b.bytes }
}

/// Owns one 64-byte aligned block of `Float`s. Aligned so BLAS and SIMD loads never straddle cache
/// lines; a class so a `Tensor` copy is O(1) and the memory is freed exactly once.
final class TensorStorage: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    let count: Int
    /// Copies of this tensor in other layouts, made once by a backend (a convolution kernel blocked for oneDNN),
    /// keyed by the layout; they live exactly as long as the tensor.
    let derived = Mutex<[LayoutKey: TensorStorage]>([:])

    init(count: Int) {
        precondition(count >= 0, "Tensor element count must be non-negative, got \(count)")
        let bytes = max((count * MemoryLayout<Float>.stride + 63) & ~63, 64)
        if bytes >= BufferPool.threshold {
            base = BufferPool.allocate(bytes: bytes).bindMemory(to: Float.self, capacity: count)
        } else {
            var raw: UnsafeMutableRawPointer?
            let status = posix_memalign(&raw, 64, bytes)
            precondition(status == 0 && raw != nil, "Tensor allocation of \(bytes) bytes failed (\(status))")
            base = raw!.bindMemory(to: Float.self, capacity: max(count, 1))
        }
        self.count = count
        TensorMemory.allocated(count * 4)
    }

    /// The copy of this storage in the layout `key`, made by `make` (into a fresh storage of `count` floats) on first
    /// use and kept; where threads race, each makes one and all get the first kept.
    func derivedCopy(_ key: LayoutKey, count: Int, make: (TensorStorage) throws -> Void) rethrows -> TensorStorage {
        if let ready = derived.withLock({ $0[key] }) { return ready }
        let copy = TensorStorage(count: count)
        try make(copy)
        return derived.withLock { derived in
            if let other = derived[key] { return other }
            derived[key] = copy
            return copy
        }
    }

    deinit {
        TensorMemory.freed(count * 4)
        let bytes = max((count * MemoryLayout<Float>.stride + 63) & ~63, 64)
        if bytes >= BufferPool.threshold {
            BufferPool.release(UnsafeMutableRawPointer(base), bytes: bytes)
        } else {
            free(base)
        }
    }
}

/// A dense, row-major Float32 array. Images and feature maps are NHWC; every operation that mixes
/// channels works over the LAST axis, as the reference (flax) does.
///
/// Value semantics: operations return new tensors; the only in-place access,
/// `withUnsafeMutableBufferPointer`, copies first when the storage is shared.
public struct Tensor: Sendable {
    public private(set) var shape: [Int]
    var storage: TensorStorage
    /// How the products this tensor is the kernel of compute (``forProducts(in:)``); only weights carry `bf16`.
    public internal(set) var productPrecision = ProductPrecision.fp32

    /// Creates a tensor whose contents are undefined; every kernel that uses it writes all elements.
    init(uninitializedShape shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape must be non-negative, got \(shape)")
        self.shape = shape
        self.storage = TensorStorage(count: shape.reduce(1, *))
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, repeating: 0)
    }

    public init(shape: [Int], repeating value: Float) {
        self.init(uninitializedShape: shape)
        storage.base.initialize(repeating: value, count: storage.count)
    }

    public init(shape: [Int], scalars: [Float]) {
        let count = shape.reduce(1, *)
        precondition(count == scalars.count, "Tensor shape \(shape) needs \(count) scalars, got \(scalars.count)")
        self.init(uninitializedShape: shape)
        scalars.withUnsafeBufferPointer { storage.base.update(from: $0.baseAddress!, count: count) }
    }

    /// A tensor whose elements `body` writes, every one of them (there is no zero fill first).
    public init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        self.init(uninitializedShape: shape)
        body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
    }

    /// Fills the tensor by calling `generator` once per element in memory order.
    public init(shape: [Int], generator: (Int) -> Float) {
        self.init(uninitializedShape: shape)
        for i in 0..<storage.count { storage.base[i] = generator(i) }
    }

    public var count: Int { storage.count }
    public var rank: Int { shape.count }
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.base, count: count)) }

    /// The last axis: channels for NHWC, features for dense layers.
    public var channels: Int { shape.last ?? 1 }

    /// Number of rows when the tensor is seen as a `[rows, channels]` matrix.
    public var rows: Int { channels == 0 ? 0 : count / channels }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base, count: count))
    }

    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) {
            let copy = TensorStorage(count: storage.count)
            copy.base.update(from: storage.base, count: storage.count)
            storage = copy
        }
        return try body(UnsafeMutableBufferPointer(start: storage.base, count: count))
    }

    /// Same storage, new shape (no copy).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let newCount = newShape.reduce(1, *)
        precondition(newCount == count, "Cannot reshape \(shape) (\(count) elements) to \(newShape)")
        var copy = self
        copy.shape = newShape
        return copy
    }

    /// Pointer for kernels in this module; valid while `self` is alive.
    var pointer: UnsafeMutablePointer<Float> { storage.base }

    /// Reads one element by multi-index (for tests and debugging, not for kernels).
    public subscript(_ index: Int...) -> Float {
        precondition(index.count == shape.count, "Index \(index) does not match rank of shape \(shape)")
        var flat = 0
        for (i, (k, n)) in zip(index, shape).enumerated() {
            precondition(k >= 0 && k < n, "Index \(index) out of bounds for shape \(shape) at axis \(i)")
            flat = flat * n + k
        }
        return storage.base[flat]
    }
}

extension Tensor {
    /// Height, width and channels of an NHWC tensor.
    public var nhwc: (n: Int, h: Int, w: Int, c: Int) {
        precondition(shape.count == 4, "Expected an NHWC tensor, got shape \(shape)")
        return (shape[0], shape[1], shape[2], shape[3])
    }

    /// Largest absolute difference to `other`; shapes must match.
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(shape == other.shape, "Shapes differ: \(shape) vs \(other.shape)")
        var m: Float = 0
        for i in 0..<count { m = max(m, abs(pointer[i] - other.pointer[i])) }
        return m
    }

    public var maxAbs: Float {
        var m: Float = 0
        for i in 0..<count { m = max(m, abs(pointer[i])) }
        return m
    }

    /// Euclidean norm accumulated in Double so it can judge float32 rounding.
    public var l2Norm: Double {
        var s = 0.0
        for i in 0..<count { let v = Double(pointer[i]); s += v * v }
        return s.squareRoot()
    }
}

extension Tensor {
    /// Copies `count(shape)` floats from `source`.
    public init(shape: [Int], copying source: UnsafeBufferPointer<Float>) {
        let count = shape.reduce(1, *)
        precondition(source.count == count, "Tensor shape \(shape) needs \(count) scalars, got \(source.count)")
        self.init(uninitializedShape: shape)
        if count > 0 { storage.base.update(from: source.baseAddress!, count: count) }
    }
}

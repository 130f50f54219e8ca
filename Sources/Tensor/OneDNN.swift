import CDNNL
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// oneDNN's JIT kernels for the shapes where they beat OpenBLAS: thin matrix products (`OneDNN+Matmul.swift`) and
/// direct convolutions (`OneDNN+Convolution.swift`).
///
/// Small MAXIM models are made of thin layers (12–128 channels), where OpenBLAS's packing and an im2col copy
/// dominate; oneDNN 2.6 measured 1.2–3× faster there (docs/performance.md). Every primitive runs single-threaded,
/// like OpenBLAS's calls: the engine parallelises around them.
final class OneDNN: @unchecked Sendable {
    // @unchecked Sendable: the engine handle is immutable after init; oneDNN primitives may be executed from many
    // threads at once; the caches are behind mutexes.

    /// nil when oneDNN cannot create a CPU engine (then every product goes to OpenBLAS, every convolution to im2col).
    static let shared: OneDNN? = OneDNN()

    /// Whether oneDNN's kernels on this CPU are its AVX-512 ones (brgemm matmuls, brgconv convolutions). On AVX2 its
    /// kernels differ in kind, and the engine routes some work elsewhere (``fusesMatmulPostOps``,
    /// ``directConvolutionWins(inChannels:outChannels:)``).
    static let runsAVX512Kernels: Bool = {
        // The ISA values are bit sets, each containing those it extends.
        let avx512 = dnnl_cpu_isa_avx512_core.rawValue
        return dnnl_get_effective_cpu_isa().rawValue & avx512 == avx512
    }()

    /// A compiled operation with the memory layout of each of its arguments.
    final class Primitive: @unchecked Sendable {
        let handle: dnnl_primitive_t
        /// Layout per argument index (`cdnnl_arg_src`, …), the scratchpad's included.
        let layouts: [Int32: dnnl_memory_desc_t]
        let scratchpadBytes: Int

        init(handle: dnnl_primitive_t, layouts: [Int32: dnnl_memory_desc_t], scratchpadBytes: Int) {
            (self.handle, self.layouts, self.scratchpadBytes) = (handle, layouts, scratchpadBytes)
        }

        deinit { dnnl_primitive_destroy(handle) }
    }

    /// A stream handle; streams are not thread-safe, so each call borrows one.
    struct Stream: @unchecked Sendable { let handle: dnnl_stream_t }

    let engine: dnnl_engine_t
    private let idleStreams = Mutex<[Stream]>([])
    /// Per shape: the primitive, or nil where oneDNN declined the shape (OpenBLAS/im2col then does it).
    let matmuls = Mutex<[MatmulShape: Primitive?]>([:])
    let convolutions = Mutex<[ConvolutionShape: ConvolutionPrimitive?]>([:])
    /// Operations computed so far (tests check that a path was really taken).
    let productCount = Atomic<Int>(0)
    let convolutionCount = Atomic<Int>(0)
    /// Of which in bf16 (``ProductPrecision``).
    let bf16ProductCount = Atomic<Int>(0)
    let bf16ConvolutionCount = Atomic<Int>(0)
    /// libgomp's `omp_set_num_threads` (loaded with libdnnl): oneDNN would otherwise start an OpenMP team of every
    /// core inside each call, on top of the engine's own threads.
    private let setOpenMPThreads: (@convention(c) (Int32) -> Void)?

    /// One OpenMP thread for what the calling thread does next. Needed before compiling as well as before running:
    /// a convolution fixes its thread count when it is compiled, and one compiled at the default (every core) ran
    /// OpenMP teams forever after, whose spinning worker stole a core from the other tile (bench, 2 threads: −3 %).
    func useOneOpenMPThread() { setOpenMPThreads?(1) }

    private init?() {
        var engine: dnnl_engine_t?
        guard dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success, let engine else { return nil }
        self.engine = engine
        setOpenMPThreads = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "omp_set_num_threads")
            .map { unsafeBitCast($0, to: (@convention(c) (Int32) -> Void).self) }
    }

    /// Runs `primitive` on the given argument pointers, with a scratchpad of its own (oneDNN's library-managed one
    /// is shared and not safe across threads). False if oneDNN refused.
    func execute(_ primitive: Primitive, _ arguments: [(Int32, UnsafeMutableRawPointer)]) -> Bool {
        useOneOpenMPThread()
        let stream = idleStreams.withLock { $0.popLast() } ?? makeStream()
        guard let stream else { return false }
        defer { idleStreams.withLock { $0.append(stream) } }
        let alignment = 64
        return withUnsafeTemporaryAllocation(byteCount: max(primitive.scratchpadBytes, 1) + alignment,
                                             alignment: alignment) { scratch in
            var memories: [dnnl_memory_t?] = []
            defer { for memory in memories { dnnl_memory_destroy(memory) } }
            var args: [dnnl_exec_arg_t] = []
            for (arg, pointer) in arguments + [(cdnnl_arg_scratchpad, scratch.baseAddress!)] {
                guard let desc = primitive.layouts[arg] else { return false }
                var memory: dnnl_memory_t?
                let status = withUnsafePointer(to: desc) { dnnl_memory_create(&memory, $0, engine, pointer) }
                guard status == dnnl_success, let memory else { return false }
                memories.append(memory)
                args.append(dnnl_exec_arg_t(arg: arg, memory: memory))
            }
            guard dnnl_primitive_execute(primitive.handle, stream.handle, Int32(args.count), args) == dnnl_success
            else { return false }
            return dnnl_stream_wait(stream.handle) == dnnl_success
        }
    }

    /// Compiles an operation descriptor (user scratchpad; `configure` adds post-ops) and returns the primitive with
    /// the layouts of `queried` arguments as oneDNN chose them (and the `known` ones as given), or nil where oneDNN
    /// declines.
    func compile(
        _ operation: UnsafeRawPointer, queried: [(Int32, dnnl_query_t)], known: [Int32: dnnl_memory_desc_t] = [:],
        configure: (dnnl_primitive_attr_t) -> Bool = { _ in true }
    ) -> Primitive? {
        compile(queried: queried, known: known, configure: configure) { descriptor, attributes in
            dnnl_primitive_desc_create(&descriptor, operation, attributes, engine, nil)
        }
    }

    /// As above for any kind of primitive (a reorder has its own descriptor constructor): `describe` creates the
    /// primitive descriptor with the given attributes. Every primitive is compiled here, after asking OpenMP for one
    /// thread (see `useOneOpenMPThread`).
    func compile(
        queried: [(Int32, dnnl_query_t)], known: [Int32: dnnl_memory_desc_t] = [:],
        configure: (dnnl_primitive_attr_t) -> Bool = { _ in true },
        describe: (inout dnnl_primitive_desc_t?, dnnl_primitive_attr_t) -> dnnl_status_t
    ) -> Primitive? {
        useOneOpenMPThread()
        var attributes: dnnl_primitive_attr_t?
        guard dnnl_primitive_attr_create(&attributes) == dnnl_success, let attributes else { return nil }
        defer { dnnl_primitive_attr_destroy(attributes) }
        guard dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user) == dnnl_success,
              configure(attributes) else { return nil }
        var descriptor: dnnl_primitive_desc_t?
        guard describe(&descriptor, attributes) == dnnl_success, let descriptor else { return nil }
        defer { dnnl_primitive_desc_destroy(descriptor) }
        var layouts = known
        for (arg, query) in queried + [(cdnnl_arg_scratchpad, dnnl_query_scratchpad_md)] {
            guard let desc = dnnl_primitive_desc_query_md(descriptor, query, 0)?.pointee else { return nil }
            layouts[arg] = desc
        }
        var scratchpad = layouts[cdnnl_arg_scratchpad]!
        let scratchpadBytes = dnnl_memory_desc_get_size(&scratchpad)
        var handle: dnnl_primitive_t?
        guard dnnl_primitive_create(&handle, descriptor) == dnnl_success, let handle else { return nil }
        return Primitive(handle: handle, layouts: layouts, scratchpadBytes: scratchpadBytes)
    }

    private func makeStream() -> Stream? {
        var stream: dnnl_stream_t?
        guard dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue) == dnnl_success, let stream else { return nil }
        return Stream(handle: stream)
    }

    /// The cached value for `key`, or `make()`'s, stored for next time, a nil (oneDNN declined) included.
    /// Made outside the lock (JIT compilation takes ~0.1 ms); a racing thread may build the same one.
    func cached<Key: Hashable & Sendable, Value: Sendable>(_ cache: borrowing Mutex<[Key: Value?]>, _ key: Key, make: () -> Value?) -> Value? {
        if let known = cache.withLock({ $0[key] }) { return known }
        let made = make()
        cache.withLock { $0[key] = made }
        return made
    }
}

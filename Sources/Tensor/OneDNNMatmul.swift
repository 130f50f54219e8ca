import CDNNL
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// fp32 matrix products through oneDNN's JIT kernels, for the shapes where they beat OpenBLAS.
///
/// Small MAXIM models are made of thin products (12–128 channels): one 256² tile runs thousands of GEMMs with
/// K or N of 12–96, where OpenBLAS's packing dominates. oneDNN 2.6 (`brg:avx512_core`, `gemm:jit`) measured 1.2–2.3×
/// faster on those (docs/performance.md), and no faster on wide ones, which stay with OpenBLAS. Products run
/// single-threaded, like OpenBLAS's: the engine parallelises around them.
final class OneDNNMatmul: @unchecked Sendable {
    // @unchecked Sendable: the engine handle is immutable after init; oneDNN primitives may be executed from many
    // threads at once; the caches are behind mutexes.

    /// nil when oneDNN cannot create a CPU engine (then every product goes to OpenBLAS).
    static let shared: OneDNNMatmul? = OneDNNMatmul()

    struct Shape: Hashable {
        let m, n, k, lda, ldb, ldc: Int
        let transA, transB, accumulate: Bool
    }

    /// A compiled product for one shape, with the memory layouts its arguments are described by.
    final class Primitive: @unchecked Sendable {
        let handle: dnnl_primitive_t
        let a, b, c, scratchpad: dnnl_memory_desc_t
        let scratchpadBytes: Int

        init(handle: dnnl_primitive_t, a: dnnl_memory_desc_t, b: dnnl_memory_desc_t, c: dnnl_memory_desc_t,
             scratchpad: dnnl_memory_desc_t, scratchpadBytes: Int) {
            (self.handle, self.a, self.b, self.c, self.scratchpad) = (handle, a, b, c, scratchpad)
            self.scratchpadBytes = scratchpadBytes
        }

        deinit { dnnl_primitive_destroy(handle) }
    }

    /// A stream handle; streams are not thread-safe, so each call borrows one.
    struct Stream: @unchecked Sendable { let handle: dnnl_stream_t }

    private let engine: dnnl_engine_t
    /// Per shape: the primitive, or nil where oneDNN declined the shape (OpenBLAS then does it).
    private let primitives = Mutex<[Shape: Primitive?]>([:])
    private let idleStreams = Mutex<[Stream]>([])
    /// Products computed so far (tests check that a path was really taken).
    let productCount = Atomic<Int>(0)
    /// libgomp's `omp_set_num_threads` (loaded with libdnnl): oneDNN would otherwise start an OpenMP team of every
    /// core inside each call, on top of the engine's own threads.
    private let setOpenMPThreads: (@convention(c) (Int32) -> Void)?

    private init?() {
        var engine: dnnl_engine_t?
        guard dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success, let engine else { return nil }
        self.engine = engine
        setOpenMPThreads = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "omp_set_num_threads")
            .map { unsafeBitCast($0, to: (@convention(c) (Int32) -> Void).self) }
    }

    /// `c = op(a)·op(b)` (or `c += …` when `shape.accumulate`), row-major. False when oneDNN cannot do this shape.
    func multiply(_ shape: Shape, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) -> Bool {
        guard let primitive = primitive(for: shape) else { return false }
        setOpenMPThreads?(1)
        let stream = idleStreams.withLock { $0.popLast() } ?? makeStream()
        guard let stream else { return false }
        defer { idleStreams.withLock { $0.append(stream) } }
        let alignment = 64
        return withUnsafeTemporaryAllocation(byteCount: max(primitive.scratchpadBytes, 1) + alignment,
                                             alignment: alignment) { scratch in
            var memories: [dnnl_memory_t?] = []
            defer { for memory in memories { dnnl_memory_destroy(memory) } }
            func memory(_ desc: dnnl_memory_desc_t, _ pointer: UnsafeMutableRawPointer) -> dnnl_memory_t? {
                var memory: dnnl_memory_t?
                let status = withUnsafePointer(to: desc) { dnnl_memory_create(&memory, $0, engine, pointer) }
                guard status == dnnl_success else { return nil }
                memories.append(memory)
                return memory
            }
            guard let ma = memory(primitive.a, UnsafeMutableRawPointer(mutating: a)),
                  let mb = memory(primitive.b, UnsafeMutableRawPointer(mutating: b)),
                  let mc = memory(primitive.c, UnsafeMutableRawPointer(c)),
                  let ms = memory(primitive.scratchpad, scratch.baseAddress!)
            else { return false }
            let args = [
                dnnl_exec_arg_t(arg: cdnnl_arg_src, memory: ma), dnnl_exec_arg_t(arg: cdnnl_arg_weights, memory: mb),
                dnnl_exec_arg_t(arg: cdnnl_arg_dst, memory: mc), dnnl_exec_arg_t(arg: cdnnl_arg_scratchpad, memory: ms),
            ]
            guard dnnl_primitive_execute(primitive.handle, stream.handle, Int32(args.count), args) == dnnl_success
            else { return false }
            productCount.add(1, ordering: .relaxed)
            return dnnl_stream_wait(stream.handle) == dnnl_success
        }
    }

    private func makeStream() -> Stream? {
        var stream: dnnl_stream_t?
        guard dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue) == dnnl_success, let stream else { return nil }
        return Stream(handle: stream)
    }

    private func primitive(for shape: Shape) -> Primitive? {
        if let cached = primitives.withLock({ $0[shape] }) { return cached }
        // Created outside the lock (JIT compilation takes ~0.1 ms); a racing thread may build the same one.
        let made = makePrimitive(shape)
        primitives.withLock { $0[shape] = made }
        return made
    }

    private func makePrimitive(_ s: Shape) -> Primitive? {
        // Logical row-major [rows, cols] matrices; a transposed operand is the same memory with swapped strides.
        func desc(rows: Int, cols: Int, ld: Int, transposed: Bool) -> dnnl_memory_desc_t? {
            var desc = dnnl_memory_desc_t()
            var dims = Self.dims(Int64(rows), Int64(cols))
            var strides = transposed ? Self.dims(1, Int64(ld)) : Self.dims(Int64(ld), 1)
            let status = withUnsafeMutablePointer(to: &dims) { d in
                withUnsafeMutablePointer(to: &strides) { st in
                    d.withMemoryRebound(to: Int64.self, capacity: 12) { d in
                        st.withMemoryRebound(to: Int64.self, capacity: 12) { st in
                            dnnl_memory_desc_init_by_strides(&desc, 2, d, dnnl_f32, st)
                        }
                    }
                }
            }
            return status == dnnl_success ? desc : nil
        }
        guard var a = desc(rows: s.m, cols: s.k, ld: s.lda, transposed: s.transA),
              var b = desc(rows: s.k, cols: s.n, ld: s.ldb, transposed: s.transB),
              var c = desc(rows: s.m, cols: s.n, ld: s.ldc, transposed: false) else { return nil }
        var operation = dnnl_matmul_desc_t()
        guard dnnl_matmul_desc_init(&operation, &a, &b, nil, &c) == dnnl_success else { return nil }
        var attributes: dnnl_primitive_attr_t?
        guard dnnl_primitive_attr_create(&attributes) == dnnl_success else { return nil }
        defer { dnnl_primitive_attr_destroy(attributes) }
        // Our own scratchpad per call: oneDNN's library-managed one is shared and not safe across threads.
        guard dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user) == dnnl_success
        else { return nil }
        if s.accumulate {
            var postOps: dnnl_post_ops_t?
            guard dnnl_post_ops_create(&postOps) == dnnl_success else { return nil }
            defer { dnnl_post_ops_destroy(postOps) }
            guard dnnl_post_ops_append_sum(postOps, 1) == dnnl_success,
                  dnnl_primitive_attr_set_post_ops(attributes, postOps) == dnnl_success else { return nil }
        }
        var descriptor: dnnl_primitive_desc_t?
        guard dnnl_primitive_desc_create(&descriptor, &operation, attributes, engine, nil) == dnnl_success,
              let descriptor else { return nil }
        defer { dnnl_primitive_desc_destroy(descriptor) }
        guard let scratchpad = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0)?.pointee
        else { return nil }
        var scratchpadCopy = scratchpad
        let scratchpadBytes = dnnl_memory_desc_get_size(&scratchpadCopy)
        var handle: dnnl_primitive_t?
        guard dnnl_primitive_create(&handle, descriptor) == dnnl_success, let handle else { return nil }
        return Primitive(handle: handle, a: a, b: b, c: c, scratchpad: scratchpad, scratchpadBytes: scratchpadBytes)
    }

    private static func dims(_ first: Int64, _ second: Int64) -> dnnl_dims_t {
        (first, second, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    }
}

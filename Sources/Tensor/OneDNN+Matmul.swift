import CDNNL

extension OneDNN {
    struct MatmulShape: Hashable {
        let m, n, k, lda, ldb, ldc: Int
        let transA, transB, accumulate: Bool
        /// A bias row added to every output row, inside the kernel (`multiply`'s `bias`).
        var biased = false
        /// tanh-GELU applied after the bias, inside the kernel (oneDNN's `gelu_tanh` post-op).
        var gelu = false
        /// `a` and `b` are bfloat16 (`c` and the bias stay fp32; products accumulate in fp32).
        var bf16 = false
    }

    /// `c = op(a)·op(b)` (or `c += …` when `shape.accumulate`; `+ bias` then GELU as the shape says), row-major.
    /// False when oneDNN cannot do this shape.
    func multiply(_ shape: MatmulShape, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                  bias: UnsafePointer<Float>? = nil) -> Bool {
        precondition(!shape.bf16, "fp32 operands for an fp32 shape")
        return multiply(shape, a: UnsafeRawPointer(a), b: UnsafeRawPointer(b), c: c, bias: bias)
    }

    /// As above with the operands in the shape's type (bfloat16 where `shape.bf16`).
    func multiply(_ shape: MatmulShape, a: UnsafeRawPointer, b: UnsafeRawPointer, c: UnsafeMutablePointer<Float>,
                  bias: UnsafePointer<Float>? = nil) -> Bool {
        precondition(shape.biased == (bias != nil), "a biased shape takes a bias, and only it")
        guard let primitive = cached(matmuls, shape, make: { makeMatmul(shape) }) else { return false }
        var arguments = [
            (cdnnl_arg_src, UnsafeMutableRawPointer(mutating: a)), (cdnnl_arg_weights, UnsafeMutableRawPointer(mutating: b)),
            (cdnnl_arg_dst, UnsafeMutableRawPointer(c)),
        ]
        if let bias { arguments.append((cdnnl_arg_bias, UnsafeMutableRawPointer(mutating: bias))) }
        let ok = execute(primitive, arguments)
        if ok, shape.bf16 { bf16ProductCount.add(1, ordering: .relaxed) }
        if ok { productCount.add(1, ordering: .relaxed) }
        return ok
    }

    /// Whether the matmul kernels apply a bias and GELU themselves, on the product while it is in registers. oneDNN
    /// 2.6 runs fp32 matmuls as brgemm kernels from AVX-512 on; below that (AVX2) it takes `gemm:jit`, which applies
    /// post-ops in a separate, slow pass: 1024×64·64×64 with `gelu_tanh` ran at 13 GFLOP/s there against 82 without
    /// (docs/performance.md), so on such CPUs the engine's own epilogue adds the bias and GELU.
    static var fusesMatmulPostOps: Bool { runsAVX512Kernels }

    /// Whether oneDNN compiles bf16 products and convolutions on this CPU (AVX512-BF16 or AMX).
    var supportsBF16: Bool {
        let product = MatmulShape(m: 64, n: 64, k: 64, lda: 64, ldb: 64, ldc: 64, transA: false, transB: false,
                                  accumulate: false, bf16: true)
        let convolution = ConvolutionShape(inRows: 8, width: 8, inChannels: 16, outRows: 8, outWidth: 8,
                                           outChannels: 16, kernelHeight: 3, kernelWidth: 3, stride: 1, padTop: 1,
                                           padBottom: 1, padLeft: 1, padRight: 1, bf16: true)
        return cached(matmuls, product, make: { makeMatmul(product) }) != nil && self.convolution(convolution) != nil
    }

    private func makeMatmul(_ s: MatmulShape) -> Primitive? {
        // Logical row-major [rows, cols] matrices; a transposed operand is the same memory with swapped strides.
        func desc(rows: Int, cols: Int, ld: Int, transposed: Bool, type: dnnl_data_type_t = dnnl_f32)
            -> dnnl_memory_desc_t? {
            var desc = dnnl_memory_desc_t()
            let strides: [Int64] = transposed ? [1, Int64(ld)] : [Int64(ld), 1]
            let status = dnnl_memory_desc_init_by_strides(&desc, 2, [Int64(rows), Int64(cols)], type, strides)
            return status == dnnl_success ? desc : nil
        }
        let operands = s.bf16 ? dnnl_bf16 : dnnl_f32
        guard var a = desc(rows: s.m, cols: s.k, ld: s.lda, transposed: s.transA, type: operands),
              var b = desc(rows: s.k, cols: s.n, ld: s.ldb, transposed: s.transB, type: operands),
              var c = desc(rows: s.m, cols: s.n, ld: s.ldc, transposed: false),
              var bias = desc(rows: 1, cols: s.n, ld: s.n, transposed: false) else { return nil }
        var operation = dnnl_matmul_desc_t()
        let status = s.biased
            ? dnnl_matmul_desc_init(&operation, &a, &b, &bias, &c) : dnnl_matmul_desc_init(&operation, &a, &b, nil, &c)
        guard status == dnnl_success else { return nil }
        return compile(&operation, queried: [
            (cdnnl_arg_src, dnnl_query_src_md), (cdnnl_arg_weights, dnnl_query_weights_md), (cdnnl_arg_dst, dnnl_query_dst_md),
        ], known: s.biased ? [cdnnl_arg_bias: bias] : [:]) { attributes in
            guard s.accumulate || s.gelu else { return true }
            var postOps: dnnl_post_ops_t?
            guard dnnl_post_ops_create(&postOps) == dnnl_success else { return false }
            defer { dnnl_post_ops_destroy(postOps) }
            if s.accumulate, dnnl_post_ops_append_sum(postOps, 1) != dnnl_success { return false }
            if s.gelu, dnnl_post_ops_append_eltwise(postOps, 1, dnnl_eltwise_gelu_tanh, 0, 0) != dnnl_success { return false }
            return dnnl_primitive_attr_set_post_ops(attributes, postOps) == dnnl_success
        }
    }
}

import CDNNL
import Synchronization

extension OneDNN {
    /// One band of output rows of a 'SAME' convolution (NHWC, one image): the input rows it reads and the zero
    /// rows/columns it pads with. Bands share a primitive unless they touch the top or bottom border.
    struct ConvolutionShape: Hashable {
        let inRows, width, inChannels, outRows, outWidth, outChannels: Int
        let kernelHeight, kernelWidth, stride: Int
        let padTop, padBottom, padLeft, padRight: Int
        /// Input and kernel in bfloat16 (the output stays fp32).
        var bf16 = false
    }

    /// A compiled direct convolution, with the layouts of the checkpoint's HWIO kernel and of the blocked kernel
    /// oneDNN's JIT code wants (the kernel is reordered into it once, `preparedWeights`).
    final class ConvolutionPrimitive: @unchecked Sendable {
        let primitive: Primitive
        let reorder: Primitive?
        /// The kernel layout oneDNN chose, as bytes: a cache key for the reordered copy.
        let weightsKey: LayoutKey
        let weightsBytes: Int
        let bf16: Bool

        init(primitive: Primitive, reorder: Primitive?, weightsKey: [UInt8], weightsBytes: Int, bf16: Bool) {
            (self.primitive, self.reorder, self.weightsKey, self.weightsBytes, self.bf16) =
                (primitive, reorder, LayoutKey(weightsKey), weightsBytes, bf16)
        }
    }

    /// Whether a direct convolution between these widths beats im2col + a matrix product on this CPU. From AVX-512
    /// on, oneDNN's `brgconv` won on every MAXIM shape (1.5–3×). Its AVX2 kernel (`jit:avx2`) wins on thin layers
    /// but not from 64 channels on (one thread: 64→64 at 128² 45 against 57 GFLOP/s, 128→128 at 64² 43 against 62;
    /// 48→48 at 64² 60 against 49; docs/performance.md).
    static func directConvolutionWins(inChannels: Int, outChannels: Int) -> Bool {
        runsAVX512Kernels || min(inChannels, outChannels) < 64
    }

    /// The primitive for `shape`, compiled on first use; nil where oneDNN declines it.
    func convolution(_ shape: ConvolutionShape) -> ConvolutionPrimitive? {
        cached(convolutions, shape, make: { makeConvolution(shape) })
    }

    /// `kernel` (HWIO) in the layout `p` wants, made once and kept on the kernel's storage, so it lives exactly
    /// as long as the checkpoint's tensor.
    func preparedWeights(_ p: ConvolutionPrimitive, kernel: Tensor) -> UnsafeMutableRawPointer? {
        let storage = kernel.storage
        guard let reorder = p.reorder else { return UnsafeMutableRawPointer(storage.base) }
        struct ReorderFailed: Error {}
        let kept = try? storage.derivedCopy(p.weightsKey, count: (p.weightsBytes + 3) / 4) { copy in
            guard execute(reorder, [(cdnnl_arg_from, UnsafeMutableRawPointer(storage.base)),
                                    (cdnnl_arg_to, UnsafeMutableRawPointer(copy.base))]) else { throw ReorderFailed() }
        }
        return kept.map { UnsafeMutableRawPointer($0.base) }
    }

    /// One band: `dst = conv(src, weights)`, `weights` from ``preparedWeights(_:kernel:)``, `src` in the shape's
    /// type (bfloat16 for a bf16 shape).
    func convolve(_ p: ConvolutionPrimitive, src: UnsafeRawPointer, weights: UnsafeMutableRawPointer,
                  dst: UnsafeMutablePointer<Float>) -> Bool {
        let ok = execute(p.primitive, [
            (cdnnl_arg_src, UnsafeMutableRawPointer(mutating: src)), (cdnnl_arg_weights, weights),
            (cdnnl_arg_dst, UnsafeMutableRawPointer(dst)),
        ])
        if ok, p.bf16 { bf16ConvolutionCount.add(1, ordering: .relaxed) }
        if ok { convolutionCount.add(1, ordering: .relaxed) }
        return ok
    }

    private func makeConvolution(_ s: ConvolutionShape) -> ConvolutionPrimitive? {
        func desc(_ dims: [Int64], _ tag: dnnl_format_tag_t, _ type: dnnl_data_type_t = dnnl_f32) -> dnnl_memory_desc_t? {
            var desc = dnnl_memory_desc_t()
            let status = dnnl_memory_desc_init_by_tag(&desc, Int32(dims.count), dims, type, tag)
            return status == dnnl_success ? desc : nil
        }
        // bf16: the checkpoint's fp32 HWIO kernel is converted by the same reorder that blocks it.
        let operands = s.bf16 ? dnnl_bf16 : dnnl_f32
        let weightDims = [s.outChannels, s.inChannels, s.kernelHeight, s.kernelWidth].map(Int64.init)
        guard var src = desc([1, s.inChannels, s.inRows, s.width].map(Int64.init), dnnl_nhwc, operands),
              var dst = desc([1, s.outChannels, s.outRows, s.outWidth].map(Int64.init), dnnl_nhwc),
              let user = desc(weightDims, dnnl_hwio),
              var chosen = desc(weightDims, dnnl_format_tag_any, operands) else { return nil }
        var operation = dnnl_convolution_desc_t()
        let status = dnnl_convolution_forward_desc_init(
            &operation, dnnl_forward_inference, dnnl_convolution_direct, &src, &chosen, nil, &dst,
            [Int64(s.stride), Int64(s.stride)], [Int64(s.padTop), Int64(s.padLeft)],
            [Int64(s.padBottom), Int64(s.padRight)])
        guard status == dnnl_success,
              let primitive = compile(&operation, queried: [
                  (cdnnl_arg_src, dnnl_query_src_md), (cdnnl_arg_weights, dnnl_query_weights_md),
                  (cdnnl_arg_dst, dnnl_query_dst_md),
              ]),
              var wanted = primitive.layouts[cdnnl_arg_weights] else { return nil }
        let key = withUnsafeBytes(of: wanted) { Array($0) }
        var plain = user
        let bytes = dnnl_memory_desc_get_size(&wanted)
        if dnnl_memory_desc_equal(&plain, &wanted) != 0 {
            return ConvolutionPrimitive(primitive: primitive, reorder: nil, weightsKey: key, weightsBytes: bytes,
                                       bf16: s.bf16)
        }
        guard let reorder = makeReorder(from: user, to: wanted) else { return nil }
        return ConvolutionPrimitive(primitive: primitive, reorder: reorder, weightsKey: key, weightsBytes: bytes,
                                   bf16: s.bf16)
    }

    private func makeReorder(from: dnnl_memory_desc_t, to: dnnl_memory_desc_t) -> Primitive? {
        var (from, to) = (from, to)
        return compile(queried: [], known: [cdnnl_arg_from: from, cdnnl_arg_to: to]) { descriptor, attributes in
            dnnl_reorder_primitive_desc_create(&descriptor, &from, engine, &to, engine, attributes)
        }
    }
}

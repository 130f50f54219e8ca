import CVectorKernels
#if canImport(Glibc)
import Glibc
#endif

/// Dense layers on thin rows (≤ 128 output channels; ≤ 64 input channels behind a LayerNorm or gate, otherwise up to
/// a 64 KiB packed kernel: every layer of a small model, the first levels of the official ones) through the AVX-512
/// or AVX2 kernel of `CVectorKernels`: LayerNorm or gate, product, bias, GELU and residuals in one pass with a row block in
/// registers. oneDNN takes ~60 µs for a 2730×12·12×24 chunk with GELU (26 GFLOP/s) and needs separate passes for the
/// normalisation and residuals (docs/performance.md).
public enum ThinDense {
    /// Fixed for the process, like `MatrixBackend.current`: needs AVX-512 or AVX2, stays off on the all-OpenBLAS path
    /// (`MAXIM_GEMM=openblas`), and `MAXIM_THIN_DENSE=off` turns it off for comparisons.
    static let enabled: Bool = {
        if let value = getenv("MAXIM_THIN_DENSE"), String(cString: value).lowercased() == "off" { return false }
        return MatrixBackend.current == .oneDNN && isAvailable
    }()

    /// Whether this CPU (and OS) runs the kernel at all: AVX-512, or AVX2 with FMA (each has its own variant).
    static let isAvailable = mv_thin_dense_available() != 0

    /// Whether the kernels run as their AVX-512 variant (the bf16 rounding has no other).
    static let isAVX512 = String(cString: mv_vector_isa_name()) == "avx512"

    /// The variant of the vector kernels this process runs ("avx512", "avx2"), or "off" where it takes the library
    /// paths instead; for benchmark reports.
    public static var instructionSet: String { enabled ? String(cString: mv_vector_isa_name()) : "off" }

    /// Sends this task's dense layers to the library path even where the kernel runs, so tests can compare both
    /// paths in one process (a task-local, unlike a global switch, cannot change paths under a concurrent test).
    @TaskLocal static var bypassed = false

    static var isUsed: Bool { enabled && !bypassed }

    /// Where a dense layer goes when the kernel could take it: to whichever path measured faster for its widths on
    /// this CPU (``beatsLibrary(inputWidths:outputs:)``), or always to one of them. A task-local, so tests can compare
    /// paths on any CPU: the fused mixes' bits with their separate operations on the kernel, and the fused mixes'
    /// library projection (which only AVX2 hosts pick) with the separate operations on the library.
    enum Routing: Sendable { case fastest, kernel, library }
    @TaskLocal static var routing = Routing.fastest

    /// Whether a dense layer of these widths that the kernel takes goes to it in this task: a plain layer, or the
    /// `in_project` inside a fused mix (which otherwise runs on the library's product, chunk by chunk).
    static func takesLayer(inputWidths: [Int], outputs: Int) -> Bool {
        guard isUsed else { return false }
        switch routing {
        case .fastest: return beatsLibrary(inputWidths: inputWidths, outputs: outputs)
        case .kernel: return true
        case .library: return false
        }
    }

    /// Whether a dense layer of these widths runs faster here than through the library path (oneDNN's product with
    /// the engine's LayerNorm and epilogue passes). Always with the AVX-512 variant. The AVX2 variant, with half
    /// the lanes and registers, won only on rows of whole vectors up to 16 channels in, 32 out (time per layer:
    /// 1.2–2.2× on the 8/16-channel denoiser) and lost from there on (12 channels: 0.5–1.0×, 24: 0.6–0.9×, 48 and
    /// more: 0.3–0.95×; docs/performance.md), also as the `in_project` of a fused mix (12 channels even, 24–64
    /// 0.7–1.0×).
    static func beatsLibrary(inputWidths: [Int], outputs: Int) -> Bool {
        if isAVX512 { return true }
        return outputs % 8 == 0 && outputs <= 32 && inputWidths.allSatisfy { $0 % 8 == 0 && $0 <= 16 }
    }

    /// One dense layer set up for the kernel, pointers at row 0; `compute` runs any range of its rows, so the layer
    /// is described once and every chunk of it only passes its rows.
    struct Layer {
        private var problem = mv_thin_dense_problem()

        /// nil where the kernel does not take the layer (too wide, too many inputs or residuals, another activation).
        /// `gate` is `[rows, Σ widths]`; strides are in floats.
        init?(
            inputs: [(UnsafePointer<Float>, stride: Int, width: Int)], outputs: Int,
            normalization: LayerNormParameters?, gate: UnsafePointer<Float>?, kernel: UnsafePointer<Float>,
            bias: UnsafePointer<Float>?, activation: Activation, residuals: [(UnsafePointer<Float>, stride: Int)],
            out: UnsafeMutablePointer<Float>
        ) {
            guard Layer.takes(inputs: inputs.count, channels: inputs.reduce(0) { $0 + $1.width }, outputs: outputs,
                              prologue: normalization != nil || gate != nil, activation: activation,
                              residuals: residuals.count) else { return nil }
            func slot<T>(_ values: [T], _ i: Int, _ empty: T) -> T { i < values.count ? values[i] : empty }
            problem.n = Int32(outputs)
            problem.input_count = Int32(inputs.count)
            let pointers = inputs.map { Optional($0.0) }, strides = inputs.map(\.stride), widths = inputs.map { Int32($0.width) }
            problem.inputs = (slot(pointers, 0, nil), slot(pointers, 1, nil), slot(pointers, 2, nil), slot(pointers, 3, nil))
            problem.input_strides = (slot(strides, 0, 0), slot(strides, 1, 0), slot(strides, 2, 0), slot(strides, 3, 0))
            problem.input_widths = (slot(widths, 0, 0), slot(widths, 1, 0), slot(widths, 2, 0), slot(widths, 3, 0))
            if let normalization {
                problem.norm_scale = UnsafePointer(normalization.scale.pointer)
                problem.norm_bias = UnsafePointer(normalization.bias.pointer)
                problem.norm_epsilon = normalization.epsilon
            }
            problem.gate = gate
            problem.kernel = kernel
            problem.bias = bias
            problem.gelu = activation == .gelu ? 1 : 0
            problem.residual_count = Int32(residuals.count)
            let res = residuals.map { Optional($0.0) }, resStrides = residuals.map(\.stride)
            problem.residuals = (slot(res, 0, nil), slot(res, 1, nil), slot(res, 2, nil), slot(res, 3, nil))
            problem.residual_strides = (slot(resStrides, 0, 0), slot(resStrides, 1, 0), slot(resStrides, 2, 0),
                                        slot(resStrides, 3, 0))
            problem.out = out
        }

        /// Whether the kernel takes a layer of `inputs` inputs of `channels` in all: a prologue (LayerNorm, gate)
        /// stages rows of at most MAX_K channels; the kernel is packed in whole vectors of outputs on the stack.
        static func takes(inputs: Int, channels k: Int, outputs: Int, prologue: Bool, activation: Activation,
                          residuals: Int) -> Bool {
            let paddedOutputs = (outputs + 15) / 16 * 16
            return inputs <= Int(MV_THIN_DENSE_MAX_INPUTS) && residuals <= Int(MV_THIN_DENSE_MAX_RESIDUALS)
                && outputs <= Int(MV_THIN_DENSE_MAX_N) && k * paddedOutputs <= Int(MV_THIN_DENSE_MAX_KERNEL)
                && (!prologue || k <= Int(MV_THIN_DENSE_MAX_K)) && (activation == .identity || activation == .gelu)
        }

        /// `out[rows] = act(prologue(concat(inputs[rows])) · kernel + bias) + Σ residuals[rows]`. The caller checked
        /// `isAvailable`.
        func compute(rows: Range<Int>) {
            withUnsafePointer(to: problem) { mv_thin_dense($0, rows.lowerBound, rows.upperBound) }
        }
    }
}

import CThinDense
#if canImport(Glibc)
import Glibc
#endif

/// Dense layers on thin rows (≤ 64 input, ≤ 128 output channels: every layer of a small model, the first levels of
/// the official ones) through the AVX-512 kernel of `CThinDense`: LayerNorm or gate, product, bias, GELU and
/// residuals in one pass with a row block in registers. oneDNN takes ~60 µs for a 2730×12·12×24 chunk with GELU
/// (26 GFLOP/s) and needs separate passes for the normalisation and residuals (docs/performance.md).
enum ThinDense {
    /// Fixed for the process, like `MatrixBackend.current`: needs AVX-512, stays off on the all-OpenBLAS path
    /// (`MAXIM_GEMM=openblas`), and `MAXIM_THIN_DENSE=off` turns it off for comparisons.
    static let enabled: Bool = {
        if let value = getenv("MAXIM_THIN_DENSE"), String(cString: value).lowercased() == "off" { return false }
        return MatrixBackend.current == .oneDNN && isAvailable
    }()

    /// Whether this CPU (and OS) runs the kernel at all.
    static let isAvailable = mv_thin_dense_available() != 0

    /// Sends this task's dense layers to the library path even where the kernel runs, so tests can compare both
    /// paths in one process (a task-local, unlike a global switch, cannot change paths under a concurrent test).
    @TaskLocal static var bypassed = false

    static var isUsed: Bool { enabled && !bypassed }

    static func fits(inputWidths: [Int], outputs: Int, residuals: Int, activation: Activation) -> Bool {
        inputWidths.count <= Int(MV_THIN_DENSE_MAX_INPUTS) && residuals <= Int(MV_THIN_DENSE_MAX_RESIDUALS)
            && inputWidths.reduce(0, +) <= Int(MV_THIN_DENSE_MAX_K) && outputs <= Int(MV_THIN_DENSE_MAX_N)
            && (activation == .identity || activation == .gelu)
    }

    /// `out[rows, outputs] = act(prologue(concat(inputs)) · kernel + bias) + Σ residuals`; every pointer is at the
    /// block's first row, strides in floats. The caller checked `isAvailable` and `fits`.
    static func run(
        rows: Int, outputs: Int, inputs: [(UnsafePointer<Float>, stride: Int, width: Int)],
        normalization: LayerNormParameters?, gate: UnsafePointer<Float>?, kernel: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, gelu: Bool, residuals: [(UnsafePointer<Float>, stride: Int)],
        out: UnsafeMutablePointer<Float>
    ) {
        func slot<T>(_ values: [T], _ i: Int, _ empty: T) -> T { i < values.count ? values[i] : empty }
        var p = mv_thin_dense_problem()
        p.rows = rows
        p.n = Int32(outputs)
        p.input_count = Int32(inputs.count)
        let pointers = inputs.map { Optional($0.0) }, strides = inputs.map(\.stride), widths = inputs.map { Int32($0.width) }
        p.inputs = (slot(pointers, 0, nil), slot(pointers, 1, nil), slot(pointers, 2, nil), slot(pointers, 3, nil))
        p.input_strides = (slot(strides, 0, 0), slot(strides, 1, 0), slot(strides, 2, 0), slot(strides, 3, 0))
        p.input_widths = (slot(widths, 0, 0), slot(widths, 1, 0), slot(widths, 2, 0), slot(widths, 3, 0))
        if let normalization {
            p.norm_scale = UnsafePointer(normalization.scale.pointer)
            p.norm_bias = UnsafePointer(normalization.bias.pointer)
            p.norm_epsilon = normalization.epsilon
        }
        p.gate = gate
        p.kernel = kernel
        p.bias = bias
        p.gelu = gelu ? 1 : 0
        p.residual_count = Int32(residuals.count)
        let res = residuals.map { Optional($0.0) }, resStrides = residuals.map(\.stride)
        p.residuals = (slot(res, 0, nil), slot(res, 1, nil), slot(res, 2, nil), slot(res, 3, nil))
        p.residual_strides = (slot(resStrides, 0, 0), slot(resStrides, 1, 0), slot(resStrides, 2, 0),
                              slot(resStrides, 3, 0))
        p.out = out
        mv_thin_dense(&p)
    }
}

import CVectorKernels
#if canImport(Glibc)
import Glibc
#endif

/// Pointwise nonlinearities of MAXIM, with the reference's exact flavours.
public enum Activation: Equatable, Sendable {
    case identity
    /// `jax.nn.gelu(approximate=True)`: the TANH approximation (flax `nn.gelu` default). The erf
    /// form differs by up to 4.7e-4, which the conformance tolerance detects.
    case gelu
    case relu
    /// `x >= 0 ? x : slope·x` (MAXIM uses slope 0.2).
    case leakyReLU(Float)
    /// `1 / (1 + exp(-x))`.
    case sigmoid

    /// The negative slope the narrow convolution kernel applies for this activation (1: none), or nil where it
    /// has none: it computes leaky ReLU as `max(x, slope·x)`, which equals this one only for slopes in [0, 1].
    var narrowConvSlope: Float? {
        switch self {
        case .identity: 1
        case .leakyReLU(let slope) where (0...1).contains(slope): slope
        default: nil
        }
    }

    @inline(__always)
    func apply(_ p: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .identity:
            return
        case .gelu:
            // The vector kernels' GELU where they run (not on the all-OpenBLAS path): the loop below divides
            // exactly and took 10 % of a deblur tile's time on AVX2 (docs/performance.md).
            if ThinDense.enabled { return mv_gelu_adding(p, nil, count) }
            for i in 0..<count { p[i] = VectorMath.gelu(p[i]) }
        case .relu:
            for i in 0..<count { p[i] = max(p[i], 0) }
        case .leakyReLU(let slope):
            for i in 0..<count { let v = p[i]; p[i] = v >= 0 ? v : slope * v }
        case .sigmoid:
            for i in 0..<count { p[i] = VectorMath.sigmoid(p[i]) }
        }
    }

    /// `p[i] = activation(p[i] + bias[i])`.
    @inline(__always)
    func applyAddingBias(_ p: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, count: Int) {
        switch self {
        case .identity:
            for i in 0..<count { p[i] += bias[i] }
        case .gelu:
            if ThinDense.enabled { return mv_gelu_adding(p, bias, count) }
            for i in 0..<count { p[i] = VectorMath.gelu(p[i] + bias[i]) }
        case .relu:
            for i in 0..<count { p[i] = max(p[i] + bias[i], 0) }
        case .leakyReLU(let slope):
            for i in 0..<count { let v = p[i] + bias[i]; p[i] = v >= 0 ? v : slope * v }
        case .sigmoid:
            for i in 0..<count { p[i] = VectorMath.sigmoid(p[i] + bias[i]) }
        }
    }

    /// `x·0.5·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`.
    @inline(__always)
    public static func gelu(_ x: Float) -> Float {
        let sqrt2OverPi: Float = 0.7978845608028654
        return x * 0.5 * (1 + tanhf(sqrt2OverPi * (x + 0.044715 * x * x * x)))
    }
}

import Foundation
import Testing
@testable import Tensor

/// The Winograd F(2×2, 3×3) path of 3×3 convolutions (AVX2 hosts from 48 channels; any vector-kernel host here).
@Suite(.enabled(if: ThinDense.enabled, "the vector kernels are off in this process"))
struct WinogradConvolutionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let shape: [Int]
        let outputs: Int
        let bias, residual: Bool
        let activation: Activation
        var testDescription: String { "\(shape) → \(outputs)\(bias ? " +bias" : "")\(residual ? " +res" : "") \(activation)" }
    }

    /// Odd and even sizes (tiles cut by the right and bottom edges), a batch of two, images of one pixel row, and
    /// 37 rows of 64 channels: two bands of tile rows.
    static let cases: [Case] = [
        Case(shape: [2, 5, 7, 8], outputs: 16, bias: true, residual: false, activation: .identity),
        Case(shape: [1, 6, 9, 16], outputs: 24, bias: false, residual: true, activation: .leakyReLU(0.2)),
        Case(shape: [1, 1, 11, 8], outputs: 16, bias: true, residual: true, activation: .identity),
        Case(shape: [1, 13, 4, 48], outputs: 48, bias: true, residual: false, activation: .gelu),
        Case(shape: [1, 37, 20, 64], outputs: 64, bias: true, residual: true, activation: .leakyReLU(0.2)),
    ]

    @Test(arguments: cases)
    func winogradMatchesAFloat64DirectSum(_ c: Case) {
        let x = pseudoRandom(c.shape, seed: 21), k = pseudoRandom([3, 3, c.shape[3], c.outputs], seed: 22)
        let bias = c.bias ? pseudoRandom([c.outputs], seed: 23) : nil
        let (n, h, w, cin) = (c.shape[0], c.shape[1], c.shape[2], c.shape[3])
        let residual = c.residual ? pseudoRandom([n, h, w, c.outputs], seed: 24) : nil
        let before = winogradConvolutionCount.load(ordering: .relaxed)
        let out = Winograd.$routing.withValue(.always) {
            x.conv2d(kernel: k, bias: bias, activation: c.activation, residuals: residual.map { [$0] } ?? [])
        }
        #expect(winogradConvolutionCount.load(ordering: .relaxed) > before, "the Winograd path ran")

        let rs = residual?.scalars
        let expected = naiveConv3x3(x, kernel: k, bias: bias).enumerated().map { i, s in
            Float(Self.activated(s, c.activation)) + (rs?[i] ?? 0)
        }
        // The transforms add and halve in fp32: a few ulp of the largest terms, not of each output.
        let scale = Float(cin * 9).squareRoot()
        expectClose(out, expected, rtol: 1e-6, atol: 2e-6 * scale)
    }

    static func activated(_ s: Double, _ activation: Activation) -> Double {
        switch activation {
        case .identity: return s
        case .leakyReLU(let slope): return s >= 0 ? s : Double(slope) * s
        case .gelu: return 0.5 * s * (1 + tanh(0.7978845608028654 * (s + 0.044715 * s * s * s)))
        default: preconditionFailure("not a case here")
        }
    }

    /// The routing: the same layer through Winograd and through oneDNN or im2col agree to rounding, and the
    /// fastest route takes Winograd exactly where oneDNN's kernels are not its AVX-512 ones (from 48 channels).
    @Test func winogradAgreesWithTheOtherPathsAndIsRoutedOnlyWhereItWins() {
        let x = pseudoRandom([1, 16, 24, 64], seed: 31), k = pseudoRandom([3, 3, 64, 64], seed: 32)
        let bias = pseudoRandom([64], seed: 33)
        let winograd = Winograd.$routing.withValue(.always) { x.conv2d(kernel: k, bias: bias) }
        let other = Winograd.$routing.withValue(.never) { x.conv2d(kernel: k, bias: bias) }
        expectClose(winograd, other, rtol: 1e-5, atol: 2e-5)
        #expect(Winograd.isUsed(inChannels: 64, outChannels: 64, bf16: false) == !OneDNN.runsAVX512Kernels)
        #expect(!Winograd.isUsed(inChannels: 32, outChannels: 32, bf16: false))
        #expect(!Winograd.isUsed(inChannels: 64, outChannels: 64, bf16: true))
        #expect(!Winograd.$routing.withValue(.always) { Winograd.isUsed(inChannels: 12, outChannels: 64, bf16: false) })
    }
}

import Testing
@testable import Tensor

/// oneDNN's direct convolution computes what the im2col path computes: same 'SAME' padding split, stride, bias,
/// activation and residual, across band borders; called directly, independent of the process-wide backend.
@Suite struct OneDNNConvolutionTests {
    struct Case: CustomStringConvertible, Sendable {
        var n = 1
        var h: Int
        var w: Int
        var cin: Int
        var cout: Int
        var k = 3
        var stride = 1
        var description: String { "\(n)×\(h)×\(w)×\(cin) → \(cout), \(k)×\(k) stride \(stride)" }
    }

    static let cases: [Case] = [
        Case(n: 2, h: 23, w: 17, cin: 5, cout: 7),     // two images, odd sizes
        Case(h: 32, w: 32, cin: 12, cout: 24),         // a thin MAXIM layer
        Case(h: 20, w: 256, cin: 8, cout: 64),         // 4 rows per band: top, interior and bottom bands
        Case(h: 16, w: 20, cin: 6, cout: 8, k: 4, stride: 2),
        Case(h: 9, w: 11, cin: 3, cout: 4, stride: 2), // odd size, stride 2
        Case(h: 12, w: 13, cin: 4, cout: 5, k: 4),     // even kernel: one row/column more padding after than before
    ]

    @Test(arguments: cases)
    func oneDNNMatchesIm2colWithBiasActivationAndResidual(_ c: Case) throws {
        let onednn = try #require(OneDNN.shared, "oneDNN did not start")
        let x = pseudoRandom([c.n, c.h, c.w, c.cin], seed: 21)
        let kernel = pseudoRandom([c.k, c.k, c.cin, c.cout], seed: 22)
        let bias = pseudoRandom([c.cout], seed: 23)
        let reference = x.convIm2col(kernel: kernel, bias: bias, stride: c.stride, activation: .gelu, residuals: [])
        let residual = pseudoRandom(reference.shape, seed: 24)
        let expected = x.convIm2col(kernel: kernel, bias: bias, stride: c.stride, activation: .gelu, residuals: [residual])
        let before = onednn.convolutionCount.load(ordering: .relaxed)
        let got = try #require(x.convOneDNN(onednn, kernel: kernel, bias: bias, stride: c.stride, activation: .gelu,
                                            residuals: [residual]))
        #expect(onednn.convolutionCount.load(ordering: .relaxed) > before)
        expectClose(got, expected, rtol: 1e-5, atol: 1e-5)
        // The blocked copy of the kernel is made once and reused.
        #expect(kernel.storage.derived.withLock { $0.count } <= 1)
    }
}

import Foundation
import Testing
@testable import Tensor

/// oneDNN and OpenBLAS compute the same products: every operand layout the engine hands to `sgemm` is checked
/// against a float64 reference, on the oneDNN path directly (independent of the process-wide backend).
@Suite struct MatrixBackendTests {
    struct Case: CustomStringConvertible, Sendable {
        var m, n, k: Int
        var transA = false, transB = false, accumulate = false
        /// Extra row stride beyond the packed width (channel slices, strided inputs).
        var padA = 0
        var description: String { "\(m)×\(k)·\(k)×\(n) tA \(transA) tB \(transB) acc \(accumulate) padA \(padA)" }
    }

    static let cases: [Case] = [
        Case(m: 2730, n: 24, k: 12),                      // a thin dense layer
        Case(m: 512, n: 12, k: 108),                      // a 3×3 convolution's im2col product
        Case(m: 1365, n: 48, k: 24, padA: 24),            // a dense layer on half of a tensor's channels
        Case(m: 64, n: 1008, k: 64, transA: true),        // spatial mixing: kernelᵀ · gathered pixels
        Case(m: 700, n: 96, k: 48, accumulate: true),     // a second input of a concatenated dense layer
        Case(m: 300, n: 40, k: 50, transB: true),
    ]

    @Test(arguments: cases)
    func oneDNNMatchesAFloat64Reference(_ c: Case) throws {
        let onednn = try #require(OneDNN.shared, "oneDNN did not start")
        var seed: UInt64 = 7
        func random() -> Float {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(seed >> 41) - (1 << 22)) / Float(1 << 22)
        }
        let lda = (c.transA ? c.m : c.k) + c.padA
        let aRows = c.transA ? c.k : c.m
        let ldb = c.transB ? c.k : c.n
        let bRows = c.transB ? c.n : c.k
        let a = (0..<(aRows * lda)).map { _ in random() }
        let b = (0..<(bRows * ldb)).map { _ in random() }
        let initial = (0..<(c.m * c.n)).map { _ in random() }
        var out = initial
        let before = onednn.productCount.load(ordering: .relaxed)
        let ok = a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { o in
                    onednn.multiply(
                        .init(m: c.m, n: c.n, k: c.k, lda: lda, ldb: ldb, ldc: c.n, transA: c.transA, transB: c.transB,
                              accumulate: c.accumulate),
                        a: a.baseAddress!, b: b.baseAddress!, c: o.baseAddress!)
                }
            }
        }
        #expect(ok)
        #expect(onednn.productCount.load(ordering: .relaxed) > before)
        var worst = 0.0, largest = 0.0
        for i in 0..<c.m {
            for j in 0..<c.n {
                var sum = c.accumulate ? Double(initial[i * c.n + j]) : 0
                for p in 0..<c.k {
                    let x = c.transA ? a[p * lda + i] : a[i * lda + p]
                    let y = c.transB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(x) * Double(y)
                }
                worst = max(worst, abs(Double(out[i * c.n + j]) - sum))
                largest = max(largest, abs(sum))
            }
        }
        #expect(worst <= 1e-5 * largest, "max error \(worst) of \(largest)")
    }

    @Test func thinProductsGoToOneDNNAndWideOrTinyOnesToOpenBLAS() {
        #expect(MatrixBackend.routesToOneDNN(m: 2730, n: 24, k: 12, backend: .oneDNN))
        #expect(MatrixBackend.routesToOneDNN(m: 512, n: 12, k: 108, backend: .oneDNN))
        #expect(!MatrixBackend.routesToOneDNN(m: 1024, n: 1024, k: 1024, backend: .oneDNN))
        #expect(!MatrixBackend.routesToOneDNN(m: 128, n: 64, k: 64, backend: .oneDNN))
        #expect(!MatrixBackend.routesToOneDNN(m: 2730, n: 24, k: 12, backend: .openBLAS))
    }

    /// The dense layers' fused form: bias and tanh-GELU inside oneDNN's kernel, as the reference computes them, where
    /// its kernels fuse them (AVX-512); elsewhere the call declines and writes nothing (the engine's epilogue adds them).
    @Test(arguments: [false, true])
    func biasAndGELUInsideTheProductMatchAFloat64Reference(gelu: Bool) throws {
        let (m, n, k) = (3000, 24, 12)  // above the size oneDNN is used from
        let a = pseudoRandom([m, k], seed: 31).scalars.map { $0 * 3 }, b = pseudoRandom([k, n], seed: 32).scalars
        let bias = pseudoRandom([n], seed: 33).scalars
        var out = [Float](repeating: .nan, count: m * n)
        let ok = a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                bias.withUnsafeBufferPointer { bias in
                    out.withUnsafeMutableBufferPointer { o in
                        sgemmAddingBias(m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n,
                                        bias: bias.baseAddress!, gelu: gelu, c: o.baseAddress!, ldc: n)
                    }
                }
            }
        }
        guard OneDNN.fusesMatmulPostOps else {
            #expect(!ok, "oneDNN's kernels here apply post-ops in a slow separate pass")
            let untouched = out.allSatisfy { $0.isNaN }
            #expect(untouched, "a declined product wrote its output")
            return
        }
        try #require(ok, "the product did not go to oneDNN")
        var worst = 0.0, largest = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var x = Double(bias[j])
                for p in 0..<k { x += Double(a[i * k + p]) * Double(b[p * n + j]) }
                let want = gelu ? 0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))) : x
                worst = max(worst, abs(Double(out[i * n + j]) - want))
                largest = max(largest, abs(want))
            }
        }
        #expect(worst <= 1e-5 * largest, "max error \(worst) of \(largest)")
    }
}

import Testing
@testable import Tensor

/// bf16 products compute what fp32 computes on operands rounded to bfloat16: the rounding is the only difference,
/// so each bf16 path is checked against the fp32 path run on pre-rounded operands (and shown to differ from the
/// fp32 path on the originals, so the bf16 kernels really ran).
@Suite(.enabled(if: ProductPrecision.bf16.unavailableReason == nil, "oneDNN has no bf16 kernels on this CPU"))
struct ProductPrecisionTests {
    /// `t` with every element rounded to the nearest bfloat16, as fp32.
    func rounded(_ t: Tensor) -> Tensor {
        Tensor(shape: t.shape, scalars: t.scalars.map { BF16.float(BF16.round($0)) })
    }

    @Test func roundingIsToNearestWithTiesToEven() {
        let one: UInt16 = 0x3F80
        #expect(BF16.round(1) == one)
        #expect(BF16.round(1 + 0x1p-8) == one)              // halfway to 1 + 2⁻⁷: ties to the even 1
        #expect(BF16.round(1 + 3 * 0x1p-8) == one + 2)      // halfway between 0x3F81 and 0x3F82: to the even
        #expect(BF16.round(1 + 0x1p-8 + 0x1p-20) == one + 1) // just past halfway: up
        #expect(BF16.round(-2.5) == 0xC020)
        #expect(BF16.round(.infinity) == 0x7F80)
        #expect(BF16.float(BF16.round(.nan)).isNaN)
        #expect(BF16.float(BF16.round(Float(bitPattern: 0x7F80_0001))).isNaN)  // a NaN whose low bits would carry
    }

    /// Both vector conversions (the AVX-512 kernel `convert` takes where the CPU has it, and the portable loop) give
    /// the scalar rounding's bits, strided rows, partial vectors, NaN, infinities and subnormals included.
    @Test(arguments: [false, true])
    func vectorConversionMatchesScalarRounding(portable: Bool) {
        let rows = 3, columns = 37, stride = 41
        var values = pseudoRandom([rows * stride], seed: 5).scalars.map { $0 * 1000 }
        values[3] = .nan
        values[20] = Float(bitPattern: 0x7F80_0001)
        values[5] = -.infinity
        values[44] = Float(bitPattern: 0x0001_8000)   // subnormal ties: rounded to even (up here), not flushed
        values[45] = -Float(bitPattern: 0x0002_8000)  // (down here)
        values[46] = 1 + 0x1p-8                       // a normal tie, to even (down)
        values[90] = Float(bitPattern: 0x7F7F_FFFF)   // the largest float rounds up to infinity
        var out = [UInt16](repeating: 0, count: rows * columns)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer {
                let convert = portable ? BF16.convertPortably : BF16.convert
                convert(src.baseAddress!, rows, columns, stride, $0.baseAddress!)
            }
        }
        for r in 0..<rows {
            for c in 0..<columns {
                let x = values[r * stride + c], got = out[r * columns + c]
                if x.isNaN { #expect(BF16.float(got).isNaN) } else { #expect(got == BF16.round(x), "row \(r) col \(c)") }
            }
        }
    }

    /// The library dense path (the thin kernel bypassed), with the fused bias and GELU and with two inputs whose
    /// products accumulate.
    @Test(arguments: [1, 2])
    func denseEqualsFP32OnRoundedOperands(inputs: Int) throws {
        let onednn = try #require(OneDNN.shared)
        let xs = (0..<inputs).map { pseudoRandom([1, 16, 20, 48], seed: 30 + UInt64($0)) }
        let kernel = pseudoRandom([48 * inputs, 96], seed: 40), bias = pseudoRandom([96], seed: 41)
        let before = onednn.bf16ProductCount.load(ordering: .relaxed)
        let (bf16, exact, onRounded) = ThinDense.$bypassed.withValue(true) {
            (Tensor.dense(xs, kernel: kernel.forProducts(in: .bf16), bias: bias, activation: .gelu),
             Tensor.dense(xs, kernel: kernel, bias: bias, activation: .gelu),
             Tensor.dense(xs.map(rounded), kernel: rounded(kernel), bias: bias, activation: .gelu))
        }
        #expect(onednn.bf16ProductCount.load(ordering: .relaxed) > before)
        expectClose(bf16, onRounded, rtol: 1e-5, atol: 1e-5)
        #expect(bf16.maxAbsDifference(exact) > 1e-3)
    }

    @Test func convolutionEqualsFP32OnRoundedOperands() throws {
        let onednn = try #require(OneDNN.shared)
        let x = pseudoRandom([1, 24, 40, 12], seed: 50)
        let kernel = pseudoRandom([3, 3, 12, 24], seed: 51), bias = pseudoRandom([24], seed: 52)
        let before = onednn.bf16ConvolutionCount.load(ordering: .relaxed)
        let bf16 = try #require(x.convOneDNN(onednn, kernel: kernel.forProducts(in: .bf16), bias: bias, stride: 1,
                                             activation: .gelu, residuals: []))
        #expect(onednn.bf16ConvolutionCount.load(ordering: .relaxed) > before)
        let onRounded = try #require(rounded(x).convOneDNN(onednn, kernel: rounded(kernel), bias: bias, stride: 1,
                                                           activation: .gelu, residuals: []))
        let exact = try #require(x.convOneDNN(onednn, kernel: kernel, bias: bias, stride: 1, activation: .gelu,
                                              residuals: []))
        expectClose(bf16, onRounded, rtol: 1e-5, atol: 1e-5)
        #expect(bf16.maxAbsDifference(exact) > 1e-3)
        // the fp32 and the bf16 blocked kernels are kept apart
        #expect(kernel.storage.derived.withLock { $0.count } == 2)
    }

    @Test(arguments: [true, false])
    func spatialMixingEqualsFP32OnRoundedOperands(grid: Bool) throws {
        let onednn = try #require(OneDNN.shared)
        let x = pseudoRandom([1, 32, 32, 16], seed: grid ? 60 : 61)
        let axis: SpatialMixAxis = grid ? .grid(height: 8, width: 8) : .block(height: 8, width: 8)
        let kernel = pseudoRandom([64, 64], seed: 62), bias = pseudoRandom([64], seed: 63)
        let before = onednn.bf16ProductCount.load(ordering: .relaxed)
        let bf16 = x.spatialMix(channels: 8..<16, axis: axis, kernel: kernel.forProducts(in: .bf16), bias: bias,
                                gate: 0..<8)
        #expect(onednn.bf16ProductCount.load(ordering: .relaxed) > before)
        // The gate multiplies after the product, so only the mixed channels are rounded.
        var gatedX = rounded(x)
        gatedX.withUnsafeMutableBufferPointer { values in
            for i in stride(from: 0, to: values.count, by: 16) {
                for c in 0..<8 { values[i + c] = x.scalars[i + c] }
            }
        }
        let onRounded = gatedX.spatialMix(channels: 8..<16, axis: axis, kernel: rounded(kernel), bias: bias, gate: 0..<8)
        let exact = x.spatialMix(channels: 8..<16, axis: axis, kernel: kernel, bias: bias, gate: 0..<8)
        expectClose(bf16, onRounded, rtol: 1e-5, atol: 1e-5)
        #expect(bf16.maxAbsDifference(exact) > 1e-3)
    }
}

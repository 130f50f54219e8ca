import Foundation
import Testing
@testable import Tensor

/// The thin dense kernel (AVX-512 or AVX2, whichever this CPU runs) against a float64 reference of what `Tensor.dense` means: concatenated (strided)
/// inputs, LayerNorm or gate, product, bias, tanh-GELU, then residuals — at row counts that leave partial row
/// blocks, groups and LayerNorm batches, and at channel counts that leave partial vectors.
@Suite(.enabled(if: ThinDense.isAvailable, "needs an AVX-512 or AVX2 CPU"))
struct ThinDenseTests {
    struct Case: CustomStringConvertible, Sendable {
        var rows: Int
        var widths: [Int]
        var outputs: Int
        var prologue = Prologue.none
        var bias = true
        var gelu = false
        var residuals = 0
        /// Extra floats between input rows (a channel slice of a wider tensor).
        var pad = 0
        enum Prologue: Sendable { case none, layerNorm, gate }
        var description: String {
            "\(rows) rows \(widths)→\(outputs) \(prologue) bias \(bias) gelu \(gelu) residuals \(residuals) pad \(pad)"
        }
    }

    static let cases: [Case] = [
        Case(rows: 2730, widths: [12], outputs: 24, prologue: .layerNorm, gelu: true),  // a MAB's input projection
        Case(rows: 1001, widths: [12], outputs: 12, residuals: 1, pad: 12),              // output projection of half
        Case(rows: 77, widths: [24], outputs: 48, prologue: .layerNorm, gelu: true, pad: 24),
        Case(rows: 53, widths: [48], outputs: 96, prologue: .layerNorm, gelu: true),
        Case(rows: 31, widths: [64], outputs: 128, residuals: 2),
        Case(rows: 45, widths: [20], outputs: 36, prologue: .gate, bias: false),
        Case(rows: 29, widths: [12, 12], outputs: 12, residuals: 1),                      // concatenated inputs
        Case(rows: 61, widths: [12, 12, 12, 12], outputs: 12, pad: 3),                    // four, partial groups
        Case(rows: 50, widths: [24, 24], outputs: 24, gelu: true, residuals: 1, pad: 5),  // GELU of the whole sum
        Case(rows: 41, widths: [48, 48, 48, 48], outputs: 48, residuals: 1),              // K = 192 > MAX_K
        Case(rows: 33, widths: [40], outputs: 20, prologue: .layerNorm, pad: 2),          // three-vector LayerNorm
        Case(rows: 19, widths: [3, 9, 5], outputs: 7, gelu: true, residuals: 2),          // GELU, then residuals
        Case(rows: 5, widths: [3], outputs: 3, prologue: .layerNorm),
        Case(rows: 24, widths: [16], outputs: 16, prologue: .layerNorm, bias: false),
        // LayerNorm of ≤ 8 channels, two rows per vector: a features-8 MAB's input projection, odd rows, strided rows.
        Case(rows: 2731, widths: [8], outputs: 16, prologue: .layerNorm, gelu: true),
        Case(rows: 39, widths: [8], outputs: 8, prologue: .layerNorm, pad: 8),
        Case(rows: 13, widths: [5], outputs: 9, prologue: .layerNorm, residuals: 1, pad: 3),
        // The block's stores for each count of residuals: GELU on the registers, then one; three; four.
        Case(rows: 37, widths: [16], outputs: 32, prologue: .layerNorm, gelu: true, residuals: 1),
        Case(rows: 23, widths: [8], outputs: 16, residuals: 3, pad: 4),
        Case(rows: 17, widths: [12], outputs: 20, residuals: 4),
    ]

    @Test(arguments: cases)
    func kernelMatchesAFloat64Reference(_ c: Case) throws {
        // One stream for all operands (not `pseudoRandom`'s per-tensor seeds): with the reference's one-pass float32
        // variance, a 3-channel row whose spread is small against its mean loses digits the float64 check would see.
        var seed = UInt64(c.rows * 131 + c.outputs)
        func random(_ shape: [Int], offset: Float = 0) -> Tensor {
            Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int(seed >> 41) - (1 << 22)) / Float(1 << 22) + offset
            })
        }
        let k = c.widths.reduce(0, +), n = c.outputs
        // Inputs with an offset, so the LayerNorm's mean matters.
        let inputTensors = c.widths.map { random([c.rows, $0 + c.pad], offset: 0.7) }
        let kernelTensor = random([k, n]), biasTensor = random([n]), gateTensor = random([c.rows, k])
        let scaleTensor = random([k], offset: 1), shiftTensor = random([k])
        let residualTensors = (0..<c.residuals).map { _ in random([c.rows, n + c.pad]) }
        let outTensor = Tensor(shape: [c.rows, n], repeating: .nan)
        let layer = try #require(ThinDense.Layer(
            inputs: zip(inputTensors, c.widths).map { (UnsafePointer($0.pointer), stride: $1 + c.pad, width: $1) },
            outputs: n,
            normalization: c.prologue == .layerNorm ? LayerNormParameters(scale: scaleTensor, bias: shiftTensor) : nil,
            gate: c.prologue == .gate ? UnsafePointer(gateTensor.pointer) : nil, kernel: UnsafePointer(kernelTensor.pointer),
            bias: c.bias ? UnsafePointer(biasTensor.pointer) : nil, activation: c.gelu ? .gelu : .identity,
            residuals: residualTensors.map { (UnsafePointer($0.pointer), stride: n + c.pad) }, out: outTensor.pointer))
        // In two row ranges, as the engine's chunks call it.
        layer.compute(rows: 0..<(c.rows / 3))
        layer.compute(rows: (c.rows / 3)..<c.rows)
        let inputs = inputTensors.map(\.scalars), residuals = residualTensors.map(\.scalars)
        let (kernel, bias, gate) = (kernelTensor.scalars, biasTensor.scalars, gateTensor.scalars)
        let (scale, shift, out) = (scaleTensor.scalars, shiftTensor.scalars, outTensor.scalars)

        var worst = 0.0, largest = 0.0
        for r in 0..<c.rows {
            var x = [Double]()
            for (i, width) in c.widths.enumerated() {
                x += (0..<width).map { Double(inputs[i][r * (width + c.pad) + $0]) }
            }
            switch c.prologue {
            case .none: break
            case .gate: x = x.enumerated().map { $1 * Double(gate[r * k + $0]) }
            case .layerNorm:
                let mean = x.reduce(0, +) / Double(k)
                let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(k)
                x = x.enumerated().map { ($1 - mean) / (variance + 1e-6).squareRoot() * Double(scale[$0]) + Double(shift[$0]) }
            }
            for j in 0..<n {
                var y = (0..<k).reduce(c.bias ? Double(bias[j]) : 0) { $0 + x[$1] * Double(kernel[$1 * n + j]) }
                if c.gelu { y = 0.5 * y * (1 + tanh(0.7978845608028654 * (y + 0.044715 * y * y * y))) }
                for res in residuals { y += Double(res[r * (n + c.pad) + j]) }
                worst = max(worst, abs(y - Double(out[r * n + j])))
                largest = max(largest, abs(y))
            }
        }
        #expect(worst <= 2e-6 * max(largest, 1), "\(c): worst error \(worst), largest |y| \(largest)")
    }

    /// The layers of a small model (a MAB's LayerNorm → 12→24 GELU projection, the gated 12→12 output projection with
    /// a strided residual, a concatenated 24+24→24 fusion) give the same tensors through the kernel and through the
    /// oneDNN/OpenBLAS path.
    @Test(.enabled(if: ThinDense.enabled, "the kernel is off in this process"))
    func denseLayersAgreeWithTheLibraryPath() {
        let x = pseudoRandom([2, 37, 45, 24], seed: 41), y = pseudoRandom([2, 37, 45, 24], seed: 42)
        let norm = LayerNormParameters(scale: pseudoRandom([12], seed: 43), bias: pseudoRandom([12], seed: 44))
        let up = pseudoRandom([12, 24], seed: 45), down = pseudoRandom([12, 12], seed: 46)
        let fuse = pseudoRandom([48, 24], seed: 47), bias24 = pseudoRandom([24], seed: 48)
        let bias12 = pseudoRandom([12], seed: 49), gate = pseudoRandom([2, 37, 45, 12], seed: 50)
        func layers() -> [Tensor] {
            [Tensor.dense([x.channels(0..<12)], kernel: up, bias: bias24, normalization: norm, activation: .gelu),
             Tensor.dense([x.channels(12..<24)], kernel: down, bias: bias12, gate: gate, residuals: [y.channels(0..<12)]),
             Tensor.dense([x, y], kernel: fuse, bias: nil, residuals: [x])]
        }
        let kernel = ThinDense.$routing.withValue(.kernel) { layers() }
        let library = ThinDense.$bypassed.withValue(true) { layers() }
        for (a, b) in zip(kernel, library) {
            expectClose(a, b, rtol: 2e-6, atol: 2e-6)
        }
    }

    /// LayerNorm of rows up to 64 channels (the gMLP halves: 6, 8, 12 and 24 channels; 1, 3, 40 and 64 at the edges
    /// of whole and partial vectors and of the two-rows-per-vector path for ≤ 8) through the kernel and through the Swift loop, with row counts that leave a partial
    /// eight-row batch and rows read from a wider tensor (a channel slice), in place too, as the spatial gMLP
    /// normalises its gathered block.
    @Test(.enabled(if: ThinDense.enabled, "the kernel is off in this process"), arguments: [1, 3, 6, 8, 12, 16, 24, 40, 64])
    func layerNormOfThinRowsAgreesWithTheSwiftLoop(channels: Int) {
        let rows = 37, stride = channels + 5
        let x = pseudoRandom([rows, stride], seed: UInt64(60 + channels))
        let scale = pseudoRandom([channels], seed: 70), bias = pseudoRandom([channels], seed: 71)
        func normalized(inPlace: Bool) -> Tensor {
            let out = Tensor(shape: [rows, channels], repeating: .nan)
            if inPlace {
                for r in 0..<rows { (out.pointer + r * channels).update(from: x.pointer + r * stride, count: channels) }
            }
            layerNormRows(inPlace ? UnsafePointer(out.pointer) : UnsafePointer(x.pointer), out.pointer, rows: rows,
                          channels: channels, stride: inPlace ? channels : stride, scale: scale.pointer,
                          bias: bias.pointer, epsilon: 1e-6)
            return out
        }
        let swift = ThinDense.$bypassed.withValue(true) { normalized(inPlace: false) }
        expectClose(normalized(inPlace: false), swift, rtol: 2e-6, atol: 2e-6)
        expectClose(normalized(inPlace: true), swift, rtol: 2e-6, atol: 2e-6)
    }
}

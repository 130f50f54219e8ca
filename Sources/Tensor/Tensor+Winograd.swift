import CVectorKernels
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// 3×3 convolutions as Winograd F(2×2, 3×3) products (`mv_winograd_*`): 2.25× fewer multiplications than the
/// direct sum, at the price of a transform on either side of the products and ~1 ulp more rounding (coefficients
/// ±1 and ½). Where oneDNN has only its AVX2 kernels they lost to it from 48 channels on: one thread, 48→48 at 72²
/// 2.0–2.4 ms against 3.3 for oneDNN's direct convolution, 64→64 at 128² 12–13 against 19–29 ms for im2col,
/// 128→128 at 64² 11–12 against 20–28 (`tools/bench/winograd.c`); at 32 channels they tie, at 16–24 the transforms
/// lose (the products are too thin for the library). AVX-512 hosts keep oneDNN's `brgconv`, near the matrix peak.
enum Winograd {
    /// Where a 3×3 convolution the transforms take goes: to whichever path measured faster here, or always to one.
    /// A task-local, so tests can compare the paths on any CPU.
    enum Routing: Sendable { case fastest, always, never }
    @TaskLocal static var routing = Routing.fastest

    /// `MAXIM_WINOGRAD=off` keeps every convolution on its other paths, for comparisons; fixed for the process.
    static let enabled: Bool = {
        guard let value = getenv("MAXIM_WINOGRAD") else { return true }
        return String(cString: value).lowercased() != "off"
    }()

    /// Whether a stride-1 3×3 convolution between these widths, with a kernel of this product precision, runs here.
    static func isUsed(inChannels: Int, outChannels: Int, bf16: Bool) -> Bool {
        guard enabled, ThinDense.enabled, !bf16, inChannels % 8 == 0, outChannels % 8 == 0,
              max(inChannels, outChannels) <= Int(MV_WINOGRAD_MAX_CHANNELS) else { return false }
        switch routing {
        case .fastest: return !OneDNN.runsAVX512Kernels && min(inChannels, outChannels) >= 48
        case .always: return true
        case .never: return false
        }
    }

    /// The derived-storage key of a kernel's transform (oneDNN's keys are ~1 KiB memory descriptors).
    static let kernelKey = LayoutKey(Array("winograd F(2x2,3x3)".utf8))
}

/// Convolutions run by `convWinograd` in this process, so tests can tell the path ran.
let winogradConvolutionCount = Atomic<Int>(0)

extension Tensor {
    /// This HWIO 3×3 kernel's Winograd transform `[16, in, out]`, made once and kept on the storage.
    var winogradKernel: UnsafePointer<Float> {
        UnsafePointer(storage.derivedCopy(Winograd.kernelKey, count: 16 * shape[2] * shape[3]) {
            mv_winograd_kernel(pointer, Int32(shape[2]), Int32(shape[3]), $0.base)
        }.base)
    }

    /// `conv2d` of a 3×3 kernel, stride 1, by Winograd F(2×2, 3×3): bands of tile rows (2 output rows each) whose
    /// transformed input, `[16, tiles, in]`, is about 512 KiB (measured best from 200 KiB to 512 KiB; 2 MiB was
    /// 10–30 % slower), each through its input transform, 16 products and the output transform with the bias, then
    /// the activation and residuals on its cache-hot output rows.
    func convWinograd(kernel: Tensor, bias: Tensor?, activation: Activation, residuals: [Tensor]) -> Tensor {
        let g = convGeometry(kernel: kernel, bias: bias, stride: 1)
        let (n, h, w, cin, cout) = (g.n, g.h, g.w, g.cin, g.cout)
        precondition(g.kh == 3 && g.kw == 3 && g.padTop == 1 && g.padLeft == 1, "Winograd takes 3×3 'SAME' kernels")
        let out = Tensor(uninitializedShape: [n, h, w, cout])
        for r in residuals { precondition(r.shape == out.shape, "conv residual \(r.shape) must match \(out.shape)") }
        OpProfiler.addFlops(2 * n * h * w * 9 * cin * cout)
        winogradConvolutionCount.add(1, ordering: .relaxed)
        let u = kernel.winogradKernel
        let tilesAcross = (w + 1) / 2, tileRows = (h + 1) / 2
        let rowsPerBand = max(1, min(tileRows, 8192 / max(1, tilesAcross * max(cin, cout))))
        let bands = (tileRows + rowsPerBand - 1) / rowsPerBand
        let x = pointer, o = out.pointer, b = bias.map { UnsafePointer($0.pointer) }
        let epilogue = Epilogue(bias: nil, activation: activation, residuals: residuals.map(\.pointer), channels: cout)
        let hasEpilogue = activation != .identity || !residuals.isEmpty
        ComputeThreads.forEach(chunks: n * bands) { job in
            let image = job / bands, t0 = (job % bands) * rowsPerBand, t1 = min(tileRows, t0 + rowsPerBand)
            let tiles = (t1 - t0) * tilesAcross
            // Planes one cache line past their size: sized to ~8192 floats, they would start 32 KiB apart, and the
            // 16 vectors a tile stores (and the output transform loads) would fall in one L1 set.
            let vPlane = tiles * cin + 16, mPlane = tiles * cout + 16
            let v = allocateScratch(16 * vPlane), m = allocateScratch(16 * mPlane)
            defer { freeScratch(v); freeScratch(m) }
            mv_winograd_input(x + image * h * w * cin, h, w, Int32(cin), t0, t1, v, vPlane)
            for xi in 0..<16 {
                sgemm(m: tiles, n: cout, k: cin, a: v + xi * vPlane, lda: cin, b: u + xi * cin * cout, ldb: cout,
                      beta: 0, c: m + xi * mPlane, ldc: cout)
            }
            let outImage = o + image * h * w * cout
            mv_winograd_output(m, mPlane, Int32(cout), b, t0, t1, h, w, outImage)
            if hasEpilogue {
                let y0 = 2 * t0, y1 = min(h, 2 * t1)
                epilogue.apply(outImage + y0 * w * cout, rows: (y1 - y0) * w, channels: cout,
                               rowOffset: (image * h + y0) * w)
            }
        }
        return out
    }
}

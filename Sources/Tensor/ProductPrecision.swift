import CDNNL
import CVectorKernels

/// The number format a model's library matrix products and convolutions compute in.
///
/// `bf16` rounds both operands of every product oneDNN computes (dense layers off the thin kernel, spatial mixing,
/// direct convolutions) to bfloat16 and accumulates in fp32; activations, normalisation, GELU and the engine's own
/// vector kernels (thin dense layers, narrow convolutions) stay fp32. It pays only where oneDNN has AMX
/// (`avx512_core_amx`): S-3 1.30× faster than fp32 on an AMX Xeon, while with AVX512-BF16 alone its bf16 kernels run
/// at half the fp32 rate and a model ~1.2–1.5× slower (docs/performance.md).
public enum ProductPrecision: String, Sendable, CaseIterable, CustomStringConvertible {
    case fp32
    case bf16

    public var description: String { rawValue }

    /// Why `self` cannot run on this machine (to follow "precision bf16: "), or nil where it can: bf16 needs oneDNN
    /// (not `MAXIM_GEMM=openblas`) with bf16 kernels for this CPU.
    public var unavailableReason: String? {
        guard self == .bf16 else { return nil }
        guard MatrixBackend.current == .oneDNN, let onednn = OneDNN.shared else {
            return "needs oneDNN (unset MAXIM_GEMM=openblas; Debian package libdnnl2)"
        }
        guard onednn.supportsBF16 else {
            return "oneDNN has no bf16 kernels for this CPU (they need AVX512-BF16 or AMX); use fp32"
        }
        return nil
    }
}

extension Tensor {
    /// The same weights, marked for products in `precision` (no copy; the bf16 copy is made on first use).
    public func forProducts(in precision: ProductPrecision) -> Tensor {
        var marked = self
        marked.productPrecision = precision
        return marked
    }

    /// Whether the products this tensor is a kernel of run in bf16.
    var bf16Products: Bool { productPrecision == .bf16 && MatrixBackend.current == .oneDNN }

    /// This tensor rounded to bfloat16 (`BF16.round`), made once and kept on the storage beside the oneDNN layouts.
    var bf16Copy: UnsafePointer<UInt16> {
        BF16.pointer(storage.derivedCopy(BF16.plainKey, count: (count + 1) / 2) {
            BF16.convert(UnsafePointer(storage.base), rows: 1, columns: count, stride: count,
                         to: UnsafeMutableRawPointer($0.base).assumingMemoryBound(to: UInt16.self))
        })
    }
}

/// bfloat16: the upper 16 bits of an fp32 (same exponent range, 8 significant bits).
enum BF16 {
    /// The derived-storage key of a tensor's plain (same layout) bf16 copy; oneDNN's layout keys are memory
    /// descriptors (~1 KiB), so a short key cannot collide with them.
    static let plainKey = LayoutKey(Array("bf16 plain".utf8))

    static func pointer(_ storage: TensorStorage) -> UnsafePointer<UInt16> {
        UnsafePointer(UnsafeMutableRawPointer(storage.base).assumingMemoryBound(to: UInt16.self))
    }

    /// `x` rounded to the nearest bfloat16, ties to even (as oneDNN's and the CPU's conversions); NaN stays NaN.
    @inline(__always)
    static func round(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        if x.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x40 }
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    static func float(_ b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

    /// `body` run on `rows × columns` floats (rows `stride` apart; one contiguous run by default) rounded into a
    /// dense bf16 matrix in scratch, which lives until `body` returns.
    static func withRounded<R>(_ src: UnsafePointer<Float>, rows: Int = 1, columns: Int, stride: Int? = nil,
                               _ body: (UnsafePointer<UInt16>) -> R) -> R {
        let scratch = allocateScratch((rows * columns + 1) / 2)
        defer { freeScratch(scratch) }
        let bits = UnsafeMutableRawPointer(scratch).assumingMemoryBound(to: UInt16.self)
        convert(src, rows: rows, columns: columns, stride: stride ?? columns, to: bits)
        return body(bits)
    }

    /// `rows × columns` floats, rows `stride` apart, rounded into a dense `rows × columns` bf16 matrix, with the
    /// bits of `round`. Every bf16 product rounds its activations so, once per call: the AVX-512 kernel, where the
    /// CPU has it (every CPU with bf16 kernels does), takes 1/27 of the portable loop's time, which was 40 % of a
    /// bf16 S-3 tile (docs/performance.md).
    static func convert(_ src: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int,
                        to dst: UnsafeMutablePointer<UInt16>) {
        if ThinDense.isAVX512 {
            mv_round_bf16(src, rows, columns, stride, dst)
        } else {
            convertPortably(src, rows: rows, columns: columns, stride: stride, to: dst)
        }
    }

    /// `convert` sixteen lanes at a time in Swift SIMD with integer rounding (AVX2 in the x86-64-v3 build).
    static func convertPortably(_ src: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int,
                                to dst: UnsafeMutablePointer<UInt16>) {
        let lanes = 16
        for r in 0..<rows {
            let s = UnsafeRawPointer(src + r * stride), d = dst + r * columns
            var c = 0
            while c + lanes <= columns {
                let bits = s.loadUnaligned(fromByteOffset: 4 * c, as: SIMD16<UInt32>.self)
                let rounded = (bits &+ 0x7FFF &+ ((bits &>> 16) & 1)) &>> 16
                // NaN (exponent all ones, mantissa non-zero) would round into infinity: keep it a quiet NaN.
                let nan = (bits & 0x7FFF_FFFF) .> 0x7F80_0000
                let kept = rounded.replacing(with: (bits &>> 16) | 0x40, where: nan)
                UnsafeMutableRawPointer(d + c).storeBytes(of: SIMD16<UInt16>(truncatingIfNeeded: kept),
                                                          as: SIMD16<UInt16>.self)
                c += lanes
            }
            while c < columns { d[c] = round(src[r * stride + c]); c += 1 }
        }
    }
}

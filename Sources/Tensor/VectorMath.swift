/// Transcendental functions for the activation epilogues, written as straight-line float code so
/// LLVM's loop vectoriser turns `for i in … { p[i] = f(p[i]) }` into SIMD code. glibc's
/// `tanhf`/`expf` are opaque scalar calls: with them GELU alone cost more than all matrix products.
enum VectorMath {
    /// `exp(x)`, Cephes polynomial (about 1 ulp on [-87, 88]); inputs are clamped to that range.
    @inline(__always)
    static func exp(_ input: Float) -> Float {
        let x = Swift.min(Swift.max(input, -87.3), 88.7)
        // Round x·log2(e) to nearest with the 1.5·2²³ trick; the integer sits in the low mantissa bits.
        let magic: Float = 12582912
        let shifted = madd(x, 1.44269504088896341, magic)
        let n = shifted - magic
        var r = madd(n, -0.693359375, x)
        r = madd(n, 2.12194440e-4, r)
        var p: Float = 1.9875691500e-4
        p = madd(p, r, 1.3981999507e-3)
        p = madd(p, r, 8.3334519073e-3)
        p = madd(p, r, 4.1665795894e-2)
        p = madd(p, r, 1.6666665459e-1)
        p = madd(p, r, 5.0000001201e-1)
        let y = madd(p, r * r, r + 1)
        let exponent = shifted.bitPattern &- magic.bitPattern
        return y * Float(bitPattern: (exponent &+ 127) &<< 23)
    }

    /// tanh-GELU written as `x · sigmoid(2z)` (identical to `x·½(1 + tanh z)`), which stays
    /// accurate in both tails where `1 + tanh z` would cancel.
    @inline(__always)
    static func gelu(_ x: Float) -> Float {
        let c: Float = 1.5957691216057308  // 2·√(2/π)
        let z = x * madd(x * x, 0.044715 * c, c)
        return x / (exp(0 - z) + 1)
    }

    /// `a·b + c`, fused where the build targets x86-64-v3 (one `vfmadd` instead of a multiply and an add; Swift
    /// does not contract on its own). The baseline build keeps two roundings: a fused call there would be libm's.
    @inline(__always)
    static func madd(_ a: Float, _ b: Float, _ c: Float) -> Float {
        #if MAXIM_X86_64_V3
        c.addingProduct(a, b)
        #else
        a * b + c
        #endif
    }

    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        1 / (exp(0 - x) + 1)
    }
}

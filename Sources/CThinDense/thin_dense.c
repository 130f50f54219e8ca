#include "thin_dense.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#include <string.h>

// Only these functions use AVX-512; the rest of the binary stays x86-64-v3 and the caller checks the CPU first.
#define KERNEL __attribute__((target("avx512f,avx512dq,fma")))
#define INLINE static inline __attribute__((always_inline))

int mv_thin_dense_available(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE)) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & bit_AVX512F) || !(b & bit_AVX512DQ)) return 0;
    unsigned lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    // The OS saves the SSE, AVX, opmask and both halves of the ZMM registers.
    return (lo & 0xE6) == 0xE6;
}

static inline __mmask16 mask_of(int count) { return count >= 16 ? 0xFFFF : (__mmask16)((1u << count) - 1); }

/// tanh-GELU, `x·½(1 + tanh z) = x / (1 + e^(−2z))` with `z = √(2/π)(x + 0.044715x³)`, written as `x / (1 + 2^t)`
/// with `t = −2z·log₂e`: the integer part of `t` goes to the exponent (scalef), its fraction `f ∈ [−½, ½]` through a
/// degree-5 near-minimax polynomial of `2^f` (relative error 2.3e-7 in float arithmetic, ~2 ulp); the division is a
/// reciprocal estimate refined by one Newton step (~2⁻²⁸). 18 vector operations where a Cephes `exp` (range
/// reduction in two parts, degree-7 polynomial) and a negation took 24: this loop is the floor of the thin layers.
/// `t` is clamped to ±120 so `1 + 2^t` and its reciprocal stay normal floats (GELU is `x` resp. `−0` beyond it).
KERNEL INLINE __m512 gelu_ps(__m512 x) {
    const float a = -2.3022082f;  // −2·√(2/π)·log₂e
    __m512 t = _mm512_mul_ps(x, _mm512_fmadd_ps(_mm512_mul_ps(x, x), _mm512_set1_ps(0.044715f * a), _mm512_set1_ps(a)));
    t = _mm512_min_ps(_mm512_max_ps(t, _mm512_set1_ps(-120.0f)), _mm512_set1_ps(120.0f));
    __m512 n = _mm512_roundscale_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 f = _mm512_sub_ps(t, n);
    __m512 p = _mm512_set1_ps(1.32764655e-3f);
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.67554189e-3f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.55071346e-2f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.40221202e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.93146944e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.00000012f));
    __m512 d = _mm512_add_ps(_mm512_scalef_ps(p, n), _mm512_set1_ps(1.0f));
    __m512 r = _mm512_rcp14_ps(d);
    r = _mm512_mul_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(2.0f)));
    return _mm512_mul_ps(x, r);
}

/// Rows are handled in groups of 24 (every row-block height below divides it): the group's prologue first, then its
/// products, then GELU over the group's outputs as one contiguous run of whole vectors.
#define GROUP 24

/// Row `row` of the concatenated (and gated) inputs into `dst`, zero-padded to whole vectors. Full-width stores
/// only: a later scalar load from a masked vector store cannot be forwarded and waits for the store to retire.
KERNEL INLINE void gather_row(const mv_thin_dense_problem *p, long row, int k, float *dst) {
    int offset = 0;
    for (int i = 0; i < p->input_count; i++) {
        const float *src = p->inputs[i] + row * p->input_strides[i];
        const int width = p->input_widths[i];
        if (offset == 0) {
            for (int c = 0; c < width; c += 16) _mm512_store_ps(dst + c, _mm512_maskz_loadu_ps(mask_of(width - c), src + c));
        } else {
            for (int c = 0; c < width; c++) dst[offset + c] = src[c];
        }
        offset += width;
    }
    // A second input was copied by scalars: zero the padding the first input's vector stores did not reach.
    if (p->input_count > 1)
        for (int c = offset; c < ((k + 15) & ~15); c++) dst[c] = 0;
    if (p->gate) {
        const float *g = p->gate + row * k;
        for (int c = 0; c < k; c += 16)
            _mm512_store_ps(dst + c, _mm512_mul_ps(_mm512_load_ps(dst + c), _mm512_maskz_loadu_ps(mask_of(k - c), g + c)));
    }
}

/// The sixteen lanes of each of eight vectors summed: row j's total in lane 4j, row j + 4's in lane 4j + 1.
/// A shuffle tree shared by the eight rows costs ~3 operations per row; a horizontal sum per row costs ~8.
KERNEL INLINE __m512 sum_lanes_8(const __m512 s[8]) {
    __m512 pairs[4];
    for (int i = 0; i < 4; i++)
        pairs[i] = _mm512_add_ps(_mm512_shuffle_f32x4(s[2 * i], s[2 * i + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                                 _mm512_shuffle_f32x4(s[2 * i], s[2 * i + 1], _MM_SHUFFLE(3, 2, 3, 2)));
    __m512 q[2];  // one 128-bit block per row
    for (int i = 0; i < 2; i++)
        q[i] = _mm512_add_ps(_mm512_shuffle_f32x4(pairs[2 * i], pairs[2 * i + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                             _mm512_shuffle_f32x4(pairs[2 * i], pairs[2 * i + 1], _MM_SHUFFLE(3, 1, 3, 1)));
    __m512 t = _mm512_add_ps(_mm512_unpacklo_ps(q[0], q[1]), _mm512_unpackhi_ps(q[0], q[1]));
    return _mm512_add_ps(t, _mm512_permute_ps(t, _MM_SHUFFLE(1, 0, 3, 2)));
}

/// LayerNorm (one-pass variance, as flax) of `count` ≤ 8 zero-padded rows of `a` (stride `kp`) in place.
KERNEL INLINE void layer_norm_rows(const float *norm_scale, const float *norm_bias, float epsilon, int k, int kp,
                                   float *a, int count) {
    __m512 sums[8], squares[8];
    for (int r = 0; r < 8; r++) {
        __m512 s = _mm512_setzero_ps(), q = _mm512_setzero_ps();
        if (r < count)
            for (int c = 0; c < kp; c += 16) {
                __m512 v = _mm512_load_ps(a + r * kp + c);
                s = _mm512_add_ps(s, v);
                q = _mm512_fmadd_ps(v, v, q);
            }
        sums[r] = s, squares[r] = q;
    }
    const __m512 inv = _mm512_set1_ps(1.0f / (float)k);
    __m512 mean = _mm512_mul_ps(sum_lanes_8(sums), inv);
    __m512 variance = _mm512_sub_ps(_mm512_mul_ps(sum_lanes_8(squares), inv), _mm512_mul_ps(mean, mean));
    variance = _mm512_max_ps(variance, _mm512_setzero_ps());
    __m512 rstd = _mm512_div_ps(_mm512_set1_ps(1.0f),
                                _mm512_sqrt_ps(_mm512_add_ps(variance, _mm512_set1_ps(epsilon))));
    for (int r = 0; r < count; r++) {
        __m512i lane = _mm512_set1_epi32(r < 4 ? 4 * r : 4 * (r - 4) + 1);
        __m512 m = _mm512_permutexvar_ps(lane, mean), rs = _mm512_permutexvar_ps(lane, rstd);
        for (int c = 0; c < kp; c += 16) {
            __mmask16 valid = mask_of(k - c);  // padding stays zero: (0 − mean)·0 + 0
            __m512 scale = _mm512_mul_ps(rs, _mm512_maskz_loadu_ps(valid, norm_scale + c));
            __m512 v = _mm512_sub_ps(_mm512_load_ps(a + r * kp + c), m);
            _mm512_store_ps(a + r * kp + c, _mm512_fmadd_ps(v, scale, _mm512_maskz_loadu_ps(valid, norm_bias + c)));
        }
    }
}

/// Rows `row ..< row + R` (their prologue rows `x`): products in R×NV accumulators (each kernel row loaded once
/// per R rows), bias, and — when no GELU follows — residuals on the registers before the one store. R and NV are
/// constants at every call, so the loops unroll and the accumulators stay in registers.
KERNEL INLINE void rows_block(const mv_thin_dense_problem *p, long row, int k, const float *const *x,
                              const float *packed, const float *bias, __mmask16 tail, const int R, const int NV) {
    __m512 acc[8][8];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++) acc[r][v] = _mm512_setzero_ps();
    for (int j = 0; j < k; j++) {
        __m512 w[8];
        for (int v = 0; v < NV; v++) w[v] = _mm512_load_ps(packed + (j * NV + v) * 16);
        for (int r = 0; r < R; r++) {
            __m512 xj = _mm512_set1_ps(x[r][j]);
            for (int v = 0; v < NV; v++) acc[r][v] = _mm512_fmadd_ps(xj, w[v], acc[r][v]);
        }
    }
    const int residuals = p->gelu ? 0 : p->residual_count;
    for (int r = 0; r < R; r++) {
        float *out = p->out + (row + r) * (long)p->n;
        for (int v = 0; v < NV; v++) {
            __mmask16 m = v == NV - 1 ? tail : 0xFFFF;
            __m512 y = acc[r][v];
            if (bias) y = _mm512_add_ps(y, _mm512_load_ps(bias + v * 16));
            for (int i = 0; i < residuals; i++)
                y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(m, p->residuals[i] + (row + r) * p->residual_strides[i] + v * 16));
            _mm512_mask_storeu_ps(out + v * 16, m, y);
        }
    }
}

/// GELU over rows `row ..< row + count` of the (dense) output in whole vectors — a 24-channel row would otherwise
/// spend a full GELU on its 8-lane tail — then the residuals, which must come after the activation.
KERNEL INLINE void finish_rows(const mv_thin_dense_problem *p, long row, long count) {
    if (!p->gelu) return;
    float *out = p->out + row * (long)p->n;
    const long total = count * p->n;
    for (long i = 0; i < total; i += 16) {
        __mmask16 m = mask_of((int)(total - i < 16 ? total - i : 16));
        _mm512_mask_storeu_ps(out + i, m, gelu_ps(_mm512_maskz_loadu_ps(m, out + i)));
    }
    for (int i = 0; i < p->residual_count; i++)
        for (long r = 0; r < count; r++) {
            float *o = out + r * p->n;
            const float *res = p->residuals[i] + (row + r) * p->residual_strides[i];
            for (int c = 0; c < p->n; c += 16) {
                __mmask16 m = mask_of(p->n - c);
                _mm512_mask_storeu_ps(o + c, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, o + c), _mm512_maskz_loadu_ps(m, res + c)));
            }
        }
}

/// The prologue rows of `row ..< row + count` (≤ GROUP): the input rows themselves when there is no prologue,
/// else rows of `a` (stride `kp`).
KERNEL INLINE void prologue(const mv_thin_dense_problem *p, long row, int count, int k, int kp, float *a,
                            const float **x) {
    if (p->input_count == 1 && !p->gate && !p->norm_scale) {
        for (int r = 0; r < count; r++) x[r] = p->inputs[0] + (row + r) * p->input_strides[0];
        return;
    }
    for (int r = 0; r < count; r++) {
        gather_row(p, row + r, k, a + r * kp);
        x[r] = a + r * kp;
    }
    if (p->norm_scale)
        for (int r = 0; r < count; r += 8)
            layer_norm_rows(p->norm_scale, p->norm_bias, p->norm_epsilon, k, kp, a + r * kp, count - r < 8 ? count - r : 8);
}

/// Row blocks sized so the R×NV accumulators and NV kernel vectors fit the 32 vector registers.
#define DEFINE_ROWS(NV, R)                                                                                       \
    KERNEL static void rows_##NV(const mv_thin_dense_problem *p, long begin, long end, int k, const float *packed, \
                                 const float *bias, __mmask16 tail) {                                            \
        const int kp = (k + 15) & ~15;                                                                           \
        float a[GROUP * MV_THIN_DENSE_MAX_K] __attribute__((aligned(64)));                                       \
        const float *x[GROUP];                                                                                   \
        for (long row = begin; row < end; row += GROUP) {                                                        \
            const int count = end - row < GROUP ? (int)(end - row) : GROUP;                                      \
            prologue(p, row, count, k, kp, a, x);                                                                \
            int r = 0;                                                                                           \
            for (; r + R <= count; r += R) rows_block(p, row + r, k, x + r, packed, bias, tail, R, NV);          \
            for (; r < count; r++) rows_block(p, row + r, k, x + r, packed, bias, tail, 1, NV);                  \
            finish_rows(p, row, count);                                                                          \
        }                                                                                                        \
    }
DEFINE_ROWS(1, 8)
DEFINE_ROWS(2, 6)
DEFINE_ROWS(3, 4)
DEFINE_ROWS(4, 4)
DEFINE_ROWS(5, 3)
DEFINE_ROWS(6, 3)
DEFINE_ROWS(7, 2)
DEFINE_ROWS(8, 2)

KERNEL void mv_thin_dense(const mv_thin_dense_problem *p, long begin, long end) {
    int k = 0;
    for (int i = 0; i < p->input_count; i++) k += p->input_widths[i];
    const int nv = (p->n + 15) / 16;
    // The kernel and bias padded to whole vectors, so the inner loop loads without masks.
    float packed[MV_THIN_DENSE_MAX_K * MV_THIN_DENSE_MAX_N] __attribute__((aligned(64)));
    float bias[MV_THIN_DENSE_MAX_N] __attribute__((aligned(64)));
    for (int j = 0; j < k; j++) {
        float *dst = packed + j * nv * 16;
        memcpy(dst, p->kernel + j * p->n, sizeof(float) * p->n);
        memset(dst + p->n, 0, sizeof(float) * (nv * 16 - p->n));
    }
    if (p->bias) {
        memcpy(bias, p->bias, sizeof(float) * p->n);
        memset(bias + p->n, 0, sizeof(float) * (nv * 16 - p->n));
    }
    const float *b = p->bias ? bias : NULL;
    __mmask16 tail = mask_of(p->n - (nv - 1) * 16);
    switch (nv) {
    case 1: rows_1(p, begin, end, k, packed, b, tail); break;
    case 2: rows_2(p, begin, end, k, packed, b, tail); break;
    case 3: rows_3(p, begin, end, k, packed, b, tail); break;
    case 4: rows_4(p, begin, end, k, packed, b, tail); break;
    case 5: rows_5(p, begin, end, k, packed, b, tail); break;
    case 6: rows_6(p, begin, end, k, packed, b, tail); break;
    case 7: rows_7(p, begin, end, k, packed, b, tail); break;
    default: rows_8(p, begin, end, k, packed, b, tail); break;
    }
}

KERNEL void mv_thin_layer_norm(const float *src, float *dst, long rows, int channels, long stride,
                               const float *scale, const float *bias, float epsilon) {
    // Eight rows at a time through the dense kernel's LayerNorm: copied into zero-padded vector rows, normalised
    // there (statistics of the eight by one shuffle tree), copied out.
    const __mmask16 cm = mask_of(channels);
    float a[8 * 16] __attribute__((aligned(64)));
    for (long r0 = 0; r0 < rows; r0 += 8) {
        const int count = rows - r0 < 8 ? (int)(rows - r0) : 8;
        for (int i = 0; i < count; i++)
            _mm512_store_ps(a + i * 16, _mm512_maskz_loadu_ps(cm, src + (r0 + i) * stride));
        layer_norm_rows(scale, bias, epsilon, channels, 16, a, count);
        for (int i = 0; i < count; i++) _mm512_mask_storeu_ps(dst + (r0 + i) * channels, cm, _mm512_load_ps(a + i * 16));
    }
}

#else  // no AVX-512 on this architecture: callers take the library GEMM path

int mv_thin_dense_available(void) { return 0; }
void mv_thin_dense(const mv_thin_dense_problem *problem, long begin, long end) { (void)problem, (void)begin, (void)end; }
void mv_thin_layer_norm(const float *src, float *dst, long rows, int channels, long stride, const float *scale,
                        const float *bias, float epsilon) {
    (void)src, (void)dst, (void)rows, (void)channels, (void)stride, (void)scale, (void)bias, (void)epsilon;
}

#endif

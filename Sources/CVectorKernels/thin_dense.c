// The dense kernel of the thin layers (LayerNorm or gate, products, bias, GELU, residuals in one pass) and its
// LayerNorm, which the spatial gather shares (`mv_copy_rows`).
#include "kernel_common.h"

#if defined(__x86_64__)
/// tanh-GELU, `x·½(1 + tanh z) = x / (1 + e^(−2z))` with `z = √(2/π)(x + 0.044715x³)`, written as `x / (1 + 2^t)`
/// with `t = −2z·log₂e`: `2^t = 2^⌊t⌋ · 2^f`, where `f = t − ⌊t⌋ ∈ [0, 1)` is one `vreduceps` and `scalef` applies
/// `2^⌊t⌋` from `t` itself (it floors its exponent operand); `2^f` is a degree-5 near-minimax polynomial (relative
/// error 1.6e-7 in float arithmetic); the division is a reciprocal estimate refined by one Newton step (~2⁻²⁸).
/// `t` comes from `x` clamped to ±10 by one `vrangeps` (|t| ≤ 126, so `1 + 2^t` and its reciprocal stay normal
/// floats; beyond it the factor is 1 resp. ≤ 2⁻¹²⁶, as good as the exact value in float). 15 vector operations,
/// where rounding `t` to nearest, subtracting and clamping `t` on both sides took 18: 4.6 → 3.9 ns per vector; this
/// loop is the floor of the thin layers.
KERNEL INLINE __m512 gelu_ps(__m512 x) {
    const float a = -2.3022082f;  // −2·√(2/π)·log₂e
    const __m512 xc = _mm512_range_ps(x, _mm512_set1_ps(10.0f), 2);  // smaller magnitude, x's sign
    __m512 t = _mm512_mul_ps(xc, _mm512_fmadd_ps(_mm512_mul_ps(xc, xc), _mm512_set1_ps(0.044715f * a), _mm512_set1_ps(a)));
    __m512 f = _mm512_reduce_ps(t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m512 p = _mm512_set1_ps(1.87765e-3f);
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(8.98917e-3f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.582646e-2f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.4015357e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.931531e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.9999994e-1f));
    __m512 d = _mm512_add_ps(_mm512_scalef_ps(p, t), _mm512_set1_ps(1.0f));
    __m512 r = _mm512_rcp14_ps(d);
    r = _mm512_mul_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(2.0f)));
    return _mm512_mul_ps(x, r);
}

/// Rows are handled in groups of 24 (every row-block height below divides it): the group's prologue first, then its
/// products, then GELU over the group's outputs as one contiguous run of whole vectors.
#define GROUP 24

/// Row `row` of the single gated input (input · gate) into `dst`, zero-padded to whole vectors. Full-width stores
/// only: a later scalar load from a masked vector store cannot be forwarded and waits for the store to retire.
KERNEL INLINE void gated_row(const mv_thin_dense_problem *p, long row, int k, float *dst) {
    const float *src = p->inputs[0] + row * p->input_strides[0], *g = p->gate + row * k;
    for (int c = 0; c < k; c += 16) {
        __mmask16 valid = mask_of(k - c);
        _mm512_store_ps(dst + c, _mm512_mul_ps(_mm512_maskz_loadu_ps(valid, src + c), _mm512_maskz_loadu_ps(valid, g + c)));
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

/// Where eight rows' statistics sit in the vectors `sum_lanes_8` and `sum_pairs_4` return: row r in lane 4r for
/// r < 4, in lane 4(r − 4) + 1 for r ≥ 4.
static inline int statistics_lane(int r) { return r < 4 ? 4 * r : 4 * (r - 4) + 1; }

/// Mean and 1/√(var + ε) of eight rows of `k` channels from their sums and sums of squares (one-pass variance, as
/// flax, clamped at 0). The reciprocal square root is the estimate (2⁻¹⁴) refined by one Newton step,
/// r·(1.5 − ½·v·r²), to within ~2 ulp: a square root and a division took ~30 cycles of latency per eight rows
/// (LayerNorm of 12 channels 4.5 → 4.2 ns per row, of 48 channels 9.9 → 9.0).
KERNEL INLINE void row_statistics(__m512 sums, __m512 squares, int k, float epsilon, __m512 *mean, __m512 *rstd) {
    const __m512 inv = _mm512_set1_ps(1.0f / (float)k);
    *mean = _mm512_mul_ps(sums, inv);
    __m512 variance = _mm512_sub_ps(_mm512_mul_ps(squares, inv), _mm512_mul_ps(*mean, *mean));
    variance = _mm512_max_ps(variance, _mm512_setzero_ps());
    const __m512 shifted = _mm512_add_ps(variance, _mm512_set1_ps(epsilon));
    const __m512 r = _mm512_rsqrt14_ps(shifted);
    *rstd = _mm512_mul_ps(r, _mm512_fnmadd_ps(_mm512_mul_ps(_mm512_mul_ps(shifted, _mm512_set1_ps(0.5f)), r), r,
                                              _mm512_set1_ps(1.5f)));
}

/// A LayerNorm's rows are at most this many vectors wide.
#define LN_MAX_NV (MV_THIN_ROW_MAX_CHANNELS / 16)

/// LayerNorm (one-pass variance, as flax) of eight rows of `k` channels held in registers, `nv` vectors each, in
/// place. Lanes past `k` must be zero, and so must every lane of rows past the real ones; they stay zero. The eight
/// rows' statistics come from two shuffle trees and one refined vector reciprocal square root; each row then takes
/// one subtract and one multiply-add per vector. Rows kept in registers from load to store: a LayerNorm that stored
/// them and loaded them again per pass ran at less than half this speed, waiting on its own loads.
KERNEL INLINE void layer_norm_8(__m512 v[8][LN_MAX_NV], const int nv, int k, const __m512 *scale, const __m512 *bias,
                                float epsilon) {
    __m512 sums[8], squares[8];
    for (int r = 0; r < 8; r++) {
        sums[r] = v[r][0], squares[r] = _mm512_mul_ps(v[r][0], v[r][0]);
        for (int c = 1; c < nv; c++) {
            sums[r] = _mm512_add_ps(sums[r], v[r][c]);
            squares[r] = _mm512_fmadd_ps(v[r][c], v[r][c], squares[r]);
        }
    }
    __m512 mean, rstd;
    row_statistics(sum_lanes_8(sums), sum_lanes_8(squares), k, epsilon, &mean, &rstd);
    for (int r = 0; r < 8; r++) {
        __m512i lane = _mm512_set1_epi32(statistics_lane(r));
        __m512 m = _mm512_permutexvar_ps(lane, mean), rs = _mm512_permutexvar_ps(lane, rstd);
        for (int c = 0; c < nv; c++)  // padding: (0 − mean)·0 + 0
            v[r][c] = _mm512_fmadd_ps(_mm512_sub_ps(v[r][c], m), _mm512_mul_ps(rs, scale[c]), bias[c]);
    }
}

/// Copies, or LayerNorms when `scale` is set, `count` ≤ 8 rows of `k` ≤ 16·nv channels: row r from
/// `src + offsets[r]` (`src + r·src_stride` without offsets) to `dst + r·dst_stride`. `whole` stores every vector
/// of a row (zero past `k`: the padded, aligned rows of the dense kernel's prologue, whose later scalar loads are
/// forwarded only from whole-vector stores), otherwise only the `k` channels.
KERNEL INLINE void norm_rows(const float *src, const long *offsets, long src_stride, float *dst, long dst_stride,
                             int count, int k, const float *scale, const float *bias, float epsilon, int whole,
                             const int nv) {
    __m512 v[8][LN_MAX_NV], sv[LN_MAX_NV], bv[LN_MAX_NV];
    for (int r = 0; r < 8; r++) {
        const float *row = r < count ? src + (offsets ? offsets[r] : r * src_stride) : NULL;
        for (int c = 0; c < nv; c++)
            v[r][c] = row ? _mm512_maskz_loadu_ps(mask_of(k - 16 * c), row + 16 * c) : _mm512_setzero_ps();
    }
    if (scale) {
        for (int c = 0; c < nv; c++) {
            sv[c] = _mm512_maskz_loadu_ps(mask_of(k - 16 * c), scale + 16 * c);
            bv[c] = _mm512_maskz_loadu_ps(mask_of(k - 16 * c), bias + 16 * c);
        }
        layer_norm_8(v, nv, k, sv, bv, epsilon);
    }
    for (int r = 0; r < 8; r++)  // constant bounds: each v[r][c] stays a register
        for (int c = 0; c < nv; c++) {
            if (r >= count) break;
            if (whole) _mm512_store_ps(dst + r * dst_stride + 16 * c, v[r][c]);
            else _mm512_mask_storeu_ps(dst + r * dst_stride + 16 * c, mask_of(k - 16 * c), v[r][c]);
        }
}

/// `norm_rows` for each vector count, compiled apart: inlined side by side into one caller, the four shared one
/// stack array for their rows, and the LayerNorm ran from memory at half speed.
#define DEFINE_NORM_ROWS(NV)                                                                                     \
    KERNEL __attribute__((noinline)) static void norm_rows_##NV(                                                 \
        const float *src, const long *offsets, long src_stride, float *dst, long dst_stride, int count, int k,   \
        const float *scale, const float *bias, float epsilon, int whole) {                                       \
        norm_rows(src, offsets, src_stride, dst, dst_stride, count, k, scale, bias, epsilon, whole, NV);         \
    }
DEFINE_NORM_ROWS(1)
DEFINE_NORM_ROWS(2)
DEFINE_NORM_ROWS(3)
DEFINE_NORM_ROWS(4)

/// The eight row sums of four vectors holding two rows each (row 2m in lanes 0-7 of `s[m]`, row 2m + 1 in lanes
/// 8-15), in the lanes `sum_lanes_8` uses (`statistics_lane`).
KERNEL INLINE __m512 sum_pairs_4(const __m512 s[4]) {
    // One 128-bit lane per row: rows 0-3 in u, 4-7 in w, four partial sums each.
    const __m512 u = _mm512_add_ps(_mm512_shuffle_f32x4(s[0], s[1], _MM_SHUFFLE(2, 0, 2, 0)),
                                   _mm512_shuffle_f32x4(s[0], s[1], _MM_SHUFFLE(3, 1, 3, 1)));
    const __m512 w = _mm512_add_ps(_mm512_shuffle_f32x4(s[2], s[3], _MM_SHUFFLE(2, 0, 2, 0)),
                                   _mm512_shuffle_f32x4(s[2], s[3], _MM_SHUFFLE(3, 1, 3, 1)));
    const __m512 x = _mm512_add_ps(_mm512_unpacklo_ps(u, w), _mm512_unpackhi_ps(u, w));
    return _mm512_add_ps(x, _mm512_permute_ps(x, _MM_SHUFFLE(1, 0, 3, 2)));
}

/// LayerNorm of `count` ≤ 8 rows of k ≤ 8 channels (as `norm_rows`, same arguments) with two rows per vector: with
/// one row per vector, half of every vector is zero padding and the statistics and the normalisation take twice the
/// vector operations (LayerNorm of 8 channels was ~40 % of a features-8 model's `dense 8→16 LN gelu`).
KERNEL __attribute__((noinline)) static void norm_row_pairs(const float *src, const long *offsets, long src_stride,
                                                            float *dst, long dst_stride, int count, int k,
                                                            const float *scale, const float *bias, float epsilon,
                                                            int whole) {
    const __mmask16 lo = mask_of(k), hi = (__mmask16)(lo << 8);
    __m512 v[4], squares[4];
    for (int m = 0; m < 4; m++) {
        const int a = 2 * m, b = 2 * m + 1;
        __m512 x = _mm512_setzero_ps();
        if (a < count) x = _mm512_maskz_loadu_ps(lo, src + (offsets ? offsets[a] : a * src_stride));
        // Lanes 8-15 from 8 floats before row b: only its first k floats are read.
        if (b < count) x = _mm512_mask_loadu_ps(x, hi, src + (offsets ? offsets[b] : b * src_stride) - 8);
        v[m] = x;
        squares[m] = _mm512_mul_ps(x, x);
    }
    __m512 mean, rstd;
    row_statistics(sum_pairs_4(v), sum_pairs_4(squares), k, epsilon, &mean, &rstd);
    const __m512 sv = _mm512_mask_loadu_ps(_mm512_maskz_loadu_ps(lo, scale), hi, scale - 8);
    const __m512 bv = _mm512_mask_loadu_ps(_mm512_maskz_loadu_ps(lo, bias), hi, bias - 8);
    for (int m = 0; m < 4; m++) {
        // Lanes 0-7 take row 2m's statistics, 8-15 row 2m + 1's.
        const __m512i lane = _mm512_mask_blend_epi32(0xFF00, _mm512_set1_epi32(statistics_lane(2 * m)),
                                                     _mm512_set1_epi32(statistics_lane(2 * m + 1)));
        const __m512 mm = _mm512_permutexvar_ps(lane, mean), rs = _mm512_permutexvar_ps(lane, rstd);
        const __m512 y = _mm512_fmadd_ps(_mm512_sub_ps(v[m], mm), _mm512_mul_ps(rs, sv), bv);  // padding stays 0
        float *row_a = dst + 2 * m * dst_stride, *row_b = row_a + dst_stride;
        if (2 * m < count) {
            if (whole) _mm512_storeu_ps(row_a, _mm512_maskz_mov_ps(0x00FF, y));
            else _mm512_mask_storeu_ps(row_a, lo, y);
        }
        if (2 * m + 1 < count) {
            if (whole) _mm512_storeu_ps(row_b, _mm512_shuffle_f32x4(y, _mm512_setzero_ps(), _MM_SHUFFLE(0, 0, 3, 2)));
            else _mm512_mask_storeu_ps(row_b - 8, hi, y);
        }
    }
}

/// `norm_rows` with the vector count `(k + 15) / 16` (≤ LN_MAX_NV).
KERNEL INLINE void copy_rows(const float *src, const long *offsets, long src_stride, float *dst, long dst_stride,
                             int count, int k, const float *scale, const float *bias, float epsilon, int whole) {
    switch ((k + 15) / 16) {
    case 1:
        if (scale && k <= 8) norm_row_pairs(src, offsets, src_stride, dst, dst_stride, count, k, scale, bias, epsilon, whole);
        else norm_rows_1(src, offsets, src_stride, dst, dst_stride, count, k, scale, bias, epsilon, whole);
        break;
    case 2: norm_rows_2(src, offsets, src_stride, dst, dst_stride, count, k, scale, bias, epsilon, whole); break;
    case 3: norm_rows_3(src, offsets, src_stride, dst, dst_stride, count, k, scale, bias, epsilon, whole); break;
    default: norm_rows_4(src, offsets, src_stride, dst, dst_stride, count, k, scale, bias, epsilon, whole); break;
    }
}

/// Outputs of whole vectors take their GELU (and then the residuals) in `rows_block`, on the registers before the
/// one store; a partial last vector waits for `finish_rows`, which runs GELU over the stored rows as one run.
KERNEL INLINE int gelu_in_registers(const mv_thin_dense_problem *p) { return p->gelu && p->n % 16 == 0; }

/// The block's stores: GELU where it runs on the registers, then `RES` residuals, each output vector stored once.
/// `RES`, R and NV are constants, so the loops unroll with the accumulators in registers (as a loop over the rows
/// with a runtime count of residuals, they went through the stack: 8→16 with LayerNorm and GELU 9.9 → 9.2 ns per
/// row, 32→64 50 → 48 ns).
KERNEL INLINE void store_block(const mv_thin_dense_problem *p, long row, __m512 acc[8][8], __mmask16 tail,
                               int gelu_here, const int RES, const int R, const int NV) {
    const long n = p->n;
    float *const out = p->out + row * n;
    const float *residual[MV_THIN_DENSE_MAX_RESIDUALS];
    for (int i = 0; i < RES; i++) residual[i] = p->residuals[i] + row * p->residual_strides[i];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++) {
            const __mmask16 m = v == NV - 1 ? tail : 0xFFFF;
            __m512 y = gelu_here ? gelu_ps(acc[r][v]) : acc[r][v];
            for (int i = 0; i < RES; i++)
                y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(m, residual[i] + r * p->residual_strides[i] + v * 16));
            _mm512_mask_storeu_ps(out + r * n + v * 16, m, y);
        }
}

/// Rows `row ..< row + R` against the kernel rows `packed`: input i's rows are `x[i·GROUP + r]` (`widths[i]`
/// channels; the prologue rows for a single input), its products follow the previous input's in the same R×NV
/// accumulators (each kernel row loaded once per R rows), the bias added after the first input's products; then —
/// when no GELU follows — the residuals, on the registers before the one store. `inputs`, R and NV are constants at
/// the single-input call, R and NV at every call, so the loops unroll and the accumulators stay in registers.
KERNEL INLINE void rows_block(const mv_thin_dense_problem *p, long row, int inputs, const int *widths,
                              const float *const *x, const float *packed, const float *bias, __mmask16 tail,
                              const int R, const int NV) {
    __m512 acc[8][8];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++) acc[r][v] = _mm512_setzero_ps();
    const float *kernel = packed;
    for (int i = 0; i < inputs; i++) {
        const float *const *xi = x + i * GROUP;
        for (int j = 0; j < widths[i]; j++) {
            __m512 w[8];
            for (int v = 0; v < NV; v++) w[v] = _mm512_load_ps(kernel + (j * NV + v) * 16);
            for (int r = 0; r < R; r++) {
                __m512 xj = _mm512_set1_ps(xi[r][j]);
                for (int v = 0; v < NV; v++) acc[r][v] = _mm512_fmadd_ps(xj, w[v], acc[r][v]);
            }
        }
        kernel += widths[i] * NV * 16;
        if (i == 0 && bias)
            for (int r = 0; r < R; r++)
                for (int v = 0; v < NV; v++) acc[r][v] = _mm512_add_ps(acc[r][v], _mm512_load_ps(bias + v * 16));
    }
    const int gelu_here = gelu_in_registers(p);
    switch (p->gelu && !gelu_here ? 0 : p->residual_count) {
    case 0: store_block(p, row, acc, tail, gelu_here, 0, R, NV); break;
    case 1: store_block(p, row, acc, tail, gelu_here, 1, R, NV); break;
    case 2: store_block(p, row, acc, tail, gelu_here, 2, R, NV); break;
    case 3: store_block(p, row, acc, tail, gelu_here, 3, R, NV); break;
    default: store_block(p, row, acc, tail, gelu_here, 4, R, NV); break;
    }
}

/// GELU over rows `row ..< row + count` of the (dense) output in whole vectors — a 24-channel row would otherwise
/// spend a full GELU on its 8-lane tail — then the residuals, which must come after the activation. Rows of whole
/// vectors had both in `rows_block`.
KERNEL INLINE void finish_rows(const mv_thin_dense_problem *p, long row, long count) {
    if (!p->gelu || gelu_in_registers(p)) return;
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


/// Rows `row ..< row + count` in blocks of R rows (then single rows); `inputs` and `widths` as in `rows_block`.
KERNEL INLINE void rows_blocks(const mv_thin_dense_problem *p, long row, int count, int inputs, const int *widths,
                               const float **x, const float *packed, const float *bias, __mmask16 tail, const int R,
                               const int NV) {
    int r = 0;
    for (; r + R <= count; r += R) rows_block(p, row + r, inputs, widths, x + r, packed, bias, tail, R, NV);
    for (; r < count; r++) rows_block(p, row + r, inputs, widths, x + r, packed, bias, tail, 1, NV);
}

/// Several inputs are never concatenated: each input's rows are read in place, and its products run after the
/// previous input's in the same accumulators (copying rows of 12-channel inputs side by side cost more than the
/// products; storing each input's partial sums and loading them back for the next cost 2×12→12 ~25 % more than
/// these register-resident sums). A single input keeps its own call with constant counts: through the loop over
/// inputs its layers measured 3–6 % slower.
#define DEFINE_ROWS(NV, R)                                                                                       \
    KERNEL static void rows_##NV(const mv_thin_dense_problem *p, long begin, long end, int k, const float *packed, \
                                 const float *bias, __mmask16 tail) {                                            \
        const int kp = (k + 15) & ~15;                                                                           \
        float a[GROUP * MV_THIN_DENSE_MAX_K] __attribute__((aligned(64)));                                       \
        const float *x[MV_THIN_DENSE_MAX_INPUTS * GROUP];                                                        \
        int widths[MV_THIN_DENSE_MAX_INPUTS];                                                                    \
        for (int i = 0; i < p->input_count; i++) widths[i] = p->input_widths[i];                                 \
        for (long row = begin; row < end; row += GROUP) {                                                        \
            const int count = end - row < GROUP ? (int)(end - row) : GROUP;                                      \
            if (p->input_count == 1) {                                                                           \
                thin_prologue(p, row, count, k, kp, a, x, gated_row, mv_copy_rows_avx512);                       \
                rows_blocks(p, row, count, 1, &k, x, packed, bias, tail, R, NV);                                 \
            } else {                                                                                             \
                for (int i = 0; i < p->input_count; i++)                                                         \
                    for (int r = 0; r < count; r++)                                                              \
                        x[i * GROUP + r] = p->inputs[i] + (row + r) * p->input_strides[i];                       \
                rows_blocks(p, row, count, p->input_count, widths, x, packed, bias, tail, R, NV);                \
            }                                                                                                    \
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

KERNEL void mv_thin_dense_avx512(const mv_thin_dense_problem *p, long begin, long end) {
    int k = 0;
    for (int i = 0; i < p->input_count; i++) k += p->input_widths[i];
    const int nv = (p->n + 15) / 16;
    // The kernel and bias padded to whole vectors, so the inner loop loads without masks.
    float packed[MV_THIN_DENSE_MAX_KERNEL] __attribute__((aligned(64)));
    float bias[MV_THIN_DENSE_MAX_N] __attribute__((aligned(64)));
    pack_padded_rows(p->kernel, k, p->n, nv * 16, packed);
    if (p->bias) pack_padded_rows(p->bias, 1, p->n, nv * 16, bias);
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

KERNEL void mv_thin_layer_norm_avx512(const float *src, float *dst, long rows, int channels, long stride,
                               const float *scale, const float *bias, float epsilon) {
    for (long r0 = 0; r0 < rows; r0 += 8)
        copy_rows(src + r0 * stride, NULL, stride, dst + r0 * channels, channels, rows - r0 < 8 ? (int)(rows - r0) : 8,
                  channels, scale, bias, epsilon, 0);
}

KERNEL void mv_copy_rows_avx512(const float *src, const long *offsets, long src_stride, float *dst, long dst_stride, int count,
                         int k, const float *scale, const float *bias, float epsilon, int whole) {
    copy_rows(src, offsets, src_stride, dst, dst_stride, count, k, scale, bias, epsilon, whole);
}

KERNEL void mv_gelu_adding_avx512(float *values, const float *bias, long count) {
    for (long i = 0; i < count; i += 16) {
        const __mmask16 valid = count - i < 16 ? mask_of((int)(count - i)) : (__mmask16)0xFFFF;
        __m512 x = _mm512_maskz_loadu_ps(valid, values + i);
        if (bias) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(valid, bias + i));
        _mm512_mask_storeu_ps(values + i, valid, gelu_ps(x));
    }
}

#endif

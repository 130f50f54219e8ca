// The thin dense kernel and its LayerNorm for AVX2 + FMA: `thin_dense.c`'s design (a block of rows in registers
// from the prologue to the one store; GELU and residuals on the registers) with 8-lane vectors and 16 registers.
// Each output's sum runs in the same order as there (products input by input, the bias after the first input's),
// so the products give the same bits on both ISAs; LayerNorm and GELU differ in the last bits (the LayerNorm's
// shifted sums and division, GELU's reciprocal estimate).
#include "avx2_common.h"

#if defined(__x86_64__)
AVX2_BEGIN

/// Rows are handled in groups of 24 (every row-block height below divides it), as in `thin_dense.c`.
#define GROUP 24

/// Copies, or LayerNorms when `scale` is set, `count` ≤ 8 rows of `k` ≤ 8·NV channels (as `mv_copy_rows_avx512`).
/// The statistics of the eight rows come from one shuffle tree and one vector square root and division; each
/// row is then read again from L1 for its normalisation (with 16 registers, eight rows of up to 64 channels do not
/// stay in registers as they do with AVX-512's 32). `whole` stores every vector of a row (zero past `k`).
INLINE2 void norm_rows(const float *src, const long *offsets, long src_stride, float *dst, long dst_stride, int count,
                       int k, const float *scale, const float *bias, float epsilon, int whole, const int NV) {
    const float *rows[8];
    for (int r = 0; r < 8; r++) rows[r] = r < count ? src + (offsets ? offsets[r] : r * src_stride) : NULL;
    if (!scale) {
        for (int r = 0; r < count; r++)
            for (int c = 0; c < NV; c++) {
                const __m256 v = load_n(rows[r] + 8 * c, k - 8 * c);
                if (whole) _mm256_storeu_ps(dst + r * dst_stride + 8 * c, v);
                else store_n(dst + r * dst_stride + 8 * c, v, k - 8 * c);
            }
        return;
    }
    // Sums of x − x₀ (x₀: the row's first channel; the padding lanes masked to 0): the one-pass variance of the
    // reference, on data shifted so that a row whose spread is small against its mean keeps its digits (the
    // unshifted sums lost up to 7e-6 of a 3.0 output on random 5-channel rows, against 2e-6 allowed).
    __m256 sums[8], squares[8];
    float first[8];
    for (int r = 0; r < 8; r++) {
        sums[r] = _mm256_setzero_ps(), squares[r] = _mm256_setzero_ps();
        first[r] = rows[r] ? rows[r][0] : 0.0f;
        if (!rows[r]) continue;
        const __m256 x0 = _mm256_set1_ps(first[r]);
        for (int c = 0; c < NV; c++) {
            __m256 d = _mm256_sub_ps(load_n(rows[r] + 8 * c, k - 8 * c), x0);
            if (k - 8 * c < 8) d = _mm256_and_ps(d, _mm256_castsi256_ps(lanes_mask(k - 8 * c)));
            sums[r] = _mm256_add_ps(sums[r], d);
            squares[r] = _mm256_fmadd_ps(d, d, squares[r]);
        }
    }
    __m256 mean, rstd;  // of the shifted rows
    row_statistics8(sum_lanes_8x8(sums), sum_lanes_8x8(squares), k, epsilon, &mean, &rstd);
    for (int r = 0; r < count; r++) {
        const __m256 x0 = _mm256_set1_ps(first[r]), m = lane_broadcast(mean, r), rs = lane_broadcast(rstd, r);
        for (int c = 0; c < NV; c++) {  // padding: anything · (rs · 0) + 0
            const __m256 v = _mm256_sub_ps(_mm256_sub_ps(load_n(rows[r] + 8 * c, k - 8 * c), x0), m);
            const __m256 sv = load_n(scale + 8 * c, k - 8 * c), bv = load_n(bias + 8 * c, k - 8 * c);
            const __m256 y = _mm256_fmadd_ps(v, _mm256_mul_ps(rs, sv), bv);
            if (whole) _mm256_storeu_ps(dst + r * dst_stride + 8 * c, y);
            else store_n(dst + r * dst_stride + 8 * c, y, k - 8 * c);
        }
    }
}

#define DEFINE_NORM_ROWS(NV)                                                                                     \
    __attribute__((noinline)) static void norm_rows_##NV(                                                        \
        const float *src, const long *offsets, long src_stride, float *dst, long dst_stride, int count, int k,   \
        const float *scale, const float *bias, float epsilon, int whole) {                                       \
        norm_rows(src, offsets, src_stride, dst, dst_stride, count, k, scale, bias, epsilon, whole, NV);         \
    }
DEFINE_NORM_ROWS(1)
DEFINE_NORM_ROWS(2)
DEFINE_NORM_ROWS(3)
DEFINE_NORM_ROWS(4)
DEFINE_NORM_ROWS(6)
DEFINE_NORM_ROWS(8)

void mv_copy_rows_avx2(const float *src, const long *offsets, long src_stride, float *dst, long dst_stride, int count,
                       int k, const float *scale, const float *bias, float epsilon, int whole) {
#define NORM_ROWS(NV) norm_rows_##NV(src, offsets, src_stride, dst, dst_stride, count, k, scale, bias, epsilon, whole)
    switch ((k + 7) / 8) {
    case 1: NORM_ROWS(1); break;
    case 2: NORM_ROWS(2); break;
    case 3: NORM_ROWS(3); break;
    case 4: NORM_ROWS(4); break;
    case 5:
    case 6: NORM_ROWS(6); break;
    default: NORM_ROWS(8); break;
    }
#undef NORM_ROWS
}

/// Row `row` of the single gated input (input · gate) into `dst`, zero-padded to whole vectors.
INLINE2 void gated_row(const mv_thin_dense_problem *p, long row, int k, float *dst) {
    const float *src = p->inputs[0] + row * p->input_strides[0], *g = p->gate + row * k;
    for (int c = 0; c < k; c += 8)
        _mm256_storeu_ps(dst + c, _mm256_mul_ps(load_n(src + c, k - c), load_n(g + c, k - c)));
}


/// Outputs of whole vectors take GELU (and then the residuals) on the registers; a partial last vector waits for
/// `finish_rows`.
INLINE2 int gelu_in_registers(const mv_thin_dense_problem *p) { return p->gelu && p->n % 8 == 0; }

/// The block's stores: GELU where it runs on the registers, then `RES` residuals, each output vector stored once.
/// `RES`, R and NVB are constants, so the loops unroll with the accumulators in registers (with a run-time count of
/// residuals they went through the stack, as `thin_dense.c` found for AVX-512).
INLINE2 void store_block(const mv_thin_dense_problem *p, long row, __m256 acc[8][4], int v0, int gelu_here,
                         const int RES, const int R, const int NVB) {
    const long n = p->n;
    float *const out = p->out + row * n;
    const float *residual[MV_THIN_DENSE_MAX_RESIDUALS];
    for (int i = 0; i < RES; i++) residual[i] = p->residuals[i] + row * p->residual_strides[i];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NVB; v++) {
            const int c = (v0 + v) * 8, valid = (int)n - c;
            __m256 y = gelu_here ? gelu8(acc[r][v]) : acc[r][v];
            for (int i = 0; i < RES; i++) y = _mm256_add_ps(y, load_n(residual[i] + r * p->residual_strides[i] + c, valid));
            store_n(out + r * n + c, y, valid);
        }
}

/// Rows `row ..< row + R` for the output vectors `v0 ..< v0 + NVB` of `nvp` (a column block: R·NVB accumulators fit
/// the 16 registers where all of a wide layer's outputs would not), inputs as in `thin_dense.c`'s `rows_block`.
INLINE2 void rows_block(const mv_thin_dense_problem *p, long row, int inputs, const int *widths,
                        const float *const *x, const float *packed, const float *bias, int nvp, int v0, const int R,
                        const int NVB) {
    __m256 acc[8][4];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NVB; v++) acc[r][v] = _mm256_setzero_ps();
    const float *kernel = packed + v0 * 8;
    for (int i = 0; i < inputs; i++) {
        const float *const *xi = x + i * GROUP;
        for (int j = 0; j < widths[i]; j++) {
            const float *w = kernel + (long)j * nvp * 8;
            for (int r = 0; r < R; r++) {
                const __m256 xj = _mm256_broadcast_ss(xi[r] + j);
                for (int v = 0; v < NVB; v++) acc[r][v] = _mm256_fmadd_ps(xj, _mm256_load_ps(w + 8 * v), acc[r][v]);
            }
        }
        kernel += (long)widths[i] * nvp * 8;
        if (i == 0 && bias)
            for (int r = 0; r < R; r++)
                for (int v = 0; v < NVB; v++) acc[r][v] = _mm256_add_ps(acc[r][v], _mm256_load_ps(bias + (v0 + v) * 8));
    }
    const int gelu_here = gelu_in_registers(p);
    switch (p->gelu && !gelu_here ? 0 : p->residual_count) {
    case 0: store_block(p, row, acc, v0, gelu_here, 0, R, NVB); break;
    case 1: store_block(p, row, acc, v0, gelu_here, 1, R, NVB); break;
    case 2: store_block(p, row, acc, v0, gelu_here, 2, R, NVB); break;
    case 3: store_block(p, row, acc, v0, gelu_here, 3, R, NVB); break;
    default: store_block(p, row, acc, v0, gelu_here, 4, R, NVB); break;
    }
}

/// GELU over rows `row ..< row + count` of the (dense) output in whole vectors, then the residuals, which must come
/// after the activation. Rows of whole vectors had both in `rows_block`.
INLINE2 void finish_rows(const mv_thin_dense_problem *p, long row, long count) {
    if (!p->gelu || gelu_in_registers(p)) return;
    float *out = p->out + row * (long)p->n;
    const long total = count * p->n;
    long i = 0;
    for (; i + 8 <= total; i += 8) _mm256_storeu_ps(out + i, gelu8(_mm256_loadu_ps(out + i)));
    if (i < total) store_n(out + i, gelu8(load_n(out + i, (int)(total - i))), (int)(total - i));
    for (int j = 0; j < p->residual_count; j++)
        for (long r = 0; r < count; r++) {
            float *o = out + r * p->n;
            const float *res = p->residuals[j] + (row + r) * p->residual_strides[j];
            for (int c = 0; c < p->n; c += 8)
                store_n(o + c, _mm256_add_ps(load_n(o + c, p->n - c), load_n(res + c, p->n - c)), p->n - c);
        }
}

/// Rows `row ..< row + count` of the column block `v0 ..< v0 + NVB` in blocks of R rows, then single rows; a single
/// input as a constant, so its loops unroll as in `thin_dense.c`.
#define DEFINE_BLOCKS(NVB, R)                                                                                    \
    __attribute__((noinline)) static void blocks_##NVB(const mv_thin_dense_problem *p, long row, int count,      \
                                                       int inputs, const int *widths, const float *const *x,     \
                                                       const float *packed, const float *bias, int nvp, int v0) { \
        int r = 0;                                                                                               \
        if (inputs == 1) {                                                                                       \
            for (; r + R <= count; r += R) rows_block(p, row + r, 1, widths, x + r, packed, bias, nvp, v0, R, NVB); \
            for (; r < count; r++) rows_block(p, row + r, 1, widths, x + r, packed, bias, nvp, v0, 1, NVB);      \
        } else {                                                                                                 \
            for (; r + R <= count; r += R)                                                                       \
                rows_block(p, row + r, inputs, widths, x + r, packed, bias, nvp, v0, R, NVB);                    \
            for (; r < count; r++) rows_block(p, row + r, inputs, widths, x + r, packed, bias, nvp, v0, 1, NVB); \
        }                                                                                                        \
    }
DEFINE_BLOCKS(1, 8)
DEFINE_BLOCKS(2, 6)
DEFINE_BLOCKS(3, 4)
DEFINE_BLOCKS(4, 3)

/// The column blocks of `nvp` output vectors: as wide as 4 (R = 3), splitting 5, 6 and 7 into blocks of 3 and less.
INLINE2 int block_width(int remaining) {
    if (remaining <= 4) return remaining;
    return remaining == 5 || remaining == 6 || remaining == 7 ? 3 : 4;
}

void mv_thin_dense_avx2(const mv_thin_dense_problem *p, long begin, long end) {
    int k = 0;
    for (int i = 0; i < p->input_count; i++) k += p->input_widths[i];
    const int nvp = (p->n + 7) / 8, kp = (k + 7) & ~7;
    // The kernel and bias padded to whole vectors, so the inner loop loads without masks.
    float packed[MV_THIN_DENSE_MAX_KERNEL] __attribute__((aligned(32)));
    float bias[MV_THIN_DENSE_MAX_N] __attribute__((aligned(32)));
    pack_padded_rows(p->kernel, k, p->n, nvp * 8, packed);
    if (p->bias) pack_padded_rows(p->bias, 1, p->n, nvp * 8, bias);
    const float *b = p->bias ? bias : NULL;
    float a[GROUP * MV_THIN_DENSE_MAX_K] __attribute__((aligned(32)));
    const float *x[MV_THIN_DENSE_MAX_INPUTS * GROUP];
    int widths[MV_THIN_DENSE_MAX_INPUTS];
    for (int i = 0; i < p->input_count; i++) widths[i] = p->input_widths[i];
    for (long row = begin; row < end; row += GROUP) {
        const int count = end - row < GROUP ? (int)(end - row) : GROUP;
        if (p->input_count == 1) {
            thin_prologue(p, row, count, k, kp, a, x, gated_row, mv_copy_rows_avx2);
        } else {
            for (int i = 0; i < p->input_count; i++)
                for (int r = 0; r < count; r++) x[i * GROUP + r] = p->inputs[i] + (row + r) * p->input_strides[i];
        }
        for (int v0 = 0; v0 < nvp;) {
            const int w = block_width(nvp - v0);
            switch (w) {
            case 1: blocks_1(p, row, count, p->input_count, widths, x, packed, b, nvp, v0); break;
            case 2: blocks_2(p, row, count, p->input_count, widths, x, packed, b, nvp, v0); break;
            case 3: blocks_3(p, row, count, p->input_count, widths, x, packed, b, nvp, v0); break;
            default: blocks_4(p, row, count, p->input_count, widths, x, packed, b, nvp, v0); break;
            }
            v0 += w;
        }
        finish_rows(p, row, count);
    }
}

void mv_gelu_adding_avx2(float *values, const float *bias, long count) {
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 x = _mm256_loadu_ps(values + i);
        if (bias) x = _mm256_add_ps(x, _mm256_loadu_ps(bias + i));
        _mm256_storeu_ps(values + i, gelu8(x));
    }
    if (i < count) {
        const int n = (int)(count - i);
        __m256 x = load_n(values + i, n);
        if (bias) x = _mm256_add_ps(x, load_n(bias + i, n));
        store_n(values + i, gelu8(x), n);
    }
}

void mv_thin_layer_norm_avx2(const float *src, float *dst, long rows, int channels, long stride, const float *scale,
                             const float *bias, float epsilon) {
    for (long r0 = 0; r0 < rows; r0 += 8)
        mv_copy_rows_avx2(src + r0 * stride, NULL, stride, dst + r0 * channels, channels,
                          rows - r0 < 8 ? (int)(rows - r0) : 8, channels, scale, bias, epsilon, 0);
}

AVX2_END
#endif

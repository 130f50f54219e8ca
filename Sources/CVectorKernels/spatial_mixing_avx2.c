// Spatial mixing's gather and scatter for AVX2 + FMA: `spatial_mixing.c`'s walks and sum orders with 8-lane vectors
// (the projected scatter's products give the same bits as the AVX2 dense kernel, as there).
#include "avx2_common.h"

#if defined(__x86_64__)
AVX2_BEGIN

void mv_spatial_gather_avx2(const float *image, long pixel_stride, const long *mix_offsets, int mix_count,
                            const long *other_offsets, int other_count, int k, float *dst, const float *scale,
                            const float *bias, float epsilon) {
    if (!scale) {
        float *row = dst;
        for (int m = 0; m < mix_count; m++) {
            const float *base = image + mix_offsets[m] * pixel_stride;
            for (int o = 0; o < other_count; o++, row += k) {
                const float *src = base + other_offsets[o] * pixel_stride;
                for (int c = 0; c < k; c += 8) store_n(row + c, load_n(src + c, k - c), k - c);
            }
        }
        return;
    }
    gather_normalised(image, pixel_stride, mix_offsets, mix_count, other_offsets, other_count, k, dst, scale, bias,
                      epsilon, mv_copy_rows_avx2);
}

/// Channels `8c ..< 8c + 8` of a scattered row: the mixed value plus the mix bias, gated when `gate_row` is set.
INLINE2 __m256 scattered_vector(const float *row, const float *gate_row, __m256 b, int valid, int c) {
    __m256 y = _mm256_add_ps(load_n(row + 8 * c, valid), b);
    if (gate_row) y = _mm256_mul_ps(load_n(gate_row + 8 * c, valid), _mm256_add_ps(y, _mm256_set1_ps(1.0f)));
    return y;
}

INLINE2 void scatter_pixel(const float *mixed, const long *mix_offsets, const long *other_offsets, int other_count,
                           int m, int o, int k, __m256 b, const float *gate, long gate_stride, float *out) {
    const long q = mix_offsets[m] + other_offsets[o];
    const float *row = mixed + ((long)m * other_count + o) * k, *gate_row = gate ? gate + q * gate_stride : NULL;
    for (int c = 0; 8 * c < k; c++)
        store_n(out + q * k + 8 * c, scattered_vector(row, gate_row, b, k - 8 * c, c), k - 8 * c);
}

/// The products of `R` pixels for the output vectors `v0 ..< v0 + NVB` (of `nv` packed per kernel row), in the
/// dense kernel's order: the prefix's products from zero and the bias, the gated row's products (then the bias
/// without a prefix), the residual.
INLINE2 void project_block(const long *q, const long *in, const mv_scatter_projection *pr, const float *packed,
                           const float *g, int gstride, int k, int pw, int nv, int v0, float *out, const int R,
                           const int NVB) {
    const int n = pr->n;
    __m256 acc[4][2];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NVB; v++) acc[r][v] = _mm256_setzero_ps();
    if (pw) {
        for (int j = 0; j < pw; j++) {
            const float *w = packed + ((long)j * nv + v0) * 8;
            for (int r = 0; r < R; r++) {
                const __m256 xj = _mm256_broadcast_ss(pr->prefix + q[r] * pr->prefix_stride + j);
                for (int v = 0; v < NVB; v++) acc[r][v] = _mm256_fmadd_ps(xj, _mm256_load_ps(w + 8 * v), acc[r][v]);
            }
        }
        if (pr->bias)
            for (int r = 0; r < R; r++)
                for (int v = 0; v < NVB; v++)
                    acc[r][v] = _mm256_add_ps(acc[r][v], load_n(pr->bias + (v0 + v) * 8, n - (v0 + v) * 8));
    }
    for (int j = 0; j < k; j++) {
        const float *w = packed + ((long)(pw + j) * nv + v0) * 8;
        for (int r = 0; r < R; r++) {
            const __m256 xj = _mm256_broadcast_ss(g + r * gstride + j);
            for (int v = 0; v < NVB; v++) acc[r][v] = _mm256_fmadd_ps(xj, _mm256_load_ps(w + 8 * v), acc[r][v]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NVB; v++) {
            const int c = (v0 + v) * 8, valid = n - c;
            __m256 y = pr->bias && !pw ? _mm256_add_ps(acc[r][v], load_n(pr->bias + c, valid)) : acc[r][v];
            if (pr->residual) y = _mm256_add_ps(y, load_n(pr->residual + in[r] * pr->residual_stride + c, valid));
            store_n(out + q[r] * n + c, y, valid);
        }
}

/// `R` projected pixels: their gated rows are stored whole to `g`, then multiplied against the packed kernel in
/// column blocks of two output vectors (R·2 accumulators), as `scatter_pixels_projected` in `spatial_mixing.c`.
INLINE2 void scatter_pixels_projected(const float *mixed, const long *q, const long *row_index, const float *b, int k,
                                      const float *gate, long gate_stride, const mv_scatter_projection *pr,
                                      const float *packed, float *g, float *out, int pw, int nv, const int R) {
    const long *in = pr->inputs_by_row ? row_index : q;
    const int nvk = (k + 7) / 8, gstride = nvk * 8;
    for (int r = 0; r < R; r++) {
        const float *row = mixed + row_index[r] * k, *gate_row = gate ? gate + in[r] * gate_stride : NULL;
        const __m256 bias = _mm256_set1_ps(b[r]);
        for (int c = 0; c < nvk; c++)
            _mm256_store_ps(g + r * gstride + c * 8, scattered_vector(row, gate_row, bias, k - 8 * c, c));
    }
    int v0 = 0;
    for (; v0 + 2 <= nv; v0 += 2) project_block(q, in, pr, packed, g, gstride, k, pw, nv, v0, out, R, 2);
    if (v0 < nv) project_block(q, in, pr, packed, g, gstride, k, pw, nv, v0, out, R, 1);
}

__attribute__((noinline)) static void scatter_projected(const float *mixed, const long *mix_offsets, int mix_count,
                                                        const long *other_offsets, int other_count, int k,
                                                        const float *bias, const float *gate, long gate_stride,
                                                        const mv_scatter_projection *pr, float *out) {
    float packed[2 * MV_THIN_ROW_MAX_CHANNELS * MV_THIN_ROW_MAX_CHANNELS] __attribute__((aligned(32)));
    float g[4 * MV_THIN_ROW_MAX_CHANNELS] __attribute__((aligned(32)));
    const int n = pr->n, pw = pr->prefix ? pr->prefix_width : 0, nv = (n + 7) / 8;
    pack_padded_rows(pr->kernel, pw + k, n, nv * 8, packed);
    const int adjacent = mix_index_inside(mix_offsets, mix_count);
    const int outer_count = adjacent ? other_count : mix_count, inner_count = adjacent ? mix_count : other_count;
    for (int outer = 0; outer < outer_count; outer++)
        for (int i0 = 0; i0 < inner_count; i0 += 4) {
            const int count = inner_count - i0 < 4 ? inner_count - i0 : 4;
            long q[4], row_index[4];
            float b[4];
            for (int r = 0; r < count; r++) {
                const int m = adjacent ? i0 + r : outer, o = adjacent ? outer : i0 + r;
                q[r] = mix_offsets[m] + other_offsets[o];
                row_index[r] = (long)m * other_count + o;
                b[r] = bias ? bias[m] : 0.0f;
            }
            if (count == 4)
                scatter_pixels_projected(mixed, q, row_index, b, k, gate, gate_stride, pr, packed, g, out, pw, nv, 4);
            else
                for (int r = 0; r < count; r++)
                    scatter_pixels_projected(mixed, q + r, row_index + r, b + r, k, gate, gate_stride, pr, packed, g,
                                             out, pw, nv, 1);
        }
}

void mv_spatial_scatter_avx2(const float *mixed, const long *mix_offsets, int mix_count, const long *other_offsets,
                             int other_count, int k, const float *bias, const float *gate, long gate_stride,
                             const mv_scatter_projection *projection, float *out) {
    if (projection) {
        scatter_projected(mixed, mix_offsets, mix_count, other_offsets, other_count, k, bias, gate, gate_stride,
                          projection, out);
        return;
    }
    if (mix_index_inside(mix_offsets, mix_count)) {
        for (int o = 0; o < other_count; o++)
            for (int m = 0; m < mix_count; m++)
                scatter_pixel(mixed, mix_offsets, other_offsets, other_count, m, o, k,
                              _mm256_set1_ps(bias ? bias[m] : 0.0f), gate, gate_stride, out);
    } else {
        for (int m = 0; m < mix_count; m++) {
            const __m256 b = _mm256_set1_ps(bias ? bias[m] : 0.0f);
            for (int o = 0; o < other_count; o++)
                scatter_pixel(mixed, mix_offsets, other_offsets, other_count, m, o, k, b, gate, gate_stride, out);
        }
    }
}

AVX2_END
#endif

// Spatial mixing's gather and scatter (`Tensor.spatialMix`): AVX-512 masked row copies, the gMLP LayerNorm on the
// gathered rows, the gate and the fused projection on the scattered ones.
#include "kernel_common.h"

#if defined(__x86_64__)

KERNEL void mv_spatial_gather_avx512(const float *image, long pixel_stride, const long *mix_offsets, int mix_count,
                              const long *other_offsets, int other_count, int k, float *dst, const float *scale,
                              const float *bias, float epsilon) {
    // Destination rows are consecutive (m·other_count + o counts up); source rows are wherever their pixels are.
    if (!scale) {
        // Plain copies row by row: through `mv_copy_rows` eight at a time (an offset table and a call per eight
        // rows) the cross-gating weights' 8-channel gathers took 0.30–0.60 ms per 256×320 tile, now 0.20–0.26.
        float *row = dst;
        for (int m = 0; m < mix_count; m++) {
            const float *base = image + mix_offsets[m] * pixel_stride;
            for (int o = 0; o < other_count; o++, row += k) {
                const float *src = base + other_offsets[o] * pixel_stride;
                for (int c = 0; c < k; c += 16)
                    _mm512_mask_storeu_ps(row + c, mask_of(k - c), _mm512_maskz_loadu_ps(mask_of(k - c), src + c));
            }
        }
        return;
    }
    gather_normalised(image, pixel_stride, mix_offsets, mix_count, other_offsets, other_count, k, dst, scale, bias,
                      epsilon, mv_copy_rows_avx512);
}


/// One pixel of the scatter: row `m·other_count + o` of `mixed` plus `bias[m]`, gated when `gate` is set, to pixel
/// `q` — stored to `out` (k channels) or, with a projection, as whole vectors to `g` for its products.
KERNEL INLINE __m512 scattered_vector(const float *row, const float *gate_row, __m512 b, __mmask16 valid, int c) {
    __m512 y = _mm512_add_ps(_mm512_maskz_loadu_ps(valid, row + 16 * c), b);
    if (gate_row) y = _mm512_mul_ps(_mm512_maskz_loadu_ps(valid, gate_row + 16 * c), _mm512_add_ps(y, _mm512_set1_ps(1.0f)));
    return y;
}

KERNEL INLINE void scatter_pixel(const float *mixed, const long *mix_offsets, const long *other_offsets,
                                 int other_count, int m, int o, int k, __m512 b, const float *gate,
                                 long gate_stride, float *out) {
    const long q = mix_offsets[m] + other_offsets[o];
    const float *row = mixed + ((long)m * other_count + o) * k, *gate_row = gate ? gate + q * gate_stride : NULL;
    for (int c = 0; 16 * c < k; c++) {
        __mmask16 valid = mask_of(k - 16 * c);
        _mm512_mask_storeu_ps(out + q * k + 16 * c, valid, scattered_vector(row, gate_row, b, valid, c));
    }
}

/// `R` projected pixels: their gated rows (`NVK` vectors each) are stored whole to `g`, whose channels are then
/// broadcast against the packed kernel rows (`NV` vectors of outputs each) into R×NV accumulators, as `rows_block`
/// does: each pixel's sum runs in the same order, and R independent chains hide the multiply-add latency (one pixel
/// at a time waited on its chain; with the walk below, 12 channels 0.92 → 0.72 ms per 256² tile for block mixing,
/// 0.80 → 0.69 ms for grid mixing, 24 channels 2.2 → 1.6 and 2.0 → 1.7 ms).
KERNEL INLINE void scatter_pixels_projected(const float *mixed, const long *q, const long *row_index, const __m512 *b,
                                            int k, const float *gate, long gate_stride, const mv_scatter_projection *pr,
                                            const float *packed, const __m512 *out_bias, float *g, float *out,
                                            const int n, const int pw, const int R, const int NVK, const int NV) {
    const long *in = pr->inputs_by_row ? row_index : q;  // where the gate and residual rows are
    for (int r = 0; r < R; r++) {
        const float *row = mixed + row_index[r] * k, *gate_row = gate ? gate + in[r] * gate_stride : NULL;
        for (int c = 0; c < NVK; c++)
            _mm512_store_ps(g + (r * NVK + c) * 16, scattered_vector(row, gate_row, b[r], mask_of(k - 16 * c), c));
    }
    __m512 acc[4][4];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++) acc[r][v] = _mm512_setzero_ps();
    if (pw) {  // the prefix's products, then the bias, as the dense kernel's first input
        for (int j = 0; j < pw; j++) {
            __m512 w[4];
            for (int v = 0; v < NV; v++) w[v] = _mm512_load_ps(packed + (j * NV + v) * 16);
            for (int r = 0; r < R; r++) {
                __m512 xj = _mm512_set1_ps(pr->prefix[q[r] * pr->prefix_stride + j]);
                for (int v = 0; v < NV; v++) acc[r][v] = _mm512_fmadd_ps(xj, w[v], acc[r][v]);
            }
        }
        if (pr->bias)
            for (int r = 0; r < R; r++)
                for (int v = 0; v < NV; v++) acc[r][v] = _mm512_add_ps(acc[r][v], out_bias[v]);
    }
    for (int j = 0; j < k; j++) {
        __m512 w[4];
        for (int v = 0; v < NV; v++) w[v] = _mm512_load_ps(packed + ((pw + j) * NV + v) * 16);
        for (int r = 0; r < R; r++) {
            __m512 xj = _mm512_set1_ps(g[r * NVK * 16 + j]);
            for (int v = 0; v < NV; v++) acc[r][v] = _mm512_fmadd_ps(xj, w[v], acc[r][v]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++) {
            __mmask16 valid = mask_of(n - 16 * v);
            __m512 y = pr->bias && !pw ? _mm512_add_ps(acc[r][v], out_bias[v]) : acc[r][v];
            if (pr->residual)
                y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(valid, pr->residual + in[r] * pr->residual_stride + 16 * v));
            _mm512_mask_storeu_ps(out + q[r] * n + 16 * v, valid, y);
        }
}

KERNEL INLINE void scatter_projected(const float *mixed, const long *mix_offsets, int mix_count,
                                     const long *other_offsets, int other_count, int k, const float *bias,
                                     const float *gate, long gate_stride, const mv_scatter_projection *pr, float *out,
                                     const int n, const int pw, const int NVK, const int NV) {
    float packed[2 * MV_THIN_ROW_MAX_CHANNELS * MV_THIN_ROW_MAX_CHANNELS] __attribute__((aligned(64)));
    float g[4 * MV_THIN_ROW_MAX_CHANNELS] __attribute__((aligned(64)));
    const int rows = pw + k;
    pack_padded_rows(pr->kernel, rows, n, NV * 16, packed);
    __m512 out_bias[4];
    for (int v = 0; v < NV; v++)
        out_bias[v] = pr->bias ? _mm512_maskz_loadu_ps(mask_of(n - 16 * v), pr->bias + 16 * v) : _mm512_setzero_ps();
    // The scatter's walk (`mix_index_inside`), four pixels of the inner index at a time.
    const int adjacent = mix_index_inside(mix_offsets, mix_count);
    const int outer_count = adjacent ? other_count : mix_count, inner_count = adjacent ? mix_count : other_count;
    for (int outer = 0; outer < outer_count; outer++)
        for (int i0 = 0; i0 < inner_count; i0 += 4) {
            const int count = inner_count - i0 < 4 ? inner_count - i0 : 4;
            long q[4], row_index[4];
            __m512 b[4];
            for (int r = 0; r < count; r++) {
                const int m = adjacent ? i0 + r : outer, o = adjacent ? outer : i0 + r;
                q[r] = mix_offsets[m] + other_offsets[o];
                row_index[r] = (long)m * other_count + o;
                b[r] = _mm512_set1_ps(bias ? bias[m] : 0.0f);
            }
            if (count == 4)
                scatter_pixels_projected(mixed, q, row_index, b, k, gate, gate_stride, pr, packed, out_bias, g, out, n,
                                         pw, 4, NVK, NV);
            else
                for (int r = 0; r < count; r++)
                    scatter_pixels_projected(mixed, q + r, row_index + r, b + r, k, gate, gate_stride, pr, packed,
                                             out_bias, g, out, n, pw, 1, NVK, NV);
        }
}

#define DEFINE_SCATTER_PROJECTED(NVK, NV)                                                                        \
    KERNEL __attribute__((noinline)) static void scatter_projected_##NVK##_##NV(                                 \
        const float *mixed, const long *mix_offsets, int mix_count, const long *other_offsets, int other_count,  \
        int k, const float *bias, const float *gate, long gate_stride, const mv_scatter_projection *pr,          \
        float *out) {                                                                                            \
        scatter_projected(mixed, mix_offsets, mix_count, other_offsets, other_count, k, bias, gate, gate_stride, \
                          pr, out, pr->n, pr->prefix ? pr->prefix_width : 0, NVK, NV);                           \
    }
DEFINE_SCATTER_PROJECTED(1, 1)
DEFINE_SCATTER_PROJECTED(2, 2)
DEFINE_SCATTER_PROJECTED(3, 3)
DEFINE_SCATTER_PROJECTED(4, 4)

/// The 8-channel gMLP and cross-gating projections (a features-8 model's full-resolution layers) with the channel
/// counts as constants, so the products unroll and the masks are fixed: 7.3–8.3 → 5.8–6.7 ns per pixel of a 448×256
/// tile. The same for 12, 16 and 24 channels measured no change.
#define DEFINE_SCATTER_PROJECTED_8(PW)                                                                           \
    KERNEL __attribute__((noinline)) static void scatter_projected_8_##PW(                                       \
        const float *mixed, const long *mix_offsets, int mix_count, const long *other_offsets, int other_count,  \
        const float *bias, const float *gate, long gate_stride, const mv_scatter_projection *pr, float *out) {   \
        scatter_projected(mixed, mix_offsets, mix_count, other_offsets, other_count, 8, bias, gate, gate_stride, \
                          pr, out, 8, PW, 1, 1);                                                                 \
    }
DEFINE_SCATTER_PROJECTED_8(0)
DEFINE_SCATTER_PROJECTED_8(8)

KERNEL void mv_spatial_scatter_avx512(const float *mixed, const long *mix_offsets, int mix_count, const long *other_offsets,
                               int other_count, int k, const float *bias, const float *gate, long gate_stride,
                               const mv_scatter_projection *projection, float *out) {
    if (projection) {
        // gMLP layers keep their width (k = n); other shapes take the wider side's loops.
        const int nvk = (k + 15) / 16, nv = (projection->n + 15) / 16;
        const int w = nvk > nv ? nvk : nv, pw = projection->prefix ? projection->prefix_width : 0;
        if (k == 8 && projection->n == 8 && (pw == 0 || pw == 8)) {
            if (pw)
                scatter_projected_8_8(mixed, mix_offsets, mix_count, other_offsets, other_count, bias, gate,
                                      gate_stride, projection, out);
            else
                scatter_projected_8_0(mixed, mix_offsets, mix_count, other_offsets, other_count, bias, gate,
                                      gate_stride, projection, out);
            return;
        }
#define SCATTER_PROJECTED(NVK, NV)                                                                               \
    scatter_projected_##NVK##_##NV(mixed, mix_offsets, mix_count, other_offsets, other_count, k, bias, gate,     \
                                   gate_stride, projection, out)
        switch (w) {
        case 1: SCATTER_PROJECTED(1, 1); break;
        case 2: SCATTER_PROJECTED(2, 2); break;
        case 3: SCATTER_PROJECTED(3, 3); break;
        default: SCATTER_PROJECTED(4, 4); break;
        }
#undef SCATTER_PROJECTED
        return;
    }
    // Two explicit loop nests, the mix bias set outside the inner loop where it can be: one nest choosing its
    // indices per pixel ran grid mixing 10 % slower.
    if (mix_index_inside(mix_offsets, mix_count)) {
        for (int o = 0; o < other_count; o++)
            for (int m = 0; m < mix_count; m++)
                scatter_pixel(mixed, mix_offsets, other_offsets, other_count, m, o, k,
                              _mm512_set1_ps(bias ? bias[m] : 0.0f), gate, gate_stride, out);
    } else {
        for (int m = 0; m < mix_count; m++) {
            const __m512 b = _mm512_set1_ps(bias ? bias[m] : 0.0f);
            for (int o = 0; o < other_count; o++)
                scatter_pixel(mixed, mix_offsets, other_offsets, other_count, m, o, k, b, gate, gate_stride, out);
        }
    }
}

#endif

#ifndef MAXIM_KERNEL_COMMON_H
#define MAXIM_KERNEL_COMMON_H

// What the kernels of this target share (not part of its public header, `include/vector_kernels.h`). Each kernel
// exists twice: for AVX-512 (`*_avx512`, in the files named for the kernel) and for AVX2 with FMA (`*_avx2`, in the
// `*_avx2.c` files: x86-64-v3, every x86 server CPU since 2013, among them AMD EPYC before Zen 4). `dispatch.c`
// defines the public functions, which call the variant this CPU runs.
#include "vector_kernels.h"

#include <string.h>

#define HIDDEN __attribute__((visibility("hidden")))

/// A narrow convolution band's planar row: `width` pixels plus a zero column each side, rounded up to whole 16-float
/// vectors and one more, so the shifted loads of a partial last vector stay inside (either ISA's vectors).
static inline long narrow_plane_width(long width) { return (width + 2 + 15) / 16 * 16 + 16; }

/// `rows` rows of `n` floats (dense, at `src`) to `dst`, each zero-padded to `padded` floats: a kernel or a bias in
/// whole vectors, so the products' inner loops load without masks.
static inline void pack_padded_rows(const float *src, int rows, int n, int padded, float *dst) {
    for (int j = 0; j < rows; j++) {
        memcpy(dst + j * padded, src + j * n, sizeof(float) * n);
        memset(dst + j * padded + n, 0, sizeof(float) * (padded - n));
    }
}

/// The scatter's walk: whichever index steps to the adjacent pixel goes inside, so consecutive stores fill lines
/// that stay in L1 — for block mixing the mix index (its offsets are a block's pixels; mix index outer wrote pixels
/// a block apart and touched each line again from L2: 12 channels 0.27 → 0.17 ms per 256² tile, 24 channels 0.44 →
/// 0.33 ms, gated 12 channels 0.49 → 0.38 ms), for grid mixing the other index (a cell's row of offsets; the other
/// order measured 10–60 % slower). The reads of `mixed` then stride by a row for block mixing, but its rows' current
/// lines stay in L1. The result does not depend on the order. (The gather keeps the mix index outer: it LayerNorms
/// eight consecutive rows at a time in registers, and the other order measured 15–20 % slower.)
static inline int mix_index_inside(const long *mix_offsets, int mix_count) {
    return mix_count > 1 && mix_offsets[1] - mix_offsets[0] == 1;
}

/// `mv_copy_rows_avx512` or `mv_copy_rows_avx2`.
typedef void (*mv_copy_rows_fn)(const float *src, const long *offsets, long src_stride, float *dst, long dst_stride,
                                int count, int k, const float *scale, const float *bias, float epsilon, int whole);

/// A variant's gated row: row `row` of the thin dense layer's single input times its gate, into `dst`, zero-padded
/// to whole vectors.
typedef void (*mv_gated_row_fn)(const mv_thin_dense_problem *p, long row, int k, float *dst);

/// The thin dense kernel's prologue rows of `row ..< row + count` for a single input (both variants, with their own
/// gated row and LayerNorm): the input rows themselves when there is no prologue, else rows of `a` (stride `kp`),
/// gated or LayerNorm'd (in registers on the way into `a`, padding included).
static inline void thin_prologue(const mv_thin_dense_problem *p, long row, int count, int k, int kp, float *a,
                                 const float **x, mv_gated_row_fn gated_row, mv_copy_rows_fn copy_rows) {
    if (!p->gate && !p->norm_scale) {
        for (int r = 0; r < count; r++) x[r] = p->inputs[0] + (row + r) * p->input_strides[0];
        return;
    }
    for (int r = 0; r < count; r++) x[r] = a + r * kp;
    if (p->gate) {
        for (int r = 0; r < count; r++) gated_row(p, row + r, k, a + r * kp);
        return;
    }
    const long stride = p->input_strides[0];
    for (int r0 = 0; r0 < count; r0 += 8)
        copy_rows(p->inputs[0] + (row + r0) * stride, NULL, stride, a + r0 * kp, kp, count - r0 < 8 ? count - r0 : 8, k,
                  p->norm_scale, p->norm_bias, p->norm_epsilon, 1);
}

/// Spatial mixing's LayerNorm'd gather (`mv_spatial_gather` with `scale`): the pixels of consecutive destination rows
/// eight at a time through `copy_rows`, which normalises them in registers.
static inline void gather_normalised(const float *image, long pixel_stride, const long *mix_offsets, int mix_count,
                                     const long *other_offsets, int other_count, int k, float *dst, const float *scale,
                                     const float *bias, float epsilon, mv_copy_rows_fn copy_rows) {
    long offsets[8];
    int count = 0;
    float *first = dst;
    for (int m = 0; m < mix_count; m++)
        for (int o = 0; o < other_count; o++) {
            offsets[count] = (mix_offsets[m] + other_offsets[o]) * pixel_stride;
            if (++count < 8 && !(m == mix_count - 1 && o == other_count - 1)) continue;
            copy_rows(image, offsets, 0, first, k, count, k, scale, bias, epsilon, 0);
            first += count * k;
            count = 0;
        }
}

#if defined(__x86_64__)
#include <immintrin.h>

// Only these functions use AVX-512; the rest of the binary stays x86-64-v3 and the caller checks the CPU first.
#define KERNEL __attribute__((target("avx512f,avx512dq,fma")))
#define INLINE static inline __attribute__((always_inline))

static inline __mmask16 mask_of(int count) {
    return count >= 16 ? 0xFFFF : count <= 0 ? 0 : (__mmask16)((1u << count) - 1);
}

/// Copies, or LayerNorms when `scale` is set, `count` ≤ 8 rows of `k` ≤ MV_THIN_ROW_MAX_CHANNELS channels: row r
/// from `src + offsets[r]` (`src + r·src_stride` without offsets) to `dst + r·dst_stride`, the rows held in
/// registers (`thin_dense.c`, the dense kernel's own LayerNorm); `whole` stores every vector of a row, zero past `k`.
KERNEL HIDDEN void mv_copy_rows_avx512(const float *src, const long *offsets, long src_stride, float *dst,
                                       long dst_stride, int count, int k, const float *scale, const float *bias,
                                       float epsilon, int whole);

/// The kernels each variant defines, named `<kernel>_<ISA>` (the public `<kernel>` in `dispatch.c` calls one).
#define DECLARE_KERNEL_VARIANT(ISA)                                                                                \
    HIDDEN void mv_gelu_adding_##ISA(float *values, const float *bias, long count);                               \
    HIDDEN void mv_thin_dense_##ISA(const mv_thin_dense_problem *problem, long begin, long end);                  \
    HIDDEN void mv_thin_layer_norm_##ISA(const float *src, float *dst, long rows, int channels, long stride,       \
                                         const float *scale, const float *bias, float epsilon);                   \
    HIDDEN void mv_spatial_gather_##ISA(const float *image, long pixel_stride, const long *mix_offsets,           \
                                        int mix_count, const long *other_offsets, int other_count, int k,          \
                                        float *dst, const float *scale, const float *bias, float epsilon);        \
    HIDDEN void mv_spatial_scatter_##ISA(const float *mixed, const long *mix_offsets, int mix_count,              \
                                         const long *other_offsets, int other_count, int k, const float *bias,     \
                                         const float *gate, long gate_stride,                                      \
                                         const mv_scatter_projection *projection, float *out);                     \
    HIDDEN void mv_conv3x3_narrow_##ISA(const float *image, long height, long width, int inputs,                  \
                                        const float *kernel, const float *bias, int outputs, float negative_slope, \
                                        const float *residual, long y0, long y1, float *scratch, float *out);     \
    HIDDEN void mv_resize_column_##ISA(const float *first_row, long row_stride, const float *weights, long count, \
                                       long length, float *out);                                                  \
    HIDDEN void mv_resize_row_##ISA(const float *src, int channels, int out_width, const long *first,             \
                                    const long *count, const float *weights, long stride, float *out);
DECLARE_KERNEL_VARIANT(avx512)
DECLARE_KERNEL_VARIANT(avx2)
#undef DECLARE_KERNEL_VARIANT

/// Rounding to bf16 has an AVX-512 kernel only (bf16 products need AVX512-BF16 or AMX anyway).
HIDDEN void mv_round_bf16_avx512(const float *src, long rows, long columns, long stride, uint16_t *dst);

/// The Winograd transforms have an AVX2 variant only (AVX-512 hosts take oneDNN's direct convolution instead).
HIDDEN void mv_winograd_input_avx2(const float *image, long height, long width, int channels, long tile_row0,
                                   long tile_row1, float *v, long plane);
HIDDEN void mv_winograd_output_avx2(const float *m, long plane, int channels, const float *bias, long tile_row0,
                                    long tile_row1, long height, long width, float *out);

/// `mv_copy_rows_avx512`'s AVX2 twin (`thin_dense_avx2.c`).
HIDDEN void mv_copy_rows_avx2(const float *src, const long *offsets, long src_stride, float *dst, long dst_stride,
                              int count, int k, const float *scale, const float *bias, float epsilon, int whole);

#endif
#endif

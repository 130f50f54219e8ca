// 3×3 convolutions to few output channels with pixels in the vector lanes (`Tensor.convNarrow`).
#include "kernel_common.h"

#if defined(__x86_64__)

/// A band's planar row: `width` pixels plus a zero column each side, rounded up to whole vectors and one more, so
/// the shifted loads of a partial last vector stay inside.
static long narrow_plane_width(long width) { return (width + 2 + 15) / 16 * 16 + 16; }

long mv_conv3x3_narrow_scratch(long rows, long width, int inputs) {
    return (rows + 2) * inputs * narrow_plane_width(width) + 16;
}

/// Output pixels `x ..< x + 16·X` of row `y` (planar rows `p0` = input row y − 1, one channel after another), X
/// vectors per output channel: each (dy, dx, channel) loads X shifted vectors and multiplies them by `outputs`
/// broadcast weights, so X·O independent accumulators hide the multiply-add latency.
KERNEL INLINE void narrow_conv_block(const float *p0, long plane, int inputs, const float *kernel, const float *bias,
                                     const float *residual, float *out, long y, long width, long x, __mmask16 last,
                                     const int X, const int O) {
    __m512 acc[4][4];
    for (int o = 0; o < O; o++)
        for (int v = 0; v < X; v++) acc[o][v] = _mm512_set1_ps(bias ? bias[o] : 0.0f);
    for (int dy = 0; dy < 3; dy++)
        for (int dx = 0; dx < 3; dx++)
            for (int c = 0; c < inputs; c++) {
                const float *row = p0 + ((long)dy * inputs + c) * plane + x + dx;
                const float *w = kernel + ((dy * 3 + dx) * inputs + c) * O;
                __m512 in[4];
                for (int v = 0; v < X; v++) in[v] = _mm512_loadu_ps(row + 16 * v);
                for (int o = 0; o < O; o++) {
                    const __m512 wo = _mm512_set1_ps(w[o]);
                    for (int v = 0; v < X; v++) acc[o][v] = _mm512_fmadd_ps(in[v], wo, acc[o][v]);
                }
            }
    // Back to NHWC through a small block: O channels of 16·X pixels interleaved.
    float block[4 * 64] __attribute__((aligned(64)));
    for (int o = 0; o < O; o++)
        for (int v = 0; v < X; v++) _mm512_store_ps(block + (o * X + v) * 16, acc[o][v]);
    const long pixels = X == 1 ? __builtin_popcount(last) : 16 * X;
    float *dst = out + (y * width + x) * O;
    const float *res = residual ? residual + (y * width + x) * O : NULL;
    for (long i = 0; i < pixels; i++)
        for (int o = 0; o < O; o++) {
            const float value = block[(o * X + i / 16) * 16 + i % 16];
            dst[i * O + o] = res ? value + res[i * O + o] : value;
        }
}

KERNEL INLINE void narrow_conv_rows(const float *image, long height, long width, int inputs, const float *kernel,
                                    const float *bias, const float *residual, long y0, long y1, float *scratch,
                                    float *out, const int O) {
    const long plane = narrow_plane_width(width);
    // Planar input rows y0 − 1 … y1 (zero outside the image), each channel's row with a zero column either side.
    const __m512i lanes = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                             _mm512_set1_epi32(inputs));
    for (long r = 0; r < y1 - y0 + 2; r++) {
        const long y = y0 - 1 + r;
        for (int c = 0; c < inputs; c++) {
            float *dst = scratch + (r * inputs + c) * plane;
            memset(dst, 0, sizeof(float) * plane);
            if (y < 0 || y >= height) continue;
            const float *src = image + y * width * inputs + c;
            for (long x = 0; x < width; x += 16) {
                const __mmask16 valid = mask_of((int)(width - x < 16 ? width - x : 16));
                _mm512_mask_storeu_ps(dst + 1 + x, valid,
                                      _mm512_mask_i32gather_ps(_mm512_setzero_ps(), valid, lanes, src + x * inputs, 4));
            }
        }
    }
    for (long y = y0; y < y1; y++) {
        const float *p0 = scratch + (y - y0) * inputs * plane;
        long x = 0;
        for (; x + 64 <= width; x += 64)
            narrow_conv_block(p0, plane, inputs, kernel, bias, residual, out, y, width, x, 0xFFFF, 4, O);
        for (; x < width; x += 16)
            narrow_conv_block(p0, plane, inputs, kernel, bias, residual, out, y, width, x,
                              mask_of((int)(width - x < 16 ? width - x : 16)), 1, O);
    }
}

KERNEL void mv_conv3x3_narrow(const float *image, long height, long width, int inputs, const float *kernel,
                              const float *bias, int outputs, const float *residual, long y0, long y1, float *scratch,
                              float *out) {
    switch (outputs) {
    case 1: narrow_conv_rows(image, height, width, inputs, kernel, bias, residual, y0, y1, scratch, out, 1); break;
    case 2: narrow_conv_rows(image, height, width, inputs, kernel, bias, residual, y0, y1, scratch, out, 2); break;
    case 3: narrow_conv_rows(image, height, width, inputs, kernel, bias, residual, y0, y1, scratch, out, 3); break;
    default: narrow_conv_rows(image, height, width, inputs, kernel, bias, residual, y0, y1, scratch, out, 4); break;
    }
}

#else  // no AVX-512 on this architecture: callers take the portable paths

long mv_conv3x3_narrow_scratch(long rows, long width, int inputs) { (void)rows, (void)width, (void)inputs; return 0; }
void mv_conv3x3_narrow(const float *image, long height, long width, int inputs, const float *kernel,
                       const float *bias, int outputs, const float *residual, long y0, long y1, float *scratch,
                       float *out) {
    (void)image, (void)height, (void)width, (void)inputs, (void)kernel, (void)bias, (void)outputs, (void)residual;
    (void)y0, (void)y1, (void)scratch, (void)out;
}

#endif

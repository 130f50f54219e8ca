// 3×3 convolutions to few output channels for AVX2 + FMA: `narrow_conv.c`'s method (pixels in the lanes, planar
// zero-bordered input rows, sums over (dy, dx, input) after the bias) with 8-pixel vectors.
#include "avx2_common.h"

#if defined(__x86_64__)
AVX2_BEGIN

INLINE2 __m256 leaky8(__m256 v, float slope) {
    return slope == 1.0f ? v : _mm256_max_ps(v, _mm256_mul_ps(v, _mm256_set1_ps(slope)));
}

/// Eight channel vectors of 8 pixels each (`r[o]`) as 8 pixels × 8 channels at `dst` (NHWC), plus `res` where set:
/// the classic 8×8 transpose (unpack, shuffle, swap of 128-bit halves).
INLINE2 void store_8x8(const __m256 r[8], float *dst, const float *res) {
    __m256 t[8], s[8];
    for (int i = 0; i < 8; i += 2) t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]), t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    for (int h = 0; h < 8; h += 4) {  // channels 0-3 (t[0..3]) and 4-7 (t[4..7])
        s[h + 0] = _mm256_shuffle_ps(t[h + 0], t[h + 2], 0x44);  // pixels 0 and 4
        s[h + 1] = _mm256_shuffle_ps(t[h + 0], t[h + 2], 0xEE);  // 1 and 5
        s[h + 2] = _mm256_shuffle_ps(t[h + 1], t[h + 3], 0x44);  // 2 and 6
        s[h + 3] = _mm256_shuffle_ps(t[h + 1], t[h + 3], 0xEE);  // 3 and 7
    }
    for (int p = 0; p < 4; p++) {
        __m256 lo = _mm256_permute2f128_ps(s[p], s[p + 4], 0x20), hi = _mm256_permute2f128_ps(s[p], s[p + 4], 0x31);
        if (res) {
            lo = _mm256_add_ps(lo, _mm256_loadu_ps(res + p * 8));
            hi = _mm256_add_ps(hi, _mm256_loadu_ps(res + (p + 4) * 8));
        }
        _mm256_storeu_ps(dst + p * 8, lo);
        _mm256_storeu_ps(dst + (p + 4) * 8, hi);
    }
}

/// Output pixels `x ..< x + min(valid, 8·X)` of row `y` for O output channels: X·O accumulators over every tap
/// (dy, dx) and input channel, started from the bias.
INLINE2 void conv_block(const float *p0, long plane, int inputs, const float *kernel, const float *bias, float slope,
                        const float *residual, float *out, long y, long width, long x, int valid, const int X,
                        const int O) {
    __m256 acc[8][4];
    for (int o = 0; o < O; o++)
        for (int v = 0; v < X; v++) acc[o][v] = _mm256_set1_ps(bias ? bias[o] : 0.0f);
    for (int dy = 0; dy < 3; dy++)
        for (int dx = 0; dx < 3; dx++)
            for (int c = 0; c < inputs; c++) {
                const float *row = p0 + ((long)dy * inputs + c) * plane + x + dx;
                const float *w = kernel + ((dy * 3 + dx) * inputs + c) * O;
                __m256 in[4];
                for (int v = 0; v < X; v++) in[v] = _mm256_loadu_ps(row + 8 * v);
                for (int o = 0; o < O; o++) {
                    const __m256 wo = _mm256_broadcast_ss(w + o);
                    for (int v = 0; v < X; v++) acc[o][v] = _mm256_fmadd_ps(in[v], wo, acc[o][v]);
                }
            }
    float *dst = out + (y * width + x) * O;
    const float *res = residual ? residual + (y * width + x) * O : NULL;
    if (O == 8 && X == 1 && valid >= 8) {
        __m256 r[8];
        for (int o = 0; o < 8; o++) r[o] = leaky8(acc[o][0], slope);
        store_8x8(r, dst, res);
        return;
    }
    // Back to NHWC through a small block: O channels of 8·X pixels.
    float block[8 * 32] __attribute__((aligned(32)));
    for (int o = 0; o < O; o++)
        for (int v = 0; v < X; v++) _mm256_store_ps(block + (o * X + v) * 8, leaky8(acc[o][v], slope));
    const long pixels = valid < 8 * X ? valid : 8 * X;
    for (long i = 0; i < pixels; i++)
        for (int o = 0; o < O; o++) {
            const float value = block[(o * X + i / 8) * 8 + i % 8];
            dst[i * O + o] = res ? value + res[i * O + o] : value;
        }
}

INLINE2 void conv_rows(const float *image, long height, long width, int inputs, const float *kernel,
                       const float *bias, float slope, const float *residual, long y0, long y1, float *scratch,
                       float *out, const int X, const int O) {
    const long plane = narrow_plane_width(width);
    for (long r = 0; r < y1 - y0 + 2; r++) {
        const long y = y0 - 1 + r;
        for (int c = 0; c < inputs; c++) {
            float *dst = scratch + (r * inputs + c) * plane;
            memset(dst, 0, sizeof(float) * plane);
            if (y < 0 || y >= height) continue;
            const float *src = image + y * width * inputs + c;
            for (long x = 0; x < width; x++) dst[1 + x] = src[x * inputs];
        }
    }
    for (long y = y0; y < y1; y++) {
        const float *p0 = scratch + (y - y0) * inputs * plane;
        long x = 0;
        for (; x + 8 * X <= width; x += 8 * X)
            conv_block(p0, plane, inputs, kernel, bias, slope, residual, out, y, width, x, 8 * X, X, O);
        for (; x < width; x += 8)
            conv_block(p0, plane, inputs, kernel, bias, slope, residual, out, y, width, x, (int)(width - x), 1, O);
    }
}

#define DEFINE_CONV_ROWS(O, X)                                                                                   \
    __attribute__((noinline)) static void conv_rows_##O(const float *image, long height, long width, int inputs, \
                                                        const float *kernel, const float *bias, float slope,     \
                                                        const float *residual, long y0, long y1, float *scratch, \
                                                        float *out) {                                            \
        conv_rows(image, height, width, inputs, kernel, bias, slope, residual, y0, y1, scratch, out, X, O);     \
    }
DEFINE_CONV_ROWS(1, 4)
DEFINE_CONV_ROWS(2, 4)
DEFINE_CONV_ROWS(3, 2)
DEFINE_CONV_ROWS(4, 2)
DEFINE_CONV_ROWS(8, 1)

void mv_conv3x3_narrow_avx2(const float *image, long height, long width, int inputs, const float *kernel,
                            const float *bias, int outputs, float negative_slope, const float *residual, long y0,
                            long y1, float *scratch, float *out) {
#define ROWS(O) conv_rows_##O(image, height, width, inputs, kernel, bias, negative_slope, residual, y0, y1, scratch, out)
    switch (outputs) {
    case 1: ROWS(1); break;
    case 2: ROWS(2); break;
    case 3: ROWS(3); break;
    case 4: ROWS(4); break;
    default: ROWS(8); break;
    }
#undef ROWS
}

AVX2_END
#endif

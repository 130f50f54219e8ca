// 3×3 convolutions to few output channels (≤ 4, or 8) with pixels in the vector lanes (`Tensor.convNarrow`).
#include "kernel_common.h"

#if defined(__x86_64__)

/// Leaky ReLU as `max(v, slope·v)` (the same values as `v ≥ 0 ? v : slope·v` for 0 ≤ slope ≤ 1); slope 1 is the
/// identity and costs nothing.
KERNEL INLINE __m512 leaky(__m512 v, float slope) {
    return slope == 1.0f ? v : _mm512_max_ps(v, _mm512_mul_ps(v, _mm512_set1_ps(slope)));
}

/// Every tap (dy, dx) and input channel `c`: X shifted vectors of the planar rows times O broadcast weights, into
/// the accumulators `ACC[o][v]` (reads the enclosing block's `p0`, `plane`, `inputs`, `kernel` and `x`).
#define NARROW_TAPS(ACC, X, O)                                                                                   \
    for (int dy = 0; dy < 3; dy++)                                                                               \
        for (int dx = 0; dx < 3; dx++)                                                                           \
            for (int c = 0; c < inputs; c++) {                                                                   \
                const float *row = p0 + ((long)dy * inputs + c) * plane + x + dx;                                \
                const float *w = kernel + ((dy * 3 + dx) * inputs + c) * O;                                      \
                __m512 in[4];                                                                                    \
                for (int v = 0; v < X; v++) in[v] = _mm512_loadu_ps(row + 16 * v);                              \
                for (int o = 0; o < O; o++) {                                                                    \
                    const __m512 wo = _mm512_set1_ps(w[o]);                                                      \
                    for (int v = 0; v < X; v++) ACC[o][v] = _mm512_fmadd_ps(in[v], wo, ACC[o][v]);               \
                }                                                                                                \
            }

/// Output pixels `x ..< x + 16·X` of row `y` (planar rows `p0` = input row y − 1, one channel after another), X
/// vectors per output channel: each (dy, dx, channel) loads X shifted vectors and multiplies them by O
/// broadcast weights, so X·O independent accumulators hide the multiply-add latency.
KERNEL INLINE void narrow_conv_block(const float *p0, long plane, int inputs, const float *kernel, const float *bias,
                                     float slope, const float *residual, float *out, long y, long width, long x,
                                     __mmask16 last, const int X, const int O) {
    __m512 acc[4][4];
    for (int o = 0; o < O; o++)
        for (int v = 0; v < X; v++) acc[o][v] = _mm512_set1_ps(bias ? bias[o] : 0.0f);
    NARROW_TAPS(acc, X, O)
    // Back to NHWC through a small block: O channels of 16·X pixels interleaved.
    float block[4 * 64] __attribute__((aligned(64)));
    for (int o = 0; o < O; o++)
        for (int v = 0; v < X; v++) _mm512_store_ps(block + (o * X + v) * 16, leaky(acc[o][v], slope));
    const long pixels = X == 1 ? __builtin_popcount(last) : 16 * X;
    float *dst = out + (y * width + x) * O;
    const float *res = residual ? residual + (y * width + x) * O : NULL;
    for (long i = 0; i < pixels; i++)
        for (int o = 0; o < O; o++) {
            const float value = block[(o * X + i / 16) * 16 + i % 16];
            dst[i * O + o] = res ? value + res[i * O + o] : value;
        }
}

/// Eight channel vectors of 16 pixels each (`r[o]`) to NHWC at `dst` (16 pixels × 8 channels), plus `res` (NHWC
/// like `dst`) where set: pairs of channels interleaved, then quadruples (each 128-bit lane then holds four channels
/// of one pixel), then lanes recombined into vectors of two whole pixels — 32 shuffles where a scalar copy took 128
/// loads and stores.
KERNEL INLINE void store_8_channels(const __m512 r[8], float *dst, const float *res) {
    const __m512 t0 = _mm512_unpacklo_ps(r[0], r[1]), t1 = _mm512_unpackhi_ps(r[0], r[1]);
    const __m512 t2 = _mm512_unpacklo_ps(r[2], r[3]), t3 = _mm512_unpackhi_ps(r[2], r[3]);
    const __m512 t4 = _mm512_unpacklo_ps(r[4], r[5]), t5 = _mm512_unpackhi_ps(r[4], r[5]);
    const __m512 t6 = _mm512_unpacklo_ps(r[6], r[7]), t7 = _mm512_unpackhi_ps(r[6], r[7]);
    // Lane L of a[j] holds channels 0-3 of pixel 4L + j, of b[j] channels 4-7.
    const __m512 a[4] = {_mm512_shuffle_ps(t0, t2, 0x44), _mm512_shuffle_ps(t0, t2, 0xEE),
                         _mm512_shuffle_ps(t1, t3, 0x44), _mm512_shuffle_ps(t1, t3, 0xEE)};
    const __m512 b[4] = {_mm512_shuffle_ps(t4, t6, 0x44), _mm512_shuffle_ps(t4, t6, 0xEE),
                         _mm512_shuffle_ps(t5, t7, 0x44), _mm512_shuffle_ps(t5, t7, 0xEE)};
    for (int j = 0; j < 4; j += 2) {  // pixels 4L + j and 4L + j + 1
        for (int half = 0; half < 2; half++) {  // lanes 0-1, then 2-3
            const __m512 w = half ? _mm512_shuffle_f32x4(a[j], b[j], _MM_SHUFFLE(3, 2, 3, 2))
                                  : _mm512_shuffle_f32x4(a[j], b[j], _MM_SHUFFLE(1, 0, 1, 0));
            const __m512 z = half ? _mm512_shuffle_f32x4(a[j + 1], b[j + 1], _MM_SHUFFLE(3, 2, 3, 2))
                                  : _mm512_shuffle_f32x4(a[j + 1], b[j + 1], _MM_SHUFFLE(1, 0, 1, 0));
            for (int l = 0; l < 2; l++) {
                const long pixel = 4 * (2 * half + l) + j;
                __m512 v = l ? _mm512_shuffle_f32x4(w, z, _MM_SHUFFLE(3, 1, 3, 1))
                             : _mm512_shuffle_f32x4(w, z, _MM_SHUFFLE(2, 0, 2, 0));
                if (res) v = _mm512_add_ps(v, _mm512_loadu_ps(res + pixel * 8));
                _mm512_storeu_ps(dst + pixel * 8, v);
            }
        }
    }
}

/// As `narrow_conv_block` for eight output channels: X·8 accumulators, written back by `store_8_channels` (a
/// partial last vector through a small block).
KERNEL INLINE void narrow_conv_block8(const float *p0, long plane, int inputs, const float *kernel, const float *bias,
                                      float slope, const float *residual, float *out, long y, long width, long x,
                                      __mmask16 last, const int X) {
    __m512 acc[8][2];
    for (int o = 0; o < 8; o++)
        for (int v = 0; v < X; v++) acc[o][v] = _mm512_set1_ps(bias ? bias[o] : 0.0f);
    NARROW_TAPS(acc, X, 8)
    for (int v = 0; v < X; v++) {
        __m512 r[8];
        for (int o = 0; o < 8; o++) r[o] = leaky(acc[o][v], slope);
        const long first = y * width + x + 16 * v;
        const float *res = residual ? residual + first * 8 : NULL;
        if (last == 0xFFFF) {
            store_8_channels(r, out + first * 8, res);
            continue;
        }
        float block[16 * 8] __attribute__((aligned(64)));
        store_8_channels(r, block, NULL);
        const int count = 8 * __builtin_popcount(last);
        for (int i = 0; i < count; i++) out[first * 8 + i] = res ? block[i] + res[i] : block[i];
    }
}

KERNEL INLINE void narrow_conv_rows(const float *image, long height, long width, int inputs, const float *kernel,
                                    const float *bias, float slope, const float *residual, long y0, long y1,
                                    float *scratch, float *out, const int O) {
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
        if (O == 8) {
            for (; x + 32 <= width; x += 32)
                narrow_conv_block8(p0, plane, inputs, kernel, bias, slope, residual, out, y, width, x, 0xFFFF, 2);
            for (; x < width; x += 16)
                narrow_conv_block8(p0, plane, inputs, kernel, bias, slope, residual, out, y, width, x,
                                   mask_of((int)(width - x < 16 ? width - x : 16)), 1);
            continue;
        }
        for (; x + 64 <= width; x += 64)
            narrow_conv_block(p0, plane, inputs, kernel, bias, slope, residual, out, y, width, x, 0xFFFF, 4, O);
        for (; x < width; x += 16)
            narrow_conv_block(p0, plane, inputs, kernel, bias, slope, residual, out, y, width, x,
                              mask_of((int)(width - x < 16 ? width - x : 16)), 1, O);
    }
}

KERNEL void mv_conv3x3_narrow_avx512(const float *image, long height, long width, int inputs, const float *kernel,
                              const float *bias, int outputs, float negative_slope, const float *residual, long y0,
                              long y1, float *scratch, float *out) {
#define ROWS(O) narrow_conv_rows(image, height, width, inputs, kernel, bias, negative_slope, residual, y0, y1, scratch, out, O)
    switch (outputs) {
    case 1: ROWS(1); break;
    case 2: ROWS(2); break;
    case 3: ROWS(3); break;
    case 4: ROWS(4); break;
    default: ROWS(8); break;
    }
#undef ROWS
}

#endif

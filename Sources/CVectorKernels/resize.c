// The bilinear resize's vertical and horizontal passes (`Tensor.resizedBilinear`).
#include "kernel_common.h"

#if defined(__x86_64__)

KERNEL void mv_resize_column_avx512(const float *first_row, long row_stride, const float *weights, long count, long length,
                             float *out) {
    long i = 0;
    for (; i + 64 <= length; i += 64) {  // four vectors at a time: independent chains
        __m512 y[4];
        for (int u = 0; u < 4; u++) y[u] = _mm512_setzero_ps();
        for (long t = 0; t < count; t++) {
            const __m512 w = _mm512_set1_ps(weights[t]);
            const float *row = first_row + t * row_stride + i;
            for (int u = 0; u < 4; u++) y[u] = _mm512_add_ps(y[u], _mm512_mul_ps(w, _mm512_loadu_ps(row + 16 * u)));
        }
        for (int u = 0; u < 4; u++) _mm512_storeu_ps(out + i + 16 * u, y[u]);
    }
    for (; i < length; i += 16) {
        const __mmask16 valid = mask_of((int)(length - i < 16 ? length - i : 16));
        __m512 y = _mm512_setzero_ps();
        for (long t = 0; t < count; t++)
            y = _mm512_add_ps(y, _mm512_mul_ps(_mm512_set1_ps(weights[t]),
                                               _mm512_maskz_loadu_ps(valid, first_row + t * row_stride + i)));
        _mm512_mask_storeu_ps(out + i, valid, y);
    }
}

KERNEL void mv_resize_row_avx512(const float *src, int channels, int out_width, const long *first, const long *count,
                          const float *weights, long stride, float *out) {
    for (int x = 0; x < out_width; x++) {
        const float *s = src + first[x] * channels, *w = weights + x * stride;
        float *d = out + (long)x * channels;
        for (int c = 0; c < channels; c += 16) {
            const __mmask16 valid = mask_of(channels - c);
            __m512 y = _mm512_setzero_ps();
            if (count[x] > 0) y = _mm512_mul_ps(_mm512_set1_ps(w[0]), _mm512_maskz_loadu_ps(valid, s + c));
            for (long t = 1; t < count[x]; t++)
                y = _mm512_add_ps(y, _mm512_mul_ps(_mm512_set1_ps(w[t]), _mm512_maskz_loadu_ps(valid, s + t * channels + c)));
            _mm512_mask_storeu_ps(d + c, valid, y);
        }
    }
}

#endif

// The bilinear resize's passes for AVX2: `resize.c`'s sums (multiply, then add, in tap order) on 8-lane vectors.
#include "avx2_common.h"

#if defined(__x86_64__)
AVX2_BEGIN

void mv_resize_column_avx2(const float *first_row, long row_stride, const float *weights, long count, long length,
                           float *out) {
    long i = 0;
    for (; i + 32 <= length; i += 32) {  // four vectors at a time: independent chains
        __m256 y[4];
        for (int u = 0; u < 4; u++) y[u] = _mm256_setzero_ps();
        for (long t = 0; t < count; t++) {
            const __m256 w = _mm256_set1_ps(weights[t]);
            const float *row = first_row + t * row_stride + i;
            for (int u = 0; u < 4; u++) y[u] = _mm256_add_ps(y[u], _mm256_mul_ps(w, _mm256_loadu_ps(row + 8 * u)));
        }
        for (int u = 0; u < 4; u++) _mm256_storeu_ps(out + i + 8 * u, y[u]);
    }
    for (; i < length; i += 8) {
        const int valid = (int)(length - i < 8 ? length - i : 8);
        __m256 y = _mm256_setzero_ps();
        for (long t = 0; t < count; t++)
            y = _mm256_add_ps(y, _mm256_mul_ps(_mm256_set1_ps(weights[t]), load_n(first_row + t * row_stride + i, valid)));
        store_n(out + i, y, valid);
    }
}

void mv_resize_row_avx2(const float *src, int channels, int out_width, const long *first, const long *count,
                        const float *weights, long stride, float *out) {
    for (int x = 0; x < out_width; x++) {
        const float *s = src + first[x] * channels, *w = weights + x * stride;
        float *d = out + (long)x * channels;
        for (int c = 0; c < channels; c += 8) {
            const int valid = channels - c;
            __m256 y = _mm256_setzero_ps();
            if (count[x] > 0) y = _mm256_mul_ps(_mm256_set1_ps(w[0]), load_n(s + c, valid));
            for (long t = 1; t < count[x]; t++)
                y = _mm256_add_ps(y, _mm256_mul_ps(_mm256_set1_ps(w[t]), load_n(s + t * channels + c, valid)));
            store_n(d + c, y, valid);
        }
    }
}

AVX2_END
#endif

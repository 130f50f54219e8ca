// Winograd F(2×2, 3×3) transforms for AVX2 + FMA (Lavin & Gray 2016): a 3×3 convolution as 16 products of
// transformed input tiles and transformed kernels, 2.25× fewer multiplications than the direct sum. The input and
// output transforms below run 8 channels per vector; the products between them are the caller's library GEMMs.
#include "avx2_common.h"

/// `U[ξ][c][o]` (ξ = 4·i + j) = `(G · g · Gᵀ)[i][j]` for each input channel c and output o of the HWIO kernel `g`, with
/// `G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]`. Portable C: run once per kernel.
void mv_winograd_kernel(const float *kernel, int inputs, int outputs, float *u) {
    const long plane = (long)inputs * outputs;
    for (long co = 0; co < plane; co++) {
        float g[3][3], t[4][3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) g[i][j] = kernel[(i * 3 + j) * plane + co];
        for (int j = 0; j < 3; j++) {
            t[0][j] = g[0][j];
            t[1][j] = 0.5f * (g[0][j] + g[1][j] + g[2][j]);
            t[2][j] = 0.5f * (g[0][j] - g[1][j] + g[2][j]);
            t[3][j] = g[2][j];
        }
        for (int i = 0; i < 4; i++) {
            u[(i * 4 + 0) * plane + co] = t[i][0];
            u[(i * 4 + 1) * plane + co] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
            u[(i * 4 + 2) * plane + co] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
            u[(i * 4 + 3) * plane + co] = t[i][2];
        }
    }
}

#if defined(__x86_64__)

static const float winograd_zeros[MV_WINOGRAD_MAX_CHANNELS];

AVX2_BEGIN

/// `Bᵀ · d · B` on 4×4 vectors, `Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]]`.
INLINE2 void input_tile(const float *const d[16], long c, float *v, long plane) {
    __m256 a[4][4];
    for (int j = 0; j < 4; j++) {
        const __m256 d0 = _mm256_loadu_ps(d[j] + c), d1 = _mm256_loadu_ps(d[4 + j] + c),
                     d2 = _mm256_loadu_ps(d[8 + j] + c), d3 = _mm256_loadu_ps(d[12 + j] + c);
        a[0][j] = _mm256_sub_ps(d0, d2);
        a[1][j] = _mm256_add_ps(d1, d2);
        a[2][j] = _mm256_sub_ps(d2, d1);
        a[3][j] = _mm256_sub_ps(d1, d3);
    }
    for (int i = 0; i < 4; i++) {
        _mm256_storeu_ps(v + (i * 4 + 0) * plane + c, _mm256_sub_ps(a[i][0], a[i][2]));
        _mm256_storeu_ps(v + (i * 4 + 1) * plane + c, _mm256_add_ps(a[i][1], a[i][2]));
        _mm256_storeu_ps(v + (i * 4 + 2) * plane + c, _mm256_sub_ps(a[i][2], a[i][1]));
        _mm256_storeu_ps(v + (i * 4 + 3) * plane + c, _mm256_sub_ps(a[i][1], a[i][3]));
    }
}

void mv_winograd_input_avx2(const float *image, long height, long width, int channels, long tile_row0,
                            long tile_row1, float *v, long plane) {
    const long tiles_across = (width + 1) / 2;
    for (long ty = tile_row0; ty < tile_row1; ty++)
        for (long tx = 0; tx < tiles_across; tx++) {
            const float *d[16];
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++) {
                    const long y = 2 * ty - 1 + i, x = 2 * tx - 1 + j;
                    d[i * 4 + j] = y >= 0 && y < height && x >= 0 && x < width ? image + (y * width + x) * channels
                                                                               : winograd_zeros;
                }
            float *tile = v + ((ty - tile_row0) * tiles_across + tx) * channels;
            for (long c = 0; c < channels; c += 8) input_tile(d, c, tile, plane);
        }
}

void mv_winograd_output_avx2(const float *m, long plane, int channels, const float *bias, long tile_row0,
                             long tile_row1, long height, long width, float *out) {
    const long tiles_across = (width + 1) / 2;
    for (long ty = tile_row0; ty < tile_row1; ty++)
        for (long tx = 0; tx < tiles_across; tx++) {
            const float *tile = m + ((ty - tile_row0) * tiles_across + tx) * channels;
            const long y = 2 * ty, x = 2 * tx;
            float *o00 = out + (y * width + x) * channels;
            const int down = y + 1 < height, right = x + 1 < width;
            for (long c = 0; c < channels; c += 8) {
                // Aᵀ · M · A with Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]]: columns first, then rows.
                __m256 a[2][4];
                for (int j = 0; j < 4; j++) {
                    const __m256 m0 = _mm256_loadu_ps(tile + (0 * 4 + j) * plane + c),
                                 m1 = _mm256_loadu_ps(tile + (1 * 4 + j) * plane + c),
                                 m2 = _mm256_loadu_ps(tile + (2 * 4 + j) * plane + c),
                                 m3 = _mm256_loadu_ps(tile + (3 * 4 + j) * plane + c);
                    a[0][j] = _mm256_add_ps(_mm256_add_ps(m0, m1), m2);
                    a[1][j] = _mm256_sub_ps(_mm256_sub_ps(m1, m2), m3);
                }
                const __m256 b = bias ? _mm256_loadu_ps(bias + c) : _mm256_setzero_ps();
                for (int i = 0; i < 1 + down; i++) {
                    float *row = o00 + i * width * channels;
                    _mm256_storeu_ps(row + c, _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a[i][0], a[i][1]), a[i][2]), b));
                    if (right)
                        _mm256_storeu_ps(row + channels + c,
                                         _mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(a[i][1], a[i][2]), a[i][3]), b));
                }
            }
        }
}

AVX2_END
#endif

#ifndef MAXIM_AVX2_COMMON_H
#define MAXIM_AVX2_COMMON_H

// What the AVX2 kernels (`*_avx2.c`) share: partial-vector loads and stores, tanh-GELU and the row statistics of a
// LayerNorm, on 8-lane vectors. Each such file compiles its functions for AVX2 + FMA between `AVX2_BEGIN` and
// `AVX2_END`.
#include "kernel_common.h"

#if defined(__x86_64__)
#define AVX2_BEGIN _Pragma("clang attribute push(__attribute__((target(\"avx2,fma\"))), apply_to = function)")
#define AVX2_END _Pragma("clang attribute pop")

AVX2_BEGIN

#define INLINE2 static inline __attribute__((always_inline))

static const int32_t avx2_mask_table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

/// Lanes `0 ..< count` set (count clamped to 0…8).
INLINE2 __m256i lanes_mask(int count) {
    count = count < 0 ? 0 : count > 8 ? 8 : count;
    return _mm256_loadu_si256((const __m256i *)(avx2_mask_table + 8 - count));
}

/// The first `count` floats at `p` (all 8 for count ≥ 8), zero in the other lanes; nothing past them is read.
/// Half vectors (a 12-channel row's tail) take a 128-bit load: `vmaskmovps` is slow on AMD cores.
INLINE2 __m256 load_n(const float *p, int count) {
    if (count >= 8) return _mm256_loadu_ps(p);
    if (count == 4) return _mm256_zextps128_ps256(_mm_loadu_ps(p));
    if (count <= 0) return _mm256_setzero_ps();
    return _mm256_maskload_ps(p, lanes_mask(count));
}

/// Stores the first `count` lanes of `v` (all 8 for count ≥ 8); nothing past them is written.
INLINE2 void store_n(float *p, __m256 v, int count) {
    if (count >= 8) _mm256_storeu_ps(p, v);
    else if (count == 4) _mm_storeu_ps(p, _mm256_castps256_ps128(v));
    else if (count > 0) _mm256_maskstore_ps(p, lanes_mask(count), v);
}

/// tanh-GELU as the AVX-512 kernel computes it (`gelu_ps` in `thin_dense.c`: `x / (1 + 2^t)`, `2^f` by the same
/// degree-5 polynomial), with AVX2's means: `x` clamped by min/max, `2^⌊t⌋` built in the exponent bits, the
/// reciprocal estimate (2⁻¹²) refined by one Newton step.
INLINE2 __m256 gelu8(__m256 x) {
    const float a = -2.3022082f;  // −2·√(2/π)·log₂e
    const __m256 xc = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-10.0f)), _mm256_set1_ps(10.0f));
    const __m256 t = _mm256_mul_ps(xc, _mm256_fmadd_ps(_mm256_mul_ps(xc, xc), _mm256_set1_ps(0.044715f * a),
                                                       _mm256_set1_ps(a)));
    const __m256 whole = _mm256_floor_ps(t);
    const __m256 f = _mm256_sub_ps(t, whole);
    __m256 p = _mm256_set1_ps(1.87765e-3f);
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(8.98917e-3f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(5.582646e-2f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(2.4015357e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(6.931531e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(9.9999994e-1f));
    // |t| ≤ 126: 2^⌊t⌋ is a normal float.
    const __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(whole), _mm256_set1_epi32(127)), 23);
    const __m256 d = _mm256_fmadd_ps(p, _mm256_castsi256_ps(exponent), _mm256_set1_ps(1.0f));
    __m256 r = _mm256_rcp_ps(d);
    r = _mm256_mul_ps(r, _mm256_fnmadd_ps(d, r, _mm256_set1_ps(2.0f)));
    return _mm256_mul_ps(x, r);
}

/// The eight lanes of each of eight vectors summed: row r's total in lane r.
INLINE2 __m256 sum_lanes_8x8(const __m256 s[8]) {
    const __m256 t0 = _mm256_hadd_ps(s[0], s[1]), t1 = _mm256_hadd_ps(s[2], s[3]);
    const __m256 t2 = _mm256_hadd_ps(s[4], s[5]), t3 = _mm256_hadd_ps(s[6], s[7]);
    const __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3);
    return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

/// Mean and 1/√(var + ε) of eight rows of `k` channels (lane r: row r) from their sums and sums of squares
/// (one-pass variance, as flax, clamped at 0).
INLINE2 void row_statistics8(__m256 sums, __m256 squares, int k, float epsilon, __m256 *mean, __m256 *rstd) {
    const __m256 inv = _mm256_set1_ps(1.0f / (float)k);
    *mean = _mm256_mul_ps(sums, inv);
    __m256 variance = _mm256_fnmadd_ps(*mean, *mean, _mm256_mul_ps(squares, inv));
    variance = _mm256_max_ps(variance, _mm256_setzero_ps());
    const __m256 shifted = _mm256_add_ps(variance, _mm256_set1_ps(epsilon));
    *rstd = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_sqrt_ps(shifted));
}

/// Lane `lane` of `v` in every lane.
INLINE2 __m256 lane_broadcast(__m256 v, int lane) { return _mm256_permutevar8x32_ps(v, _mm256_set1_epi32(lane)); }

AVX2_END

#endif
#endif

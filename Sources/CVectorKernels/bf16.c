// Rounding fp32 activations to bfloat16 for the bf16 products (`BF16.convert`).
#include "kernel_common.h"

#if defined(__x86_64__)

KERNEL void mv_round_bf16_avx512(const float *src, long rows, long columns, long stride, uint16_t *dst) {
    const __m512i half = _mm512_set1_epi32(0x7FFF), one = _mm512_set1_epi32(1), quiet = _mm512_set1_epi32(0x40);
    const __m512i magnitude = _mm512_set1_epi32(0x7FFFFFFF), infinity = _mm512_set1_epi32(0x7F800000);
    for (long r = 0; r < rows; r++) {
        const float *s = src + r * stride;
        uint16_t *d = dst + r * columns;
        for (long c = 0; c < columns; c += 16) {
            const __mmask16 valid = mask_of(columns - c < 16 ? (int)(columns - c) : 16);
            const __m512i bits = _mm512_maskz_loadu_epi32(valid, s + c);
            const __m512i upper = _mm512_srli_epi32(bits, 16);
            __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(bits, half), _mm512_and_si512(upper, one)), 16);
            // A NaN would carry into the exponent and round to infinity: keep it a quiet NaN instead.
            const __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(bits, magnitude), infinity);
            rounded = _mm512_mask_mov_epi32(rounded, nan, _mm512_or_si512(upper, quiet));
            _mm512_mask_cvtepi32_storeu_epi16(d + c, valid, rounded);
        }
    }
}

#endif

#ifndef MAXIM_KERNEL_COMMON_H
#define MAXIM_KERNEL_COMMON_H

// What the AVX-512 kernels of this target share (not part of its public header, `include/vector_kernels.h`).
#include "vector_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

// Only these functions use AVX-512; the rest of the binary stays x86-64-v3 and the caller checks the CPU first.
#define KERNEL __attribute__((target("avx512f,avx512dq,fma")))
#define INLINE static inline __attribute__((always_inline))

static inline __mmask16 mask_of(int count) {
    return count >= 16 ? 0xFFFF : count <= 0 ? 0 : (__mmask16)((1u << count) - 1);
}

/// Copies, or LayerNorms when `scale` is set, `count` ≤ 8 rows of `k` ≤ MV_THIN_ROW_MAX_CHANNELS channels: row r
/// from `src + offsets[r]` (`src + r·src_stride` without offsets) to `dst + r·dst_stride`, the rows held in
/// registers (`thin_dense.c`, the dense kernel's own LayerNorm); `whole` stores every vector of a row, zero past `k`.
KERNEL __attribute__((visibility("hidden"))) void mv_copy_rows(const float *src, const long *offsets, long src_stride,
                                                               float *dst, long dst_stride, int count, int k,
                                                               const float *scale, const float *bias, float epsilon,
                                                               int whole);

#endif
#endif

// The public kernels: each calls the AVX-512 or the AVX2 variant, whichever this CPU runs (chosen once).
#include "kernel_common.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

enum { ISA_NONE = 0, ISA_AVX2 = 1, ISA_AVX512 = 2 };

/// The widest kernel set CPU and OS run: AVX-512 F/DQ where the OS saves the ZMM and opmask registers, else AVX2 with
/// FMA where it saves the YMM registers. `MAXIM_VECTOR_ISA=avx2` takes the AVX2 kernels on an AVX-512 CPU too (to
/// compare the two on one machine); it never raises the level above what the CPU has.
static int detect_isa(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_FMA)) return ISA_NONE;
    unsigned lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return ISA_NONE;
    const int avx2 = (b & bit_AVX2) && (lo & 0x6) == 0x6;
    const int avx512 = avx2 && (b & bit_AVX512F) && (b & bit_AVX512DQ) && (lo & 0xE6) == 0xE6;
    const char *request = getenv("MAXIM_VECTOR_ISA");
    if (avx512 && !(request && strcmp(request, "avx2") == 0)) return ISA_AVX512;
    return avx2 ? ISA_AVX2 : ISA_NONE;
}

static int isa_level(void) {
    static int level = -1;  // every thread that finds it unset computes the same value
    int known = __atomic_load_n(&level, __ATOMIC_RELAXED);
    if (known < 0) {
        known = detect_isa();
        __atomic_store_n(&level, known, __ATOMIC_RELAXED);
    }
    return known;
}

int mv_thin_dense_available(void) { return isa_level() != ISA_NONE; }

const char *mv_vector_isa_name(void) {
    switch (isa_level()) {
    case ISA_AVX512: return "avx512";
    case ISA_AVX2: return "avx2";
    default: return "none";
    }
}

#define DISPATCH(NAME, ...)                                                                                      \
    do {                                                                                                         \
        if (isa_level() == ISA_AVX512) NAME##_avx512(__VA_ARGS__);                                               \
        else NAME##_avx2(__VA_ARGS__);                                                                           \
    } while (0)

void mv_thin_dense(const mv_thin_dense_problem *problem, long begin, long end) {
    DISPATCH(mv_thin_dense, problem, begin, end);
}

void mv_thin_layer_norm(const float *src, float *dst, long rows, int channels, long stride, const float *scale,
                        const float *bias, float epsilon) {
    DISPATCH(mv_thin_layer_norm, src, dst, rows, channels, stride, scale, bias, epsilon);
}

void mv_spatial_gather(const float *image, long pixel_stride, const long *mix_offsets, int mix_count,
                       const long *other_offsets, int other_count, int k, float *dst, const float *scale,
                       const float *bias, float epsilon) {
    DISPATCH(mv_spatial_gather, image, pixel_stride, mix_offsets, mix_count, other_offsets, other_count, k, dst, scale,
             bias, epsilon);
}

void mv_spatial_scatter(const float *mixed, const long *mix_offsets, int mix_count, const long *other_offsets,
                        int other_count, int k, const float *bias, const float *gate, long gate_stride,
                        const mv_scatter_projection *projection, float *out) {
    DISPATCH(mv_spatial_scatter, mixed, mix_offsets, mix_count, other_offsets, other_count, k, bias, gate, gate_stride,
             projection, out);
}

void mv_conv3x3_narrow(const float *image, long height, long width, int inputs, const float *kernel,
                       const float *bias, int outputs, float negative_slope, const float *residual, long y0, long y1,
                       float *scratch, float *out) {
    DISPATCH(mv_conv3x3_narrow, image, height, width, inputs, kernel, bias, outputs, negative_slope, residual, y0, y1,
             scratch, out);
}

void mv_resize_column(const float *first_row, long row_stride, const float *weights, long count, long length,
                      float *out) {
    DISPATCH(mv_resize_column, first_row, row_stride, weights, count, length, out);
}

void mv_resize_row(const float *src, int channels, int out_width, const long *first, const long *count,
                   const float *weights, long stride, float *out) {
    DISPATCH(mv_resize_row, src, channels, out_width, first, count, weights, stride, out);
}

void mv_round_bf16(const float *src, long rows, long columns, long stride, uint16_t *dst) {
    mv_round_bf16_avx512(src, rows, columns, stride, dst);
}

void mv_gelu_adding(float *values, const float *bias, long count) { DISPATCH(mv_gelu_adding, values, bias, count); }

void mv_winograd_input(const float *image, long height, long width, int channels, long tile_row0, long tile_row1,
                       float *v, long plane) {
    mv_winograd_input_avx2(image, height, width, channels, tile_row0, tile_row1, v, plane);
}

void mv_winograd_output(const float *m, long plane, int channels, const float *bias, long tile_row0, long tile_row1,
                        long height, long width, float *out) {
    mv_winograd_output_avx2(m, plane, channels, bias, tile_row0, tile_row1, height, width, out);
}

#else  // no x86 vector kernels on this architecture: callers take the portable paths

int mv_thin_dense_available(void) { return 0; }
const char *mv_vector_isa_name(void) { return "none"; }
void mv_thin_dense(const mv_thin_dense_problem *problem, long begin, long end) { (void)problem, (void)begin, (void)end; }
void mv_thin_layer_norm(const float *src, float *dst, long rows, int channels, long stride, const float *scale,
                        const float *bias, float epsilon) {
    (void)src, (void)dst, (void)rows, (void)channels, (void)stride, (void)scale, (void)bias, (void)epsilon;
}
void mv_spatial_gather(const float *image, long pixel_stride, const long *mix_offsets, int mix_count,
                       const long *other_offsets, int other_count, int k, float *dst, const float *scale,
                       const float *bias, float epsilon) {
    (void)image, (void)pixel_stride, (void)mix_offsets, (void)mix_count, (void)other_offsets, (void)other_count;
    (void)k, (void)dst, (void)scale, (void)bias, (void)epsilon;
}
void mv_spatial_scatter(const float *mixed, const long *mix_offsets, int mix_count, const long *other_offsets,
                        int other_count, int k, const float *bias, const float *gate, long gate_stride,
                        const mv_scatter_projection *projection, float *out) {
    (void)mixed, (void)mix_offsets, (void)mix_count, (void)other_offsets, (void)other_count, (void)k, (void)bias;
    (void)gate, (void)gate_stride, (void)projection, (void)out;
}
void mv_conv3x3_narrow(const float *image, long height, long width, int inputs, const float *kernel,
                       const float *bias, int outputs, float negative_slope, const float *residual, long y0, long y1,
                       float *scratch, float *out) {
    (void)image, (void)height, (void)width, (void)inputs, (void)kernel, (void)bias, (void)outputs, (void)residual;
    (void)negative_slope, (void)y0, (void)y1, (void)scratch, (void)out;
}
void mv_resize_column(const float *first_row, long row_stride, const float *weights, long count, long length,
                      float *out) {
    (void)first_row, (void)row_stride, (void)weights, (void)count, (void)length, (void)out;
}
void mv_resize_row(const float *src, int channels, int out_width, const long *first, const long *count,
                   const float *weights, long stride, float *out) {
    (void)src, (void)channels, (void)out_width, (void)first, (void)count, (void)weights, (void)stride, (void)out;
}
void mv_round_bf16(const float *src, long rows, long columns, long stride, uint16_t *dst) {
    (void)src, (void)rows, (void)columns, (void)stride, (void)dst;
}
void mv_gelu_adding(float *values, const float *bias, long count) { (void)values, (void)bias, (void)count; }
void mv_winograd_input(const float *image, long height, long width, int channels, long tile_row0, long tile_row1,
                       float *v, long plane) {
    (void)image, (void)height, (void)width, (void)channels, (void)tile_row0, (void)tile_row1, (void)v, (void)plane;
}
void mv_winograd_output(const float *m, long plane, int channels, const float *bias, long tile_row0, long tile_row1,
                        long height, long width, float *out) {
    (void)m, (void)plane, (void)channels, (void)bias, (void)tile_row0, (void)tile_row1, (void)height, (void)width;
    (void)out;
}

#endif

long mv_conv3x3_narrow_scratch(long rows, long width, int inputs) {
    return (rows + 2) * inputs * narrow_plane_width(width) + 16;
}

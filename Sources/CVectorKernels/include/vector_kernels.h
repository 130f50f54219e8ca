#ifndef MAXIM_VECTOR_KERNELS_H
#define MAXIM_VECTOR_KERNELS_H

#include <stdint.h>

/// Vector kernels (AVX-512 or AVX2) for the thin paths of the engine and the bf16 products' rounding, each checked by
/// its caller (`mv_thin_dense_available`): dense layers (below), spatial mixing's gather and scatter, narrow 3×3 convolutions
/// and the bilinear resize's passes. Off x86-64 they are stubs the callers never reach.
///
/// A dense layer on thin rows (N ≤ 128 output channels per pixel; K input channels, at most 64 where a LayerNorm
/// or gate reads the single input first, and with the kernel padded to whole vectors of outputs at most
/// MV_THIN_DENSE_MAX_KERNEL floats) in one pass:
/// `out = act(prologue(concat(inputs)) · kernel + bias) + Σ residuals`, where the prologue is a LayerNorm or an
/// elementwise gate of the single input. Library GEMMs spend most of their time on call set-up and edges at these
/// sizes and need separate passes for the normalisation and the epilogue; here a block of rows stays in registers
/// from the normalised input to the stored output.

#define MV_THIN_DENSE_MAX_K 64
#define MV_THIN_DENSE_MAX_N 128
/// K × (N rounded up to 16): at most 64 KiB of packed kernel on the stack (a 4×48 → 48 fusion takes 36 KiB).
#define MV_THIN_DENSE_MAX_KERNEL 16384
/// The widest row `mv_thin_layer_norm` and `mv_spatial_gather` take (their rows are held in registers).
#define MV_THIN_ROW_MAX_CHANNELS 64
#define MV_THIN_DENSE_MAX_INPUTS 4
#define MV_THIN_DENSE_MAX_RESIDUALS 4

typedef struct {
    int n;  ///< output channels (row length of `kernel`, `bias`, `out`)
    int input_count;
    const float *inputs[MV_THIN_DENSE_MAX_INPUTS];  ///< row 0 of each input
    long input_strides[MV_THIN_DENSE_MAX_INPUTS];   ///< floats between rows
    int input_widths[MV_THIN_DENSE_MAX_INPUTS];     ///< channels of each input; their sum is K
    const float *norm_scale;  ///< LayerNorm of the single input (one-pass variance, as flax), or NULL
    const float *norm_bias;
    float norm_epsilon;
    const float *gate;  ///< [rows, K] elementwise gate of the single input, or NULL
    const float *kernel;  ///< [K, n] row-major
    const float *bias;    ///< [n], or NULL
    int gelu;             ///< tanh-GELU after the bias
    int residual_count;
    const float *residuals[MV_THIN_DENSE_MAX_RESIDUALS];  ///< row 0 of each residual (n channels read per row)
    long residual_strides[MV_THIN_DENSE_MAX_RESIDUALS];
    float *out;  ///< [rows, n], dense
} mv_thin_dense_problem;

/// 1 when this CPU and OS run the kernels: AVX-512 (F, DQ) or AVX2 with FMA, each with its own variant of every
/// kernel; `MAXIM_VECTOR_ISA=avx2` takes the AVX2 ones on an AVX-512 CPU.
int mv_thin_dense_available(void);

/// The variant in use: "avx512", "avx2" or "none".
const char *mv_vector_isa_name(void);

/// Computes rows `begin ..< end` of `problem` (every pointer in it is at row 0, so one problem serves every chunk
/// of a layer); the caller checked `mv_thin_dense_available()` and the size limits.
void mv_thin_dense(const mv_thin_dense_problem *problem, long begin, long end);

/// LayerNorm over each of `rows` rows of `channels` (1…MV_THIN_ROW_MAX_CHANNELS) floats: row r read at `src + r·stride`, written to
/// `dst + r·channels` (in place when `dst == src` and `stride == channels`); the variance is one-pass
/// `E[x²] − E[x]²`, clamped at 0, as the reference computes it: the dense kernel's LayerNorm, eight rows' statistics
/// at once, one refined vector reciprocal square root per eight rows (within ~2 ulp of 1/√). The caller checked `mv_thin_dense_available()`.
void mv_thin_layer_norm(const float *src, float *dst, long rows, int channels, long stride, const float *scale,
                        const float *bias, float epsilon);

/// Spatial mixing's gather: for each `m < mix_count`, `o < other_count`, the `k` floats at
/// `image + (mix_offsets[m] + other_offsets[o])·pixel_stride` become row `m·other_count + o` of the dense
/// `[mix_count·other_count, k]` matrix `dst` (k ≤ MV_THIN_ROW_MAX_CHANNELS), LayerNorm'd on the way (as `mv_thin_layer_norm`) when `scale` is set.
/// One masked vector load and store per 16 channels, where a `memcpy` per pixel spent most of its time in the call.
void mv_spatial_gather(const float *image, long pixel_stride, const long *mix_offsets, int mix_count,
                       const long *other_offsets, int other_count, int k, float *dst, const float *scale,
                       const float *bias, float epsilon);

/// The Dense that follows a spatial mix (a gMLP layer's `out_project`; the second mix of a cross-gating block's
/// `out_project` over both mixes), applied per pixel inside the scatter:
/// `out[q] = concat(prefix[q], g) · kernel + bias + residual[q]`, where `g` is the scattered row — so the mixed rows
/// are never written out and read back. The sums run in the dense kernel's order (the prefix's products from zero,
/// the bias, the row's products, the residual; without a prefix the row's products, the bias, the residual), so the
/// result has the same bits as the scatter followed by `mv_thin_dense`.
typedef struct {
    int n;                  ///< output channels (≤ MV_THIN_ROW_MAX_CHANNELS)
    const float *kernel;    ///< [prefix_width + k, n] row-major (each part ≤ MV_THIN_ROW_MAX_CHANNELS rows)
    const float *bias;      ///< [n], or NULL
    const float *residual;  ///< pixel q's n channels at `residual + q·residual_stride`, or NULL
    long residual_stride;
    const float *prefix;  ///< pixel q's `prefix_width` input channels at `prefix + q·prefix_stride`, or NULL
    long prefix_stride;
    int prefix_width;
    /// 0: the gate and residual rows of pixel q are read at q, as the output row and the prefix; 1: at the mixed
    /// row's index `m·other_count + o` (rows gathered beside `mixed` in its order, as a fused mix's chunk has them).
    int inputs_by_row;
} mv_scatter_projection;

/// Spatial mixing's scatter, the inverse walk of `mv_spatial_gather`: row `m·other_count + o` of `mixed` plus
/// `bias[m]` (when set) goes to pixel `q = mix_offsets[m] + other_offsets[o]` of the dense `[pixels, k]` output,
/// multiplied first as `gate[q·gate_stride + i] · (value + 1)` when `gate` is set (the gMLP's gating unit). With a
/// `projection`, the row goes through it instead and `out` is `[pixels, projection->n]`.
void mv_spatial_scatter(const float *mixed, const long *mix_offsets, int mix_count, const long *other_offsets,
                        int other_count, int k, const float *bias, const float *gate, long gate_stride,
                        const mv_scatter_projection *projection, float *out);

/// The widest input of `mv_conv3x3_narrow`; its outputs are 1 to 4 channels, or 8.
#define MV_NARROW_CONV_MAX_INPUTS 64

/// Floats of scratch `mv_conv3x3_narrow` needs for a band of `rows` output rows of an image `width` pixels wide.
long mv_conv3x3_narrow_scratch(long rows, long width, int inputs);

/// A 3×3 convolution, stride 1, zero padding 1 ('SAME'), to few output channels (a MAXIM output convolution: 12 → 3;
/// a features-8 model's convolutions: 8 → 8), with pixels in the vector lanes: output rows `y0 ..< y1` of `out`
/// (NHWC, `outputs` 1 to 4 or 8 channels) from the NHWC `image` (`height` × `width`, `inputs` ≤
/// MV_NARROW_CONV_MAX_INPUTS channels), plus `bias`, then leaky ReLU with `negative_slope` in [0, 1] (1: none), then
/// `residual` (NHWC like `out`) where set. The band's input rows are first turned planar (one zero-bordered row per
/// channel, in `scratch`), then each output vector of 16 pixels is a sum of shifted row vectors times broadcast
/// weights: with channels in the lanes, 3 outputs would use 3 of 16 lanes, 8 outputs 8. Sums run over
/// (dy, dx, input) in that order after the bias.
void mv_conv3x3_narrow(const float *image, long height, long width, int inputs, const float *kernel,
                       const float *bias, int outputs, float negative_slope, const float *residual, long y0, long y1,
                       float *scratch, float *out);

/// A resize's vertical pass for one output row from `count` consecutive input rows, the first at `first_row`, the
/// next `row_stride` floats on: `out[i] = Σ_t weights[t] · first_row[t·row_stride + i]` for `i < length`, starting
/// from the first product and multiplying and adding apart in that order (as the Swift loop it replaces, so both
/// give the same bits); zero when `count` is 0.
void mv_resize_column(const float *first_row, long row_stride, const float *weights, long count, long length,
                      float *out);

/// A resize's horizontal pass over one row of `channels`-channel pixels: output pixel x is
/// `Σ_t weights[x·stride + t] · src[first[x] + t]` for `t < count[x]`, multiplied and added in that order (as the
/// Swift loop it replaces, so both give the same bits); zero when `count[x]` is 0.
void mv_resize_row(const float *src, int channels, int out_width, const long *first, const long *count,
                   const float *weights, long stride, float *out);

/// `values[i] = GELU(values[i] + bias[i])` for `i < count` (no bias where `bias` is NULL), tanh-GELU as the dense
/// kernel computes it on its registers (`x / (1 + 2^t)` with a polynomial `2^f` and a refined reciprocal estimate):
/// the library path's epilogue, where the exact division of the Swift loop took 10 % of a deblur tile on AVX2.
void mv_gelu_adding(float *values, const float *bias, long count);

/// The widest input or output of the Winograd transforms (their zero padding is a static row of this many floats).
#define MV_WINOGRAD_MAX_CHANNELS 1024

/// A 3×3 convolution (stride 1, zero padding 1) as Winograd F(2×2, 3×3): each 2×2 block of output pixels ("tile")
/// from a 4×4 block of input pixels, through 16 products `M[ξ] = V[ξ] · U[ξ]` (ξ < 16) of `[tiles, inputs]` by
/// `[inputs, outputs]` matrices, which the caller runs. Channel counts are multiples of 8, at most
/// MV_WINOGRAD_MAX_CHANNELS; the caller checked `mv_thin_dense_available()`.
///
/// The kernel transform, `u[ξ][c][o]` for the HWIO kernel `[3, 3, inputs, outputs]` (portable; once per kernel).
void mv_winograd_kernel(const float *kernel, int inputs, int outputs, float *u);

/// The input transform of tile rows `tile_row0 ..< tile_row1` (of `(height + 1) / 2`; each `(width + 1) / 2` tiles) of
/// an NHWC image: `v[ξ·plane + t·channels + c]`, t the tile's index among the band's (row-major), pixels outside the
/// image zero. `plane` ≥ tiles · channels; not a multiple of 4 KiB, or the 16 planes a tile writes share cache sets.
void mv_winograd_input(const float *image, long height, long width, int channels, long tile_row0, long tile_row1,
                       float *v, long plane);

/// The output transform of the same tile rows from the products `m[ξ·plane + t·channels + o]`, plus `bias` where
/// set: output rows `2·tile_row0 ..< min(height, 2·tile_row1)` of the NHWC `out` (row 0 of the image), pixels past
/// the image skipped.
void mv_winograd_output(const float *m, long plane, int channels, const float *bias, long tile_row0, long tile_row1,
                        long height, long width, float *out);

/// `rows × columns` floats, rows `stride` apart, rounded to bfloat16 (ties to even; a NaN stays a quiet NaN with its
/// sign and upper bits) into a dense `rows × columns` matrix: the bits of `BF16.round`, sixteen lanes at a time.
/// Subnormals are rounded like any other value (unlike `vcvtneps2bf16`, which flushes them).
/// AVX-512 only: the caller checked `mv_vector_isa_name()` is "avx512" (elsewhere it takes its portable loop).
void mv_round_bf16(const float *src, long rows, long columns, long stride, uint16_t *dst);

#endif

#ifndef MAXIM_THIN_DENSE_H
#define MAXIM_THIN_DENSE_H

/// A dense layer on thin rows (K ≤ 64 input and N ≤ 128 output channels per pixel) in one pass:
/// `out = act(prologue(concat(inputs)) · kernel + bias) + Σ residuals`, where the prologue is a LayerNorm or an
/// elementwise gate of the single input. Library GEMMs spend most of their time on call set-up and edges at these
/// sizes and need separate passes for the normalisation and the epilogue; here a block of rows stays in registers
/// from the normalised input to the stored output.

#define MV_THIN_DENSE_MAX_K 64
#define MV_THIN_DENSE_MAX_N 128
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

/// 1 when this CPU and OS run the AVX-512 kernel.
int mv_thin_dense_available(void);

/// Computes rows `begin ..< end` of `problem` (every pointer in it is at row 0, so one problem serves every chunk
/// of a layer); the caller checked `mv_thin_dense_available()` and the size limits.
void mv_thin_dense(const mv_thin_dense_problem *problem, long begin, long end);

/// LayerNorm over each of `rows` rows of `channels` (1…16) floats: row r read at `src + r·stride`, written to
/// `dst + r·channels` (in place when `dst == src` and `stride == channels`); the variance is one-pass
/// `E[x²] − E[x]²`, clamped at 0, as the reference computes it: the dense kernel's LayerNorm, eight rows' statistics
/// at once, one vector square root and division per eight rows. The caller checked `mv_thin_dense_available()`.
void mv_thin_layer_norm(const float *src, float *dst, long rows, int channels, long stride, const float *scale,
                        const float *bias, float epsilon);

#endif

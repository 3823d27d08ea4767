/*
 * The operators of imported .tflite models (harness/mcubench/tflite/ generates one
 * const parameter block per operator and calls these), in TFLite Micro's int8 reference
 * semantics: NHWC activations, symmetric int8 weights per channel or per tensor, int32
 * bias, MultiplyByQuantizedMultiplier, fused activation by clamping. The input zero
 * point is folded into the bias by the generator (bias' = bias - x_zp sum(w)); a tap
 * that falls in the padding would then count x_zp * w, which TFLite does not, so the
 * kernels add it back there (x_zp * w of that tap). Every output equals TFLite Micro's
 * host interpreter bit for bit (tests/tflite/test_tflite_run.py, test_kernel_paths.py).
 */
#ifndef TFL_OPS_H
#define TFL_OPS_H

#include <stdint.h>

#include "nn_int8.h"

typedef struct {
    const int8_t *x;
    int8_t *y;
    const int8_t *w;      /* conv [oc][kh][kw][ic]; depthwise [kh][kw][oc] */
    const int32_t *bias;  /* folded */
    const nn_requant_t *rq;
    nn_output_t out;
    int32_t in_zp;
    uint16_t in_h, in_w, in_c, out_h, out_w, out_c;
    uint16_t k_h, k_w, stride_h, stride_w, dil_h, dil_w, pad_h, pad_w, depth_mult;
} tfl_conv_t;

typedef struct {
    const int8_t *x;
    int8_t *y;
    const int8_t *w; /* [out][in] */
    const int32_t *bias;
    const nn_requant_t *rq;
    nn_output_t out;
    uint16_t batches, n_in, n_out;
} tfl_fc_t;

void tfl_conv2d(const tfl_conv_t *p);
void tfl_depthwise_conv2d(const tfl_conv_t *p);

/* Shape-specialised entry points, chosen per layer by the generator (tflite/ops/weighted.py)
   so that a model links only the paths its layers take:
   tfl_conv2d_pointwise: a 1x1 kernel without padding, a fully connected layer per position;
   tfl_conv2d_patches: k_h k_w in_c <= TFL_CONV_PATCH_BYTES, each position's patch gathered
   (padded taps as the input zero point) then a fully connected layer over it (a larger
   patch: nothing is computed); its weights' rows are padded with zeros to whole words,
   [oc][(k_h k_w in_c + 3) & ~3], so that the word dot product takes every row whole;
   tfl_depthwise_fanout: a channel multiplier of 4, 8, ... and word-aligned weights, four
   outputs of one input channel at a time. */
#define TFL_CONV_PATCH_BYTES 256
void tfl_conv2d_pointwise(const tfl_conv_t *p);
void tfl_conv2d_patches(const tfl_conv_t *p);
void tfl_depthwise_fanout(const tfl_conv_t *p);
void tfl_fully_connected(const tfl_fc_t *p);

/* MAX_POOL_2D / AVERAGE_POOL_2D over the window clamped to the input (the parameter
   block of a convolution without weights; in and out share one quantisation). The
   average rounds half away from zero over the taps inside, as TFLite does. */
void tfl_max_pool(const tfl_conv_t *p);
void tfl_avg_pool(const tfl_conv_t *p);

/* Byte copies: runs[3k] = source offset, runs[3k + 1] = destination offset, runs[3k + 2]
   = length. CONCATENATION, STRIDED_SLICE, SPLIT_V and PAD (after a memset of the fill)
   are all this, with runs made by the generator; or, where equal runs repeat at equal
   steps (a padded or sliced narrow tensor), tfl_place_groups over six words a group:
   source, destination, length, count, source step, destination step (steps modulo 2^32,
   so a reversed slice steps back). */
void tfl_place_runs(const void *x, void *y, const uint32_t *runs, uint32_t n_runs);
void tfl_place_groups(const void *x, void *y, const uint32_t *groups, uint32_t n_groups);

/* SOFTMAX over the last axis (rows of `depth`), int8 in, int8 out (scale 1/256, zero
   point -128): e[d] = exp(-beta scale d) in Q0.31 for d = row max - x <= dmax (made by
   the generator with TFLite Micro's arithmetic); the sum in Q12.19, TFLite's
   GetReciprocal, each output e[d] times it, rounded down to 8 bits. */
void tfl_softmax(const int8_t *x, int8_t *y, uint32_t rows, uint32_t depth, const int32_t *e, uint32_t dmax);
/* The same to int16 (scale 1/65536, zero point -32768), as keyword-spotting models end. */
void tfl_softmax16(const int8_t *x, int16_t *y, uint32_t rows, uint32_t depth, const int32_t *e, uint32_t dmax);

/* QUANTIZE from int16: TFLite Micro's Requantize, y = clamp(out_zp + requant(x - in_zp))
   to an int8, int16 or int32 output (bits). */
void tfl_requantize16(const int16_t *x, void *y, uint32_t n, int32_t multiplier, int32_t shift, int32_t in_zp,
                      int32_t out_zp, uint32_t bits);

/* SVDF in TFLite Micro's integer scheme (EvalIntegerSvdfReference): each filter's
   feature (a dot product over the int8 input, its zero point folded into `fold`,
   requantised and clamped to the state's type) enters the state; each unit is its bias
   plus, over its `rank` filters, the time weights times the state less its zero point,
   requantised to int8. The int8 path applies no fused activation, as TFLite Micro's does
   not. wide: int16 time weights and state (else int8). */
typedef struct {
    const int8_t *x;
    int8_t *y;
    const int8_t *wf;     /* [filters][n_in] */
    const int32_t *fold;  /* [filters]: -input zero point x the filter's weight sum */
    const void *wt;       /* [filters][memory] */
    const int32_t *bias;  /* [filters / rank], less the state zero point x the time weights */
    void *state;          /* [batches][filters][memory], a ring per filter */
    nn_requant_t rq1, rq2;
    int32_t state_zp, out_zp;
    uint16_t batches, n_in, filters, rank, memory, wide;
} tfl_svdf_t;

void tfl_svdf(const tfl_svdf_t *p, uint32_t *head);

/* SOFTMAX on float32 (the float tail of a model that ends DEQUANTIZE -> SOFTMAX), as
   TFLite Micro's reference: the row maximum, exp((x - max) * beta) with the sum in order,
   each output divided by the sum. Software floating point on an M0+. tfl_expf: exp(x)
   rounded to float (see tfl_ops.c); exp2_32[i] = 2^(i/32), made by the generator. */
float tfl_expf(float x, const double *exp2_32);
void tfl_softmax_f32(const float *x, float *y, uint32_t rows, uint32_t depth, float beta, const double *exp2_32);

/* ADD of two int8 tensors of one shape: y = clamp(zp + requant(t1[a] + t2[b])), the
   tables holding each input's rescaled value (TFLite's (x - zp) << 20 times its
   multiplier) for its 256 values. */
void tfl_add(const int8_t *a, const int8_t *b, int8_t *y, uint32_t n, const int32_t *t1, const int32_t *t2,
             const nn_requant_t *rq, const nn_output_t *out);

/* MUL of two int8 tensors of one shape: y = clamp(zp + requant((a - za)(b - zb))). */
void tfl_mul(const int8_t *a, const int8_t *b, int8_t *y, uint32_t n, int32_t za, int32_t zb, const nn_requant_t *rq,
             const nn_output_t *out);

/* MEAN over contiguous axes, x viewed as [outer][reduce][inner]: y = clamp(zp +
   requant(sum - x_zp reduce)), the 1/reduce folded into the multiplier as TFLite does. */
void tfl_mean(const int8_t *x, int8_t *y, uint32_t outer, uint32_t reduce, uint32_t inner, int32_t x_zp,
              const nn_requant_t *rq, const nn_output_t *out);

/* UNIDIRECTIONAL_SEQUENCE_LSTM in TFLite Micro's integer scheme (int8 activations and
   weights, int16 gates and cell state), batch-major, no peephole, projection or layer
   norm. Gate g (0 input, 1 forget, 2 cell, 3 output): int16 at 2^-12 from the input FC
   (bias folded with x_zp) plus the recurrent FC (h_zp folded into rec_fold), then
   sigmoid (the cell gate: tanh) by TFLite's interpolated 256-entry table to Q0.15;
   cell = sat16(f c + i g) [clipped]; h = tanh(cell) o, rescaled to int8. scratch: 3 x
   units int16. */
typedef struct {
    const int8_t *x;
    int8_t *y;
    int8_t *h;  /* hidden state (variable) */
    int16_t *c; /* cell state (variable) */
    const int8_t *w_in[4], *w_rec[4];
    const int32_t *bias[4], *rec_fold[4];
    nn_requant_t rq_in[4], rq_rec[4];
    nn_requant_t rq_forget_cell, rq_input_cell, rq_hidden;
    const uint16_t *sigmoid_table; /* sigmoid(i / 24) in 0.16, i = 0..255 */
    int32_t h_zp;
    int32_t cell_clip;  /* 0: none */
    int32_t tanh_mult, tanh_shift; /* the cell state into the tanh table's input */
    uint16_t batches, steps, n_in, units;
} tfl_lstm_t;

void tfl_lstm(const tfl_lstm_t *p, int16_t *scratch);

/* y[i] = table[x[i] + 128] with 32-bit entries (DEQUANTIZE to float32: the bits of
   float(double(scale) (x - zp)) for each int8 value). */
void tfl_table32(const int8_t *x, uint32_t *y, uint32_t n, const uint32_t *table);

/* y[i] = table[x[i] + 128]: LOGISTIC, TANH and QUANTIZE, whose int8 input has 256 values
   (the generator evaluates TFLite Micro's arithmetic for each). */
void tfl_table(const void *x, void *y, uint32_t n, const uint8_t *table);

#endif

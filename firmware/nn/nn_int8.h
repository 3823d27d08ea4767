/*
 * int8 inference kernels for Cortex-M0+, following the TFLite int8 scheme:
 * real = scale * (q - zero_point); weights symmetric (zero point 0), per-channel or
 * per-tensor; int32 accumulation; requantisation by a Q31 multiplier and a shift with
 * TFLite's rounding (MultiplyByQuantizedMultiplier); fused activation by clamping.
 * harness/mcubench/nn_model.py mirrors every kernel bit for bit.
 *
 * Layouts: activations are [time][channels] (channels last); fully connected weights
 * [out][in]; conv1d weights [out][kernel][in]; depthwise conv1d weights [kernel][ch].
 * The input zero point is folded into the bias offline by the exporter
 * (bias'[o] = bias[o] - x_zp * sum(w[o])), so inner loops are plain int8 MACs.
 */
#ifndef NN_INT8_H
#define NN_INT8_H

#include <stdint.h>

/* Requantisation of one output channel: y = clamp(zp + x * M * 2^shift). */
typedef struct {
    int32_t multiplier; /* Q31, in [2^30, 2^31) (or 0) */
    int32_t shift;      /* left when > 0, right when < 0 */
} nn_requant_t;

typedef struct {
    int32_t out_zp;
    int32_t act_min, act_max; /* fused ReLU / ReLU6 / none, in the output's int8 units */
} nn_output_t;

/* TFLite's MultiplyByQuantizedMultiplier. */
int32_t nn_requantize(int32_t x, int32_t multiplier, int32_t shift);

/* An output: clamp(zp + requant(acc)) to the fused activation's range. */
static inline int8_t nn_finish(int32_t acc, const nn_requant_t *rq, const nn_output_t *out)
{
    int32_t v = nn_requantize(acc, rq->multiplier, rq->shift) + out->out_zp;
    if (v < out->act_min)
        v = out->act_min;
    if (v > out->act_max)
        v = out->act_max;
    return (int8_t)v;
}

/* acc + sum x[i] w[i] over n int8 pairs (four at a time in assembly when both are
   word-aligned). */
int32_t nn_dot_int8(const int8_t *x, const int8_t *w, uint32_t n, int32_t acc);

/* acc + sum x[i x_step] w[i w_step] over n > 0 int8 pairs (strided; in assembly). */
int32_t nn_sdot_int8(const int8_t *x, int32_t x_step, const int8_t *w, int32_t w_step, uint32_t n, int32_t acc);

/* The depthwise and SVDF inner loops of the imported models' kernels (tfl_ops.c), in
   nn_dot_int8.S, where each is counted cycle by cycle. */
/* Every channel quad of a position: sums[c] = bias[c] + sum over the taps of
   x[x_off[t] + c] w[w_off[t] + c] for 4 quads channels (taps > 0, all word-aligned). */
typedef struct {
    const int32_t *x_off, *w_off;
    uint32_t taps, quads;
    const int32_t *bias;
} nn_dw4_all_t;
void nn_dw4_all_int8(const int8_t *x, const int8_t *w, const nn_dw4_all_t *g, int32_t *sums);
/* Four outputs of one input channel (a channel multiplier) over a rectangle of taps: rows
   of cols taps, the skips from a row's end to the next row's start. */
typedef struct {
    int32_t x_step, w_step, x_skip, w_skip;
    uint32_t cols, rows;
} nn_dwm_rows_t;
void nn_dwm4_rows_int8(const int8_t *x, const int8_t *w, const nn_dwm_rows_t *g, int32_t acc[4]);
/* An SVDF filter's time sum over its ring of m values, oldest (slot next) first;
   m_next = m | next << 16. */
int32_t nn_ring_dot_s8(const int8_t *w, const int8_t *s, uint32_t m_next, int32_t acc);
int32_t nn_ring_dot_s16(const int16_t *w, const int16_t *s, uint32_t m_next, int32_t acc);

/* int16 -> int8: y = clamp(zp + requant(x, multiplier, shift)), e.g. Q7.8 log-mel. */
void nn_quantize_int16(const int16_t *x, uint32_t n, int32_t multiplier, int32_t shift, int32_t zp, int8_t *y);

/* The z-score bridge: y[i] = clamp(zp + requant(x[i] - mean[i], rq[i])), one mean and
   one multiplier (1 / (std x input scale)) per coefficient. */
void nn_zscore_int16(const int16_t *x, uint32_t n, const int16_t *mean, const nn_requant_t *rq, int32_t zp, int8_t *y);

/* y[o] = requant(bias[o] + sum_i x[i] w[o][i]); rq has one entry per output channel. */
void nn_fully_connected(const int8_t *x, uint32_t n_in, const int8_t *w, const int32_t *bias,
                        uint32_t n_out, const nn_requant_t *rq, const nn_output_t *out, int8_t *y);

/* Causal, dilated, strided conv1d over x[t_in][c_in] -> y[t_out][c_out], with
   t_out = ceil(t_in / stride); input samples before t = 0 are the input zero point,
   which the folded bias already accounts for (so they contribute nothing). */
void nn_conv1d(const int8_t *x, uint32_t t_in, uint32_t c_in, const int8_t *w, const int32_t *bias,
               uint32_t c_out, uint32_t kernel, uint32_t dilation, uint32_t stride,
               const nn_requant_t *rq, const nn_output_t *out, int8_t *y);

/* Depthwise version: one kernel per channel, w[k][c]. */
void nn_conv1d_depthwise(const int8_t *x, uint32_t t_in, uint32_t ch, const int8_t *w, const int32_t *bias,
                         uint32_t kernel, uint32_t dilation, uint32_t stride,
                         const nn_requant_t *rq, const nn_output_t *out, int8_t *y);

/* Projection along time, channel by channel: y[k][c] = requant(bias[k] +
   sum_t d[k][t] x[t][c]) for x[t_in][ch] and d[k_out][t_in] (e.g. a DCT over time:
   with a mel-DCT per frame before it, the 2-D DCT of a log-mel patch). */
void nn_time_project(const int8_t *x, uint32_t t_in, uint32_t ch, const int8_t *d, const int32_t *bias,
                     uint32_t k_out, const nn_requant_t *rq, const nn_output_t *out, int8_t *y);

/* Max / average pooling over time (window, stride; no padding), and the global
   average over all t_in frames. Scales and zero points are unchanged. */
void nn_maxpool1d(const int8_t *x, uint32_t t_in, uint32_t ch, uint32_t window, uint32_t stride, int8_t *y);
void nn_avgpool1d(const int8_t *x, uint32_t t_in, uint32_t ch, uint32_t window, uint32_t stride, int8_t *y);
void nn_global_avgpool1d(const int8_t *x, uint32_t t_in, uint32_t ch, int8_t *y);

/* Softmax of n int8 logits -> int8 probabilities (scale 1/256, zero point -128).
   exp_lut[d] = round(2^16 exp(-d * input_scale)) for d = 0..255, made by the exporter. */
void nn_softmax(const int8_t *x, uint32_t n, const uint32_t *exp_lut, int8_t *y);

#endif

/*
 * Recurrent cells for Cortex-M0+: int8 weights, int16 state, one time step per call.
 *
 * Fixed-point formats: hidden state h in Q15 (value = h / 32768); LSTM cell state c in
 * Q12 (range +-8); gate pre-activations in Q11 (int32) before the nonlinearities;
 * sigmoid and tanh from 257-entry Q15 tables over [-8, 8) with linear interpolation
 * (made by the exporter: harness/mcubench/nn_rnn_model.py, which mirrors every step).
 * Input x is int8 with zero point x_zp, folded into the input biases offline.
 * Weights per gate g: wx[g][hidden][in] (int8), wh[g][hidden][hidden] (int8); the input
 * and recurrent products are requantised separately to Q11 (per-tensor multipliers).
 *
 * GRU (PyTorch's convention, gates r, z, n):
 *   r = s(Wr x + br + Ur h + cr), z = s(Wz x + bz + Uz h + cz)
 *   n = tanh(Wn x + bn + r * (Un h + cn)),  h' = n + z * (h - n)
 * LSTM (gates i, f, g, o): c' = f * c + i * tanh-gate g, h' = o * tanh(c').
 */
#ifndef NN_RNN_H
#define NN_RNN_H

#include <stdint.h>
#include "nn_int8.h"

typedef struct {
    uint32_t n_in, n_hidden;
    const int8_t *wx;        /* [gates][hidden][in] */
    const int8_t *wh;        /* [gates][hidden][hidden] */
    const int32_t *bx;       /* [gates][hidden]: input-side biases, x zero point folded (Q of wx*x) */
    const int32_t *bh;       /* [gates][hidden]: recurrent-side biases (Q of wh*h) */
    nn_requant_t rq_x, rq_h; /* products -> Q11 */
    const int16_t *sigmoid;  /* 257 entries, Q15 */
    const int16_t *tanh;     /* 257 entries, Q15 */
} nn_rnn_t;

/* Q11 -> Q15 through a 257-entry table over [-8, 8) (clamped), interpolated. */
int32_t nn_lut_q11(const int16_t *lut, int32_t x_q11);

/* One GRU step: h (Q15, n_hidden) updated in place; work: 3 * n_hidden int32. */
void nn_gru_step(const nn_rnn_t *cell, const int8_t *x, int16_t *h, int32_t *work);

/* One LSTM step: h (Q15) and c (Q12) updated in place; work: 4 * n_hidden int32. */
void nn_lstm_step(const nn_rnn_t *cell, const int8_t *x, int16_t *h, int16_t *c, int32_t *work);

#endif

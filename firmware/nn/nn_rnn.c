/* Recurrent cells: see nn_rnn.h. Every rounding is mirrored by harness/mcubench/nn_rnn_model.py. */
#include "nn_rnn.h"

int32_t nn_lut_q11(const int16_t *lut, int32_t x)
{
    /* [-8, 8) in Q11 is [-16384, 16384): 256 segments of 128 */
    if (x < -16384)
        x = -16384;
    if (x > 16383)
        x = 16383;
    uint32_t u = (uint32_t)(x + 16384);
    uint32_t i = u >> 7, frac = u & 127u;
    int32_t a = lut[i], b = lut[i + 1];
    return a + (((b - a) * (int32_t)frac + 64) >> 7);
}

/* nn_dot_int8.S: acc + sum of 4 * n4 int8 x int16 products, w and v word-aligned. */
int32_t nn_dot4_i8_i16(const int8_t *w, const int16_t *v, uint32_t n4, int32_t acc);

/* sum_i w[i] v[i] for int8 weights and an int16 vector v */
static int32_t dot_i8_i16(const int8_t *w, const int16_t *v, uint32_t n)
{
    int32_t acc = 0;
    uint32_t i = 0;
    if (n >= 4 && (((uintptr_t)w | (uintptr_t)v) & 3u) == 0) {
        acc = nn_dot4_i8_i16(w, v, n / 4, 0);
        i = n & ~3u;
    }
    for (; i < n; i++)
        acc += w[i] * v[i];
    return acc;
}

static int32_t input_part(const nn_rnn_t *cell, const int8_t *x, uint32_t row)
{
    int32_t acc = nn_dot_int8(x, cell->wx + row * cell->n_in, cell->n_in, cell->bx[row]);
    return nn_requantize(acc, cell->rq_x.multiplier, cell->rq_x.shift);
}

static int32_t recurrent_part(const nn_rnn_t *cell, const int16_t *h, uint32_t row)
{
    int32_t acc = cell->bh[row] + dot_i8_i16(cell->wh + row * cell->n_hidden, h, cell->n_hidden);
    return nn_requantize(acc, cell->rq_h.multiplier, cell->rq_h.shift);
}

static int16_t sat16(int32_t v)
{
    return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

void nn_gru_step(const nn_rnn_t *cell, const int8_t *x, int16_t *h, int32_t *work)
{
    uint32_t nh = cell->n_hidden;
    for (uint32_t r = 0; r < 3 * nh; r++) /* input parts of r, z, n */
        work[r] = input_part(cell, x, r);
    /* every unit reads the old h: keep n and z in the unit's own work slots, write h after */
    for (uint32_t k = 0; k < nh; k++) {
        int32_t r = nn_lut_q11(cell->sigmoid, work[k] + recurrent_part(cell, h, k));
        int32_t z = nn_lut_q11(cell->sigmoid, work[nh + k] + recurrent_part(cell, h, nh + k));
        int32_t hn = recurrent_part(cell, h, 2 * nh + k);
        hn = hn > 65535 ? 65535 : hn < -65535 ? -65535 : hn; /* r * hn stays in int32 */
        work[k] = nn_lut_q11(cell->tanh, work[2 * nh + k] + ((r * hn + (1 << 14)) >> 15)); /* n */
        work[nh + k] = z;
    }
    for (uint32_t k = 0; k < nh; k++) {
        int32_t n = work[k], z = work[nh + k];
        h[k] = sat16(n + ((z * (h[k] - n) + (1 << 14)) >> 15));
    }
}

void nn_lstm_step(const nn_rnn_t *cell, const int8_t *x, int16_t *h, int16_t *c, int32_t *work)
{
    uint32_t nh = cell->n_hidden;
    for (uint32_t r = 0; r < 4 * nh; r++) /* i, f, g, o in Q11, all from the old h */
        work[r] = input_part(cell, x, r) + recurrent_part(cell, h, r);
    for (uint32_t k = 0; k < nh; k++) {
        int32_t i = nn_lut_q11(cell->sigmoid, work[k]);
        int32_t f = nn_lut_q11(cell->sigmoid, work[nh + k]);
        int32_t g = nn_lut_q11(cell->tanh, work[2 * nh + k]);
        int32_t o = nn_lut_q11(cell->sigmoid, work[3 * nh + k]);
        /* c in Q12: f (Q15) c (Q12) >> 15, plus i (Q15) g (Q15) >> 18 */
        c[k] = sat16(((f * c[k] + (1 << 14)) >> 15) + ((i * g + (1 << 17)) >> 18));
        int32_t tc = nn_lut_q11(cell->tanh, c[k] >> 1); /* Q12 -> Q11 */
        h[k] = sat16((o * tc + (1 << 14)) >> 15);
    }
}

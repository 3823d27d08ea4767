/* Operators of imported .tflite models: see tfl_ops.h. */
#include "tfl_ops.h"

#include <string.h>

static inline int8_t finish(int32_t acc, const nn_requant_t *rq, const nn_output_t *out)
{
    int32_t v = nn_requantize(acc, rq->multiplier, rq->shift) + out->out_zp;
    if (v < out->act_min)
        v = out->act_min;
    if (v > out->act_max)
        v = out->act_max;
    return (int8_t)v;
}

void tfl_conv2d(const tfl_conv_t *p)
{
    const uint32_t cin = p->in_c, tap = cin, row = (uint32_t)p->k_w * cin, filt = (uint32_t)p->k_h * row;
    int8_t *y = p->y;
    for (uint32_t oy = 0; oy < p->out_h; oy++) {
        const int32_t iy0 = (int32_t)(oy * p->stride_h) - p->pad_h;
        for (uint32_t ox = 0; ox < p->out_w; ox++) {
            const int32_t ix0 = (int32_t)(ox * p->stride_w) - p->pad_w;
            const int8_t *w = p->w;
            for (uint32_t oc = 0; oc < p->out_c; oc++, w += filt) {
                int32_t acc = p->bias[oc];
                for (uint32_t ky = 0; ky < p->k_h; ky++) {
                    const int32_t iy = iy0 + (int32_t)(ky * p->dil_h);
                    for (uint32_t kx = 0; kx < p->k_w; kx++) {
                        const int32_t ix = ix0 + (int32_t)(kx * p->dil_w);
                        const int8_t *wt = w + ky * row + kx * tap;
                        if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w) {
                            acc = nn_dot_int8(p->x + ((uint32_t)iy * p->in_w + (uint32_t)ix) * cin, wt, cin, acc);
                        } else { /* padding: the folded bias took x_zp * w away; give it back */
                            int32_t s = 0;
                            for (uint32_t c = 0; c < cin; c++)
                                s += wt[c];
                            acc += p->in_zp * s;
                        }
                    }
                }
                *y++ = finish(acc, &p->rq[oc], &p->out);
            }
        }
    }
}

void tfl_depthwise_conv2d(const tfl_conv_t *p)
{
    const uint32_t cin = p->in_c, cout = p->out_c, mult = p->depth_mult;
    int8_t *y = p->y;
    for (uint32_t oy = 0; oy < p->out_h; oy++) {
        const int32_t iy0 = (int32_t)(oy * p->stride_h) - p->pad_h;
        for (uint32_t ox = 0; ox < p->out_w; ox++) {
            const int32_t ix0 = (int32_t)(ox * p->stride_w) - p->pad_w;
            for (uint32_t ic = 0; ic < cin; ic++) {
                for (uint32_t m = 0; m < mult; m++) {
                    const uint32_t oc = ic * mult + m;
                    int32_t acc = p->bias[oc];
                    for (uint32_t ky = 0; ky < p->k_h; ky++) {
                        const int32_t iy = iy0 + (int32_t)(ky * p->dil_h);
                        for (uint32_t kx = 0; kx < p->k_w; kx++) {
                            const int32_t ix = ix0 + (int32_t)(kx * p->dil_w);
                            const int32_t wv = p->w[(ky * p->k_w + kx) * cout + oc];
                            if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w)
                                acc += p->x[((uint32_t)iy * p->in_w + (uint32_t)ix) * cin + ic] * wv;
                            else
                                acc += p->in_zp * wv;
                        }
                    }
                    y[oc] = finish(acc, &p->rq[oc], &p->out);
                }
            }
            y += cout;
        }
    }
}

void tfl_fully_connected(const tfl_fc_t *p)
{
    for (uint32_t b = 0; b < p->batches; b++)
        nn_fully_connected(p->x + b * p->n_in, p->n_in, p->w, p->bias, p->n_out, p->rq, &p->out,
                           p->y + b * p->n_out);
}

void tfl_table(const void *x, void *y, uint32_t n, const uint8_t *table)
{
    const int8_t *in = x;
    uint8_t *out = y;
    for (uint32_t i = 0; i < n; i++)
        out[i] = table[in[i] + 128];
}

void tfl_concat(const void *x, void *y, uint32_t outer, uint32_t inner, uint32_t out_inner)
{
    const uint8_t *in = x;
    uint8_t *out = y;
    for (uint32_t o = 0; o < outer; o++)
        memcpy(out + o * out_inner, in + o * inner, inner);
}

void tfl_copy_runs(const void *x, void *y, const uint32_t *runs, uint32_t n_runs)
{
    const uint8_t *in = x;
    uint8_t *out = y;
    for (uint32_t k = 0; k < n_runs; k++) {
        memcpy(out, in + runs[2 * k], runs[2 * k + 1]);
        out += runs[2 * k + 1];
    }
}

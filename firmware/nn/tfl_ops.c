/* Operators of imported .tflite models: see tfl_ops.h. */
#include "tfl_ops.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Depthwise kernels of at most this many taps take the tap-list paths (dw_quads or
   dw_taps, and dw_padded's lists at the borders); larger ones the strided dot products. */
#define DW_MAX_TAPS 25
/* A 1-D kernel of at most this many taps too; longer runs go faster through nn_sdot_int8. */
#define DW_SHORT_RUN 8


/* The taps of one output position that fall inside the input: a rectangle
   [ky0, ky1) x [kx0, kx1) of the kernel, since validity is decided per axis. */
static inline void valid_range(int32_t origin, uint32_t k, uint32_t dil, uint32_t size, uint32_t *k0,
                               uint32_t *k1)
{
    uint32_t a = 0, b = k;
    while (a < b && origin + (int32_t)(a * dil) < 0)
        a++;
    while (b > a && origin + (int32_t)((b - 1) * dil) >= (int32_t)size)
        b--;
    *k0 = a;
    *k1 = b;
}

/* x_zp * w summed over the taps outside [ky0, ky1) x [kx0, kx1): what the folded bias
   took away for padding, which TFLite does not count. w steps `tap` bytes a tap and
   holds `len` weights there (a conv's input channels; 1 for one depthwise channel). */
static int32_t padded_sum(const int8_t *w, uint32_t kh, uint32_t kw, uint32_t ky0, uint32_t ky1, uint32_t kx0,
                          uint32_t kx1, uint32_t tap, uint32_t len)
{
    int32_t s = 0;
    for (uint32_t ky = 0; ky < kh; ky++)
        for (uint32_t kx = 0; kx < kw; kx++)
            if (ky < ky0 || ky >= ky1 || kx < kx0 || kx >= kx1)
                for (uint32_t c = 0; c < len; c++)
                    s += w[(ky * kw + kx) * tap + c];
    return s;
}

/* A 1x1 convolution without padding is a fully connected layer at every output
   position (a matrix product over positions): per position, each output channel's dot
   product over the input channels and its requantisation, none of the general path's
   per-output bookkeeping (borders, kernel rows, dilation). */
void tfl_conv2d_pointwise(const tfl_conv_t *p)
{
    const uint32_t cin = p->in_c, cout = p->out_c, step_x = (uint32_t)p->stride_w * cin;
    const uint32_t step_y = (uint32_t)p->stride_h * p->in_w * cin;
    const int8_t *row = p->x;
    int8_t *y = p->y;
    for (uint32_t oy = 0; oy < p->out_h; oy++, row += step_y) {
        const int8_t *x = row;
        for (uint32_t ox = 0; ox < p->out_w; ox++, x += step_x, y += cout)
            nn_fully_connected(x, cin, p->w, p->bias, cout, p->rq, &p->out, y);
    }
}

/* A small kernel (at most TFL_CONV_PATCH_BYTES of taps x input channels): each position's
   patch gathered into one buffer, the taps in the padding filled with the input zero
   point (what the folded bias expects of them: no correction needed), then a fully
   connected layer over the patch for every output channel, each a dot product over
   whole words where the rows allow. */
void tfl_conv2d_patches(const tfl_conv_t *p)
{
    if ((uint32_t)p->k_h * p->k_w * p->in_c > TFL_CONV_PATCH_BYTES)
        return; /* the generator never calls it so (tfl_ops.h) */
    const uint32_t cin = p->in_c, in_row = (uint32_t)p->in_w * cin, taps = (uint32_t)p->k_h * p->k_w;
    const uint32_t row = (taps * cin + 3u) & ~3u; /* a weight row, padded with zeros to words */
    int8_t patch[TFL_CONV_PATCH_BYTES] __attribute__((aligned(4)));
    int8_t *y = p->y;
    for (uint32_t oy = 0; oy < p->out_h; oy++) {
        const int32_t iy0 = (int32_t)(oy * p->stride_h) - p->pad_h;
        for (uint32_t ox = 0; ox < p->out_w; ox++, y += p->out_c) {
            const int32_t ix0 = (int32_t)(ox * p->stride_w) - p->pad_w;
            int8_t *dst = patch;
            const int row_in = p->dil_w == 1 && ix0 >= 0 && ix0 + (int32_t)p->k_w <= (int32_t)p->in_w;
            for (uint32_t ky = 0; ky < p->k_h; ky++) {
                const int32_t iy = iy0 + (int32_t)(ky * p->dil_h);
                if (row_in && iy >= 0 && iy < (int32_t)p->in_h) { /* the kernel's row: one run */
                    memcpy(dst, p->x + (uint32_t)iy * in_row + (uint32_t)ix0 * cin, p->k_w * cin);
                    dst += p->k_w * cin;
                    continue;
                }
                for (uint32_t kx = 0; kx < p->k_w; kx++, dst += cin) {
                    const int32_t ix = ix0 + (int32_t)(kx * p->dil_w);
                    if (iy < 0 || iy >= (int32_t)p->in_h || ix < 0 || ix >= (int32_t)p->in_w)
                        memset(dst, p->in_zp, cin);
                    else
                        memcpy(dst, p->x + (uint32_t)iy * in_row + (uint32_t)ix * cin, cin);
                }
            }
            /* the patch's bytes past taps * cin meet zero weights: whatever they hold adds 0 */
            nn_fully_connected(patch, row, p->w, p->bias, p->out_c, p->rq, &p->out, y);
        }
    }
}

void tfl_conv2d(const tfl_conv_t *p)
{
    const tfl_conv_t q = *p; /* locals: int8 stores below may alias anything */
    const uint32_t cin = q.in_c, row = (uint32_t)q.k_w * cin, filt = (uint32_t)q.k_h * row;
    const uint32_t in_row = (uint32_t)q.in_w * cin;
    int8_t *y = q.y;
    for (uint32_t oy = 0; oy < q.out_h; oy++) {
        const int32_t iy0 = (int32_t)(oy * q.stride_h) - q.pad_h;
        uint32_t ky0, ky1;
        valid_range(iy0, q.k_h, q.dil_h, q.in_h, &ky0, &ky1);
        for (uint32_t ox = 0; ox < q.out_w; ox++) {
            const int32_t ix0 = (int32_t)(ox * q.stride_w) - q.pad_w;
            uint32_t kx0, kx1;
            valid_range(ix0, q.k_w, q.dil_w, q.in_w, &kx0, &kx1);
            const int padded = ky0 > 0 || ky1 < q.k_h || kx0 > 0 || kx1 < q.k_w;
            /* a row of valid taps is one run of input and weights when the taps are
               adjacent (dilation 1); whole rows join when a row spans the input's width */
            const uint32_t nx = kx1 - kx0;
            const uint32_t run = (q.dil_w == 1 ? nx : 1) * cin;
            const int rows_join = q.dil_w == 1 && q.dil_h == 1 && nx == q.k_w && nx == q.in_w;
            const int8_t *xs = q.x + (uint32_t)(iy0 + (int32_t)(ky0 * q.dil_h)) * in_row +
                               (uint32_t)(ix0 + (int32_t)(kx0 * q.dil_w)) * cin;
            const int8_t *w = q.w;
            for (uint32_t oc = 0; oc < q.out_c; oc++, w += filt) {
                int32_t acc = q.bias[oc];
                if (padded)
                    acc += q.in_zp * padded_sum(w, q.k_h, q.k_w, ky0, ky1, kx0, kx1, cin, cin);
                const int8_t *wr = w + ky0 * row + kx0 * cin;
                if (rows_join) {
                    acc = nn_dot_int8(xs, wr, (ky1 - ky0) * run, acc);
                } else {
                    for (uint32_t ky = ky0; ky < ky1; ky++) {
                        const int8_t *xr = xs + (ky - ky0) * q.dil_h * in_row, *wk = wr + (ky - ky0) * row;
                        if (q.dil_w == 1) {
                            acc = nn_dot_int8(xr, wk, run, acc);
                        } else {
                            for (uint32_t kx = 0; kx < nx; kx++)
                                acc = nn_dot_int8(xr + kx * q.dil_w * cin, wk + kx * cin, cin, acc);
                        }
                    }
                }
                *y++ = nn_finish(acc, &q.rq[oc], &q.out);
            }
        }
    }
}

/* Every output channel of one output position whose valid taps are one strided run
   (a kernel along one axis, or a single row or column of it in range): per channel one
   strided dot product and the requantisation, nothing else. */
static void dw_run(const int8_t *xs, const int8_t *w, const int32_t *bias, const nn_requant_t *rq,
                   const nn_output_t *out, int8_t *y, uint32_t cin, uint32_t mult, int32_t x_step,
                   int32_t w_step, uint32_t n)
{
    uint32_t oc = 0;
    for (uint32_t ic = 0; ic < cin; ic++)
        for (uint32_t m = 0; m < mult; m++, oc++)
            y[oc] = nn_finish(nn_sdot_int8(xs + ic, x_step, w + oc, w_step, n, bias[oc]), &rq[oc], out);
}

/* Every output channel of an interior position (a 2-D kernel, or a 1-D one of at most
   DW_SHORT_RUN taps), one at a time: the taps' input offsets computed once for the layer
   (x_off), the weights a channel apart per tap, no division (the input channel steps once
   every `mult` outputs). */
static void dw_taps(const int8_t *xs, const int8_t *w, const int32_t *bias, const nn_requant_t *rq,
                    const nn_output_t *out, int8_t *y, uint32_t cin, uint32_t mult, const int32_t *x_off,
                    uint32_t taps, uint32_t cout)
{
    if (mult == 1) { /* one output a channel: no inner loop over the multiplier to set up */
        for (uint32_t c = 0; c < cin; c++) {
            const int8_t *xc = xs + c, *wp = w + c;
            int32_t acc = bias[c];
            for (uint32_t t = 0; t < taps; t++, wp += cout)
                acc += xc[x_off[t]] * *wp;
            y[c] = nn_finish(acc, &rq[c], out);
        }
        return;
    }
    uint32_t oc = 0;
    for (uint32_t ic = 0; ic < cin; ic++) {
        const int8_t *xc = xs + ic;
        for (uint32_t m = 0; m < mult; m++, oc++) {
            const int8_t *wp = w + oc;
            int32_t acc = bias[oc];
            for (uint32_t t = 0; t < taps; t++, wp += cout)
                acc += xc[x_off[t]] * *wp;
            y[oc] = nn_finish(acc, &rq[oc], out);
        }
    }
}

/* Four adjacent channels at a time (nn_dw4_all_int8) when a tap's channels are whole words
   of input and of weights: multiplier 1, channels a multiple of 4, aligned data. */
static int dw_words(const int8_t *xs, const int8_t *w, uint32_t cin, uint32_t mult)
{
    return mult == 1 && (cin & 3u) == 0 && (((uintptr_t)xs | (uintptr_t)w) & 3u) == 0;
}

#define DW_QUADS 4 /* channel quads nn_dw4_all_int8 sums a call (their sums on the stack) */

/* Every output channel of one position from its taps in range (x_off from xs, w_off from
   w): one assembly call sums up to DW_QUADS quads, then each sum is finished; pad_w are the
   weight offsets of the taps in the padding, whose x_zp * w goes back into the sum (the
   folded bias took it away). */
static void dw_quads(const int8_t *xs, const int8_t *w, const int32_t *x_off, const int32_t *w_off, uint32_t n,
                     const uint16_t *pad_w, uint32_t n_pad, const tfl_conv_t *q, int8_t *y)
{
    const uint32_t channels = q->in_c;
    const nn_requant_t *rq = q->rq;
    const nn_output_t out = q->out; /* locals: the stores to y cannot alias them */
    int32_t sums[4 * DW_QUADS];
    for (uint32_t c0 = 0; c0 < channels; c0 += 4 * DW_QUADS) {
        const uint32_t left = (channels - c0) / 4, quads = left < DW_QUADS ? left : DW_QUADS;
        if (n > 0) {
            const nn_dw4_all_t g = {x_off, w_off, n, quads, q->bias + c0};
            nn_dw4_all_int8(xs + c0, w + c0, &g, sums);
        } else {
            for (uint32_t j = 0; j < 4 * quads; j++)
                sums[j] = q->bias[c0 + j];
        }
        if (n_pad > 0) /* a border position */
            for (uint32_t j = 0; j < 4 * quads; j++) {
                int32_t pad = 0;
                for (uint32_t t = 0; t < n_pad; t++)
                    pad += w[pad_w[t] + c0 + j];
                sums[j] += q->in_zp * pad;
            }
        const nn_requant_t *r = rq + c0;
        int8_t *yc = y + c0;
        for (uint32_t j = 0; j < 4 * quads; j++)
            yc[j] = nn_finish(sums[j], &r[j], &out);
    }
}

/* One output position near a border: its taps in range as lists (four channels a call
   where dw_words allows), each channel's sum getting the padded taps' x_zp * w back; a
   kernel beyond the lists, a strided dot product per kernel row in range. Apart from the
   common path so that its stack frame (the lists) is only there at the borders. */
__attribute__((noinline)) static void dw_padded(const tfl_conv_t *q, const int8_t *xs, const int8_t *ws, int8_t *y,
                                                uint32_t ky0, uint32_t ky1, uint32_t kx0, uint32_t kx1)
{
    const uint32_t cout = q->out_c, mult = q->depth_mult, w_row = (uint32_t)q->k_w * cout;
    const int32_t xdy = (int32_t)(q->dil_h * (uint32_t)q->in_w * q->in_c), xdx = (int32_t)(q->dil_w * q->in_c);
    const uint32_t taps = (uint32_t)q->k_h * q->k_w;
    if (taps <= DW_MAX_TAPS && taps * cout <= 0xFFFFu) {
        /* this position's taps as lists: in range (input offset from xs, weight offset),
           and in the padding (weight offset: x_zp w goes back into the sum) */
        int32_t x_off[DW_MAX_TAPS], w_in[DW_MAX_TAPS];
        uint16_t w_pad[DW_MAX_TAPS];
        uint32_t n_in = 0, n_pad = 0;
        for (uint32_t ky = 0; ky < q->k_h; ky++)
            for (uint32_t kx = 0; kx < q->k_w; kx++) {
                const uint32_t wo = ky * w_row + kx * cout;
                if (ky >= ky0 && ky < ky1 && kx >= kx0 && kx < kx1) {
                    x_off[n_in] = (int32_t)(ky - ky0) * xdy + (int32_t)(kx - kx0) * xdx;
                    w_in[n_in++] = (int32_t)wo;
                } else {
                    w_pad[n_pad++] = (uint16_t)wo;
                }
            }
        if (dw_words(xs, q->w, q->in_c, mult)) {
            dw_quads(xs, q->w, x_off, w_in, n_in, w_pad, n_pad, q, y);
            return;
        }
        uint32_t oc = 0;
        for (uint32_t ic = 0; ic < q->in_c; ic++) {
            const int8_t *xc = xs + ic;
            for (uint32_t m = 0; m < mult; m++, oc++) {
                const int8_t *w = q->w + oc;
                int32_t acc = 0, pad = 0;
                for (uint32_t t = 0; t < n_in; t++)
                    acc += xc[x_off[t]] * w[w_in[t]];
                for (uint32_t t = 0; t < n_pad; t++)
                    pad += w[w_pad[t]];
                y[oc] = nn_finish(q->bias[oc] + acc + q->in_zp * pad, &q->rq[oc], &q->out);
            }
        }
        return;
    }
    for (uint32_t oc = 0; oc < cout; oc++) {
        int32_t acc = q->bias[oc] + q->in_zp * padded_sum(q->w + oc, q->k_h, q->k_w, ky0, ky1, kx0, kx1, cout, 1);
        for (uint32_t ky = ky0; ky < ky1 && kx1 > kx0; ky++)
            acc = nn_sdot_int8(xs + (int32_t)(ky - ky0) * xdy + oc / mult, xdx, ws + (ky - ky0) * w_row + oc,
                               (int32_t)cout, kx1 - kx0, acc);
        y[oc] = nn_finish(acc, &q->rq[oc], &q->out);
    }
}

/* A depthwise convolution whose channel multiplier is a multiple of 4 (a 1-channel input
   fanned out to 8 filters, as micro_speech's first layer): four outputs of one input
   channel share each input byte, so one call of nn_dwm4_rows_int8 a position sums the
   taps in range for all four. Output channels in groups of four outer, positions inner;
   at a border the padded taps' x_zp * w goes back into the sum, from weight sums made
   once (per kernel row) or once an output row (per kernel column over the rows in
   range), not tap by tap. */
#define FANOUT_ROWS 12 /* kernel rows whose sums tfl_depthwise_fanout keeps (taller kernels sum the rest per position) */
#define FANOUT_COLS 8  /* kernel columns whose sums over an output row's rows in range it keeps */

void tfl_depthwise_fanout(const tfl_conv_t *q)
{
    const uint32_t cin = q->in_c, cout = q->out_c, mult = q->depth_mult;
    const uint32_t in_row = (uint32_t)q->in_w * cin, w_row = (uint32_t)q->k_w * cout;
    const int32_t xdy = (int32_t)(q->dil_h * in_row), xdx = (int32_t)(q->dil_w * cin);
    /* the padding's share from sums: whole rows from each row's sum, columns from each
       column's sum over the rows in range (remade when those rows change) */
    const int sums = q->k_h <= FANOUT_ROWS && q->k_w <= FANOUT_COLS;
    for (uint32_t ic = 0; ic < cin; ic++)
        for (uint32_t oc = ic * mult; oc < (ic + 1) * mult; oc += 4) {
            int8_t *y = q->y + oc;
            int32_t rows[FANOUT_ROWS][4]; /* each kernel row's weights summed, per output */
            int32_t cols[FANOUT_COLS][4]; /* each kernel column's, over the rows in range */
            uint32_t cols_for = ~0u;      /* ky0 | ky1 << 16 of the rows cols holds */
            for (uint32_t ky = 0; ky < q->k_h && ky < FANOUT_ROWS; ky++)
                for (uint32_t j = 0; j < 4; j++) {
                    int32_t sum = 0;
                    for (uint32_t kx = 0; kx < q->k_w; kx++)
                        sum += q->w[ky * w_row + kx * cout + oc + j];
                    rows[ky][j] = sum;
                }
            for (uint32_t oy = 0; oy < q->out_h; oy++) {
                const int32_t iy0 = (int32_t)(oy * q->stride_h) - q->pad_h;
                uint32_t ky0, ky1;
                valid_range(iy0, q->k_h, q->dil_h, q->in_h, &ky0, &ky1);
                int32_t row_pad[4] = {0, 0, 0, 0}; /* the rows out of range */
                if (sums) {
                    for (uint32_t ky = 0; ky < q->k_h; ky++)
                        if (ky < ky0 || ky >= ky1)
                            for (uint32_t j = 0; j < 4; j++)
                                row_pad[j] += rows[ky][j];
                }
                for (uint32_t ox = 0; ox < q->out_w; ox++, y += cout) {
                    const int32_t ix0 = (int32_t)(ox * q->stride_w) - q->pad_w;
                    uint32_t kx0, kx1;
                    valid_range(ix0, q->k_w, q->dil_w, q->in_w, &kx0, &kx1);
                    int32_t acc[4] = {q->bias[oc], q->bias[oc + 1], q->bias[oc + 2], q->bias[oc + 3]};
                    const int8_t *xs = q->x + (uint32_t)(iy0 + (int32_t)(ky0 * q->dil_h)) * in_row +
                                       (uint32_t)(ix0 + (int32_t)(kx0 * q->dil_w)) * cin + ic;
                    const int8_t *ws = q->w + ky0 * w_row + kx0 * cout + oc;
                    if (ky1 > ky0 && kx1 > kx0) {
                        const uint32_t n = kx1 - kx0;
                        const nn_dwm_rows_t g = {xdx, (int32_t)cout, xdy - (int32_t)n * xdx,
                                                 (int32_t)(w_row - n * cout), n, ky1 - ky0};
                        nn_dwm4_rows_int8(xs, ws, &g, acc);
                    }
                    if (ky0 > 0 || ky1 < q->k_h || kx0 > 0 || kx1 < q->k_w) {
                        int32_t pad[4] = {row_pad[0], row_pad[1], row_pad[2], row_pad[3]};
                        if (sums && (kx0 > 0 || kx1 < q->k_w)) {
                            if (cols_for != (ky0 | ky1 << 16)) {
                                for (uint32_t kx = 0; kx < q->k_w; kx++)
                                    for (uint32_t j = 0; j < 4; j++) {
                                        int32_t sum = 0;
                                        for (uint32_t ky = ky0; ky < ky1; ky++)
                                            sum += q->w[ky * w_row + kx * cout + oc + j];
                                        cols[kx][j] = sum;
                                    }
                                cols_for = ky0 | ky1 << 16;
                            }
                            for (uint32_t kx = 0; kx < q->k_w; kx++)
                                if (kx < kx0 || kx >= kx1)
                                    for (uint32_t j = 0; j < 4; j++)
                                        pad[j] += cols[kx][j];
                        } else if (!sums) {
                            /* a kernel too large for the sums: every tap in the padding */
                            for (uint32_t ky = 0; ky < q->k_h; ky++)
                                for (uint32_t kx = 0; kx < q->k_w; kx++)
                                    if (ky < ky0 || ky >= ky1 || kx < kx0 || kx >= kx1)
                                        for (uint32_t j = 0; j < 4; j++)
                                            pad[j] += q->w[ky * w_row + kx * cout + oc + j];
                        }
                        for (uint32_t j = 0; j < 4; j++)
                            acc[j] += q->in_zp * pad[j];
                    }
                    for (uint32_t j = 0; j < 4; j++)
                        y[j] = nn_finish(acc[j], &q->rq[oc + j], &q->out);
                }
            }
        }
}

void tfl_depthwise_conv2d(const tfl_conv_t *p)
{
    const tfl_conv_t q = *p;
    const uint32_t cin = q.in_c, cout = q.out_c, mult = q.depth_mult;
    const uint32_t in_row = (uint32_t)q.in_w * cin, w_row = (uint32_t)q.k_w * cout;
    /* an interior position's taps: where each lies from the first, in the input */
    const uint32_t taps = (uint32_t)q.k_h * q.k_w;
    int32_t x_off[DW_MAX_TAPS], w_off[DW_MAX_TAPS];
    const int lists = taps <= DW_MAX_TAPS;
    const int tap_list = lists && (taps <= DW_SHORT_RUN || (q.k_h > 1 && q.k_w > 1));
    if (lists)
        for (uint32_t ky = 0, t = 0; ky < q.k_h; ky++)
            for (uint32_t kx = 0; kx < q.k_w; kx++, t++) {
                x_off[t] = (int32_t)(ky * q.dil_h * in_row + kx * q.dil_w * cin);
                w_off[t] = (int32_t)(t * cout);
            }
    int8_t *y = q.y;
    for (uint32_t oy = 0; oy < q.out_h; oy++) {
        const int32_t iy0 = (int32_t)(oy * q.stride_h) - q.pad_h;
        uint32_t ky0, ky1;
        valid_range(iy0, q.k_h, q.dil_h, q.in_h, &ky0, &ky1);
        for (uint32_t ox = 0; ox < q.out_w; ox++, y += cout) {
            const int32_t ix0 = (int32_t)(ox * q.stride_w) - q.pad_w;
            uint32_t kx0, kx1;
            valid_range(ix0, q.k_w, q.dil_w, q.in_w, &kx0, &kx1);
            const uint32_t ny = ky1 - ky0, nx = kx1 - kx0;
            const int8_t *xs = q.x + (uint32_t)(iy0 + (int32_t)(ky0 * q.dil_h)) * in_row +
                               (uint32_t)(ix0 + (int32_t)(kx0 * q.dil_w)) * cin;
            const int8_t *ws = q.w + ky0 * w_row + kx0 * cout;
            const int32_t xdy = (int32_t)(q.dil_h * in_row), xdx = (int32_t)(q.dil_w * cin);
            if (ky0 > 0 || ky1 < q.k_h || kx0 > 0 || kx1 < q.k_w) { /* near a border */
                dw_padded(&q, xs, ws, y, ky0, ky1, kx0, kx1);
                continue;
            }
            const int32_t *bias = q.bias;
            if (lists && dw_words(xs, q.w, cin, mult))
                dw_quads(xs, q.w, x_off, w_off, taps, 0, 0, &q, y);
            else if (tap_list)
                dw_taps(xs, ws, bias, q.rq, &q.out, y, cin, mult, x_off, taps, cout);
            else if (nx == 1)
                dw_run(xs, ws, bias, q.rq, &q.out, y, cin, mult, xdy, (int32_t)w_row, ny);
            else if (ny == 1)
                dw_run(xs, ws, bias, q.rq, &q.out, y, cin, mult, xdx, (int32_t)cout, nx);
            else
                for (uint32_t oc = 0; oc < cout; oc++) {
                    int32_t acc = bias[oc];
                    for (uint32_t ky = 0; ky < ny; ky++)
                        acc = nn_sdot_int8(xs + ky * xdy + oc / mult, xdx, ws + ky * w_row + oc, (int32_t)cout, nx, acc);
                    y[oc] = nn_finish(acc, &q.rq[oc], &q.out);
                }
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

static void pool(const tfl_conv_t *p, int is_max)
{
    const tfl_conv_t q = *p;
    const uint32_t c = q.in_c, in_row = (uint32_t)q.in_w * c;
    int8_t *y = q.y;
    for (uint32_t oy = 0; oy < q.out_h; oy++) {
        const int32_t iy0 = (int32_t)(oy * q.stride_h) - q.pad_h;
        uint32_t ky0, ky1;
        valid_range(iy0, q.k_h, 1, q.in_h, &ky0, &ky1);
        for (uint32_t ox = 0; ox < q.out_w; ox++) {
            const int32_t ix0 = (int32_t)(ox * q.stride_w) - q.pad_w;
            uint32_t kx0, kx1;
            valid_range(ix0, q.k_w, 1, q.in_w, &kx0, &kx1);
            const int32_t count = (int32_t)((ky1 - ky0) * (kx1 - kx0));
            const int8_t *xs = q.x + (uint32_t)(iy0 + (int32_t)ky0) * in_row + (uint32_t)(ix0 + (int32_t)kx0) * c;
            for (uint32_t ch = 0; ch < c; ch++) {
                int32_t acc = is_max ? -128 : 0;
                for (uint32_t ky = 0; ky < ky1 - ky0; ky++) {
                    const int8_t *xp = xs + ky * in_row + ch;
                    for (uint32_t kx = 0; kx < kx1 - kx0; kx++, xp += c) {
                        if (is_max)
                            acc = *xp > acc ? *xp : acc;
                        else
                            acc += *xp;
                    }
                }
                if (!is_max && count)
                    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                if (acc < q.out.act_min)
                    acc = q.out.act_min;
                if (acc > q.out.act_max)
                    acc = q.out.act_max;
                *y++ = (int8_t)acc;
            }
        }
    }
}

void tfl_max_pool(const tfl_conv_t *p) { pool(p, 1); }

void tfl_avg_pool(const tfl_conv_t *p) { pool(p, 0); }

void tfl_place_runs(const void *x, void *y, const uint32_t *runs, uint32_t n_runs)
{
    const uint8_t *in = x;
    uint8_t *out = y;
    for (uint32_t k = 0; k < n_runs; k++, runs += 3)
        memcpy(out + runs[1], in + runs[0], runs[2]);
}

void tfl_place_groups(const void *x, void *y, const uint32_t *groups, uint32_t n_groups)
{
    for (uint32_t k = 0; k < n_groups; k++, groups += 6) {
        const uint8_t *in = (const uint8_t *)x + groups[0];
        uint8_t *out = (uint8_t *)y + groups[1];
        uint32_t n = groups[2], in_step = groups[4], out_step = groups[5];
        for (uint32_t c = groups[3]; c; c--, in += in_step, out += out_step) {
            if (n < 8) { /* a narrow tensor's run: a call would cost more than the bytes */
                for (uint32_t i = 0; i < n; i++)
                    out[i] = in[i];
            } else {
                memcpy(out, in, n);
            }
        }
    }
}

/* gemmlowp's fixed-point primitives on int32, for SOFTMAX's reciprocal:
   SaturatingRoundingDoublingHighMul is nn_requantize with no shift, then
   RoundingDivideByPOT and a saturating left shift. */
static int32_t srdhm(int32_t a, int32_t b) { return nn_requantize(a, b, 0); }

static int32_t rdbpot(int32_t x, int e)
{
    int32_t mask = (int32_t)((1ll << e) - 1), rem = x & mask, thr = (mask >> 1) + (x < 0);
    return (x >> e) + (rem > thr);
}

static int32_t sat_shl(int32_t x, int e)
{
    int32_t threshold = (int32_t)((1u << (31 - e)) - 1);
    if (x > threshold)
        return INT32_MAX;
    if (x < -threshold)
        return INT32_MIN;
    return (int32_t)((uint32_t)x << e);
}

static int32_t wrap_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }

/* gemmlowp's one_over_one_plus_x_for_x_in_0_1: three Newton-Raphson steps in Q2.29. */
static int32_t one_over_one_plus_x(int32_t a)
{
    int64_t s = (int64_t)a + INT32_MAX;
    int32_t half = (int32_t)((s + (s >= 0 ? 1 : -1)) / 2);
    int32_t x = wrap_add(1515870810, srdhm(half, -1010580540));
    for (int i = 0; i < 3; i++) {
        int32_t one_minus = wrap_add(1 << 29, -srdhm(half, x));
        x = wrap_add(x, sat_shl(srdhm(x, one_minus), 2));
    }
    return sat_shl(x, 1);
}

/* One body for both output widths, inlined into each so that the int8 path compiles as
   it did before the int16 one existed. */
static inline __attribute__((always_inline)) void softmax(const int8_t *x, void *out, uint32_t rows,
                                                          uint32_t depth, const int32_t *e, uint32_t dmax,
                                                          const uint32_t bits)
{
    const int32_t lo = -(1 << (bits - 1)), hi = (1 << (bits - 1)) - 1;
    int8_t *y8 = out;
    int16_t *y16 = out;
    for (uint32_t r = 0; r < rows; r++, x += depth, y8 += depth, y16 += depth) {
        int32_t max = -128;
        for (uint32_t c = 0; c < depth; c++)
            max = x[c] > max ? x[c] : max;
        int32_t sum = 0;
        for (uint32_t c = 0; c < depth; c++) {
            uint32_t d = (uint32_t)(max - x[c]);
            if (d <= dmax)
                sum = wrap_add(sum, rdbpot(e[d], 12));
        }
        /* TFLite's GetReciprocal(sum, 12 integer bits) */
        int headroom = __builtin_clz((uint32_t)sum);
        int exponent = (12 - headroom) + 31 - (int)bits;
        int32_t scale = one_over_one_plus_x((int32_t)(((uint32_t)sum << headroom) - (1u << 31)));
        for (uint32_t c = 0; c < depth; c++) {
            uint32_t d = (uint32_t)(max - x[c]);
            int32_t v = lo;
            if (d <= dmax) {
                v = rdbpot(srdhm(scale, e[d]), exponent) + lo;
                v = v > hi ? hi : v < lo ? lo : v;
            }
            if (bits == 16)
                y16[c] = (int16_t)v;
            else
                y8[c] = (int8_t)v;
        }
    }
}

void tfl_softmax(const int8_t *x, int8_t *y, uint32_t rows, uint32_t depth, const int32_t *e, uint32_t dmax)
{
    softmax(x, y, rows, depth, e, dmax, 8);
}

void tfl_softmax16(const int8_t *x, int16_t *y, uint32_t rows, uint32_t depth, const int32_t *e, uint32_t dmax)
{
    softmax(x, y, rows, depth, e, dmax, 16);
}

void tfl_add(const int8_t *a, const int8_t *b, int8_t *y, uint32_t n, const int32_t *t1, const int32_t *t2,
             const nn_requant_t *rq, const nn_output_t *out)
{
    for (uint32_t i = 0; i < n; i++)
        y[i] = nn_finish(wrap_add(t1[a[i] + 128], t2[b[i] + 128]), rq, out);
}

void tfl_mul(const int8_t *a, const int8_t *b, int8_t *y, uint32_t n, int32_t za, int32_t zb, const nn_requant_t *rq,
             const nn_output_t *out)
{
    for (uint32_t i = 0; i < n; i++)
        y[i] = nn_finish((a[i] - za) * (b[i] - zb), rq, out);
}

void tfl_mean(const int8_t *x, int8_t *y, uint32_t outer, uint32_t reduce, uint32_t inner, int32_t x_zp,
              const nn_requant_t *rq, const nn_output_t *out)
{
    for (uint32_t o = 0; o < outer; o++, x += reduce * inner) {
        for (uint32_t i = 0; i < inner; i++) {
            int32_t sum = 0;
            const int8_t *xp = x + i;
            for (uint32_t r = 0; r < reduce; r++, xp += inner)
                sum += *xp;
            *y++ = nn_finish(sum - x_zp * (int32_t)reduce, rq, out);
        }
    }
}

void tfl_requantize16(const int16_t *x, void *y, uint32_t n, int32_t multiplier, int32_t shift, int32_t in_zp,
                      int32_t out_zp, uint32_t bits)
{
    const int32_t lo = bits == 32 ? INT32_MIN : -(1 << (bits - 1)), hi = bits == 32 ? INT32_MAX : -lo - 1;
    for (uint32_t i = 0; i < n; i++) {
        int32_t v = (int32_t)((uint32_t)nn_requantize(x[i] - in_zp, multiplier, shift) + (uint32_t)out_zp);
        v = v < lo ? lo : v > hi ? hi : v;
        if (bits == 8)
            ((int8_t *)y)[i] = (int8_t)v;
        else if (bits == 16)
            ((int16_t *)y)[i] = (int16_t)v;
        else
            ((int32_t *)y)[i] = v;
    }
}

/* SVDF. The state is a ring of `memory` values per filter: the slot at `head` holds the
   oldest, which this step's feature value replaces, so nothing is shifted (TFLite Micro
   moves the whole state one place a step). The state's zero point times each filter's
   time-weight sum is folded into the unit's bias by the generator, so the time sums are
   plain dot products over the ring's two runs, oldest first (nn_dot_int8.S; sums wrap
   as TFLite Micro's int32 sums do in two's complement). */

/* Each filter's feature into the state's slot h. */
__attribute__((noinline)) static void svdf_features(const tfl_svdf_t *p, const int8_t *x, void *state, uint32_t h)
{
    const int32_t lo = p->wide ? -32768 : -128, hi = -lo - 1, zp = p->state_zp;
    const uint32_t n_in = p->n_in, m = p->memory, filters = p->filters;
    const int words = (n_in & 3u) == 0 && ((uintptr_t)x & 3u) == 0; /* wf rows are aligned */
    const int8_t *wf = p->wf;
    for (uint32_t f = 0; f < filters; f++, wf += n_in) {
        int32_t acc = words ? nn_dot4_int8(x, wf, n_in / 4, p->fold[f]) : nn_dot_int8(x, wf, n_in, p->fold[f]);
        int32_t v = nn_requantize(acc, p->rq1.multiplier, p->rq1.shift);
        v = v < lo ? lo : v > hi ? hi : v;
        if (p->wide)
            ((int16_t *)state)[f * m + h] = (int16_t)(zp + v);
        else
            ((int8_t *)state)[f * m + h] = (int8_t)(zp + v); /* wraps, as TFLite Micro's cast */
    }
}

void tfl_svdf(const tfl_svdf_t *p, uint32_t *head)
{
    const uint32_t m = p->memory, per_batch = (uint32_t)p->filters * m, rank = p->rank;
    const uint32_t units = p->filters / rank, h = *head, next = h + 1 == m ? 0 : h + 1;
    const int wide = p->wide;
    for (uint32_t b = 0; b < p->batches; b++) {
        uint8_t *state = (uint8_t *)p->state + (b * per_batch << wide);
        svdf_features(p, p->x + b * p->n_in, state, h);
        const uint8_t *w = p->wt, *s = state;
        const uint32_t row = m << wide, m_next = m | next << 16;
        for (uint32_t u = 0; u < units; u++) {
            int32_t acc = p->bias[u];
            for (uint32_t r = 0; r < rank; r++, w += row, s += row)
                acc = wide ? nn_ring_dot_s16((const int16_t *)w, (const int16_t *)s, m_next, acc)
                           : nn_ring_dot_s8((const int8_t *)w, (const int8_t *)s, m_next, acc);
            int32_t v = nn_requantize(acc, p->rq2.multiplier, p->rq2.shift) + p->out_zp;
            p->y[b * units + u] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
        }
    }
    *head = next;
}

/* exp(x) rounded to float, for SOFTMAX's float tail. TFLite Micro calls std::exp on a
   float; the host interpreter's glibc expf is within 0.502 ulp, so nearly always the
   correctly rounded value, which this gives too (newlib's expf for ARMv6-M is the older
   single-precision routine, outputs up to 5 ulps from the host's). x = k ln2/32 + r with
   |r| <= ln2/64 (ln2/32 split so that k L_HI is exact: 40 bits, then the rest); exp(r)
   by its Taylor series to r^5 (truncation below 2^-48 relative); times 2^(k/32) from a
   table of the 32 fractions (made exactly by the generator) and 2^(k div 32) added to
   the exponent; one rounding to float at the end, denormals included. All in software
   double: about 4,700 cycles on an M0+ (nine multiplications at about 300 each), against
   about 6,000 for newlib's double exp rounded to float. */
#define EXP_L_HI 0x1.62e42fefa4000p-6
#define EXP_L_LO -0x1.8432a1b0e2634p-48

float tfl_expf(float x, const double *exp2_32)
{
    if (!(x > -110.f)) /* far below the smallest denormal (or NaN, which stays NaN) */
        return x != x ? x : 0.f;
    if (x > 88.8f)
        return (float)HUGE_VAL;
    const float z = x * 46.16624130844683f; /* 32 / ln 2: k need only be near x 32/ln 2 */
    const int32_t k = (int32_t)(z < 0.f ? z - 0.5f : z + 0.5f);
    const double kd = (double)k, r = ((double)x - kd * EXP_L_HI) - kd * EXP_L_LO;
    const double p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120)))));
    union {
        double d;
        uint64_t u;
    } s = {.d = exp2_32[k & 31]};
    s.u += (uint64_t)(int64_t)(k >> 5) << 52; /* k >> 5 floors: k = 32 (k >> 5) + (k & 31) */
    return (float)(s.d * p);
}

void tfl_softmax_f32(const float *x, float *y, uint32_t rows, uint32_t depth, float beta, const double *exp2_32)
{
    for (uint32_t r = 0; r < rows; r++, x += depth, y += depth) {
        float max = x[0], sum = 0.f;
        for (uint32_t c = 1; c < depth; c++)
            if (max < x[c]) /* std::max(max, x) */
                max = x[c];
        for (uint32_t c = 0; c < depth; c++) {
            float e = tfl_expf((x[c] - max) * beta, exp2_32);
            y[c] = e;
            sum += e;
        }
        for (uint32_t c = 0; c < depth; c++)
            y[c] = y[c] / sum;
    }
}

void tfl_table32(const int8_t *x, uint32_t *y, uint32_t n, const uint32_t *table)
{
    for (uint32_t i = 0; i < n; i++)
        y[i] = table[x[i] + 128];
}

static int16_t sat16(int32_t v) { return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v); }

/* reference_integer_ops::Logistic (int16, Q3.12 in with multiplier 3 and no shift). */
static int16_t sigmoid16(int32_t x, const uint16_t *table)
{
    int32_t v = x * 3;
    uint32_t a = (uint32_t)(v < 0 ? -v : v), uh = a >> 9, r;
    if (uh >= 255) {
        r = 0x7FFFu << 10;
    } else {
        uint32_t ua = table[uh], ub = table[uh + 1];
        r = (ua << 9) + (a & 0x1FF) * (ub - ua);
    }
    r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1;
    return (int16_t)(r >> 10);
}

/* reference_integer_ops::Tanh (int16) with TFLite's input multiplier and shift. */
static int16_t tanh16(int32_t x, int32_t mult, int32_t shift, const uint16_t *table)
{
    int32_t round = shift > 0 ? 1 << (shift - 1) : 0;
    int32_t v = (x * mult + round) >> shift;
    uint32_t a = (uint32_t)(v < 0 ? -v : v), uh = a >> 8;
    int32_t r;
    if (uh >= 255) {
        r = 0xFFFF << 8;
    } else {
        uint32_t ua = table[uh], ub = table[uh + 1];
        r = (int32_t)((ua << 8) + (a & 0xFF) * (ub - ua));
    }
    r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
    return (int16_t)(r >> 8);
}

/* One gate for all units: sat16(FC(x) + FC(h)) through its activation. */
static void lstm_gate(const tfl_lstm_t *p, int g, const int8_t *x, const int8_t *h, int tanh_act, int16_t *out)
{
    for (uint32_t u = 0; u < p->units; u++) {
        int32_t a = nn_dot_int8(x, p->w_in[g] + u * p->n_in, p->n_in, p->bias[g][u]);
        a = nn_requantize(a, p->rq_in[g].multiplier, p->rq_in[g].shift);
        int32_t r = nn_dot_int8(h, p->w_rec[g] + u * p->units, p->units, p->rec_fold[g][u]);
        r = nn_requantize(r, p->rq_rec[g].multiplier, p->rq_rec[g].shift);
        int32_t v = sat16(sat16(a) + sat16(r));
        out[u] = tanh_act ? tanh16(v, 3, 0, p->sigmoid_table) : sigmoid16(v, p->sigmoid_table);
    }
}

void tfl_lstm(const tfl_lstm_t *p, int16_t *scratch)
{
    const uint32_t n = p->units;
    int16_t *f = scratch, *i_or_o = scratch + n, *g = scratch + 2 * n;
    for (uint32_t b = 0; b < p->batches; b++) {
        int8_t *h = p->h + b * n;
        int16_t *cs = p->c + b * n;
        for (uint32_t t = 0; t < p->steps; t++) {
            const int8_t *x = p->x + (b * p->steps + t) * p->n_in;
            lstm_gate(p, 1, x, h, 0, f);
            lstm_gate(p, 0, x, h, 0, i_or_o);
            lstm_gate(p, 2, x, h, 1, g); /* the cell gate: TANH, as the options require */
            for (uint32_t u = 0; u < n; u++) { /* cell = f c + i g */
                int32_t fc = nn_requantize(f[u] * cs[u], p->rq_forget_cell.multiplier, p->rq_forget_cell.shift);
                int32_t ig = nn_requantize(i_or_o[u] * g[u], p->rq_input_cell.multiplier, p->rq_input_cell.shift);
                int32_t c = sat16(sat16(fc) + sat16(ig));
                if (p->cell_clip)
                    c = c > p->cell_clip ? p->cell_clip : c < -p->cell_clip ? -p->cell_clip : c;
                cs[u] = (int16_t)c;
            }
            lstm_gate(p, 3, x, h, 0, i_or_o);
            for (uint32_t u = 0; u < n; u++) { /* h = tanh(cell) o */
                int32_t th = tanh16(cs[u], p->tanh_mult, p->tanh_shift, p->sigmoid_table);
                int32_t v = nn_requantize(th * i_or_o[u], p->rq_hidden.multiplier, p->rq_hidden.shift) + p->h_zp;
                h[u] = (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v);
            }
            memcpy(p->y + (b * p->steps + t) * n, h, n);
        }
    }
}

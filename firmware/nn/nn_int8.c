/*
 * int8 kernels: see nn_int8.h. The inner loops (int8 x int8 MACs into int32) and the
 * requantisation (a Q31 high multiply from 16-bit halves, the M0+ multiplying
 * 32 x 32 -> 32 only) are ARMv6-M assembly in nn_dot_int8.S.
 */
#include "nn_int8.h"

/* nn_requantize (TFLite's MultiplyByQuantizedMultiplier) is in nn_dot_int8.S. */

void nn_quantize_int16(const int16_t *x, uint32_t n, int32_t multiplier, int32_t shift, int32_t zp, int8_t *y)
{
    for (uint32_t i = 0; i < n; i++) {
        int32_t v = nn_requantize(x[i], multiplier, shift) + zp;
        y[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
    }
}

void nn_zscore_int16(const int16_t *x, uint32_t n, const int16_t *mean, const nn_requant_t *rq, int32_t zp, int8_t *y)
{
    for (uint32_t i = 0; i < n; i++) {
        int32_t v = nn_requantize(x[i] - mean[i], rq[i].multiplier, rq[i].shift) + zp;
        y[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
    }
}

/* nn_dot_int8.S: acc + sum of 4 * n4 int8 products, x and w word-aligned. */
int32_t nn_dot4_int8(const int8_t *x, const int8_t *w, uint32_t n4, int32_t acc);
void nn_tproj4_int8(const int8_t *x, const int8_t *d, uint32_t t_in, uint32_t stride, int32_t acc[4]);

int32_t nn_dot_int8(const int8_t *x, const int8_t *w, uint32_t n, int32_t acc)
{
    if (n >= 4 && (((uintptr_t)x | (uintptr_t)w) & 3u) == 0) {
        acc = nn_dot4_int8(x, w, n / 4, acc);
        x += n & ~3u;
        w += n & ~3u;
        n &= 3u;
    }
    while (n--)
        acc += *x++ * *w++;
    return acc;
}

void nn_fully_connected(const int8_t *x, uint32_t n_in, const int8_t *w, const int32_t *bias,
                        uint32_t n_out, const nn_requant_t *rq, const nn_output_t *out, int8_t *y)
{
    /* whole words in every row: the assembly dot product directly, no tail to check */
    const int words = (n_in & 3u) == 0 && n_in >= 4 && (((uintptr_t)x | (uintptr_t)w) & 3u) == 0;
    for (uint32_t o = 0; o < n_out; o++, w += n_in) {
        const int32_t acc = words ? nn_dot4_int8(x, w, n_in / 4, bias[o]) : nn_dot_int8(x, w, n_in, bias[o]);
        y[o] = nn_finish(acc, &rq[o], out);
    }
}

void nn_conv1d(const int8_t *x, uint32_t t_in, uint32_t c_in, const int8_t *w, const int32_t *bias,
               uint32_t c_out, uint32_t kernel, uint32_t dilation, uint32_t stride,
               const nn_requant_t *rq, const nn_output_t *out, int8_t *y)
{
    for (uint32_t t = 0; t < t_in; t += stride) {
        for (uint32_t o = 0; o < c_out; o++) {
            int32_t acc = bias[o];
            const int8_t *wo = w + o * kernel * c_in;
            for (uint32_t k = 0; k < kernel; k++) {
                /* tap k looks (kernel - 1 - k) * dilation frames back */
                uint32_t back = (kernel - 1 - k) * dilation;
                if (back <= t)
                    acc = nn_dot_int8(x + (t - back) * c_in, wo + k * c_in, c_in, acc);
            }
            *y++ = nn_finish(acc, &rq[o], out);
        }
    }
}

void nn_conv1d_depthwise(const int8_t *x, uint32_t t_in, uint32_t ch, const int8_t *w, const int32_t *bias,
                         uint32_t kernel, uint32_t dilation, uint32_t stride,
                         const nn_requant_t *rq, const nn_output_t *out, int8_t *y)
{
    for (uint32_t t = 0; t < t_in; t += stride) {
        for (uint32_t c = 0; c < ch; c++) {
            int32_t acc = bias[c];
            for (uint32_t k = 0; k < kernel; k++) {
                uint32_t back = (kernel - 1 - k) * dilation;
                if (back <= t)
                    acc += x[(t - back) * ch + c] * w[k * ch + c];
            }
            *y++ = nn_finish(acc, &rq[c], out);
        }
    }
}

void nn_time_project(const int8_t *x, uint32_t t_in, uint32_t ch, const int8_t *d, const int32_t *bias,
                     uint32_t k_out, const nn_requant_t *rq, const nn_output_t *out, int8_t *y)
{
    for (uint32_t k = 0; k < k_out; k++, d += t_in) {
        uint32_t c = 0;
        if (t_in && (((uintptr_t)x | ch) & 3u) == 0) { /* four channels per word (assembly) */
            for (; c < ch; c += 4) {
                int32_t acc[4] = {bias[k], bias[k], bias[k], bias[k]};
                nn_tproj4_int8(x + c, d, t_in, ch, acc);
                for (uint32_t j = 0; j < 4; j++)
                    y[c + j] = nn_finish(acc[j], &rq[k], out);
            }
        }
        for (; c < ch; c++) {
            int32_t acc = bias[k];
            const int8_t *xc = x + c;
            for (uint32_t t = 0; t < t_in; t++, xc += ch)
                acc += *xc * d[t];
            y[c] = nn_finish(acc, &rq[k], out);
        }
        y += ch;
    }
}

void nn_maxpool1d(const int8_t *x, uint32_t t_in, uint32_t ch, uint32_t window, uint32_t stride, int8_t *y)
{
    for (uint32_t t = 0; t + window <= t_in; t += stride)
        for (uint32_t c = 0; c < ch; c++) {
            int32_t m = -128;
            for (uint32_t k = 0; k < window; k++) {
                int32_t v = x[(t + k) * ch + c];
                if (v > m)
                    m = v;
            }
            *y++ = (int8_t)m;
        }
}

/* Rounded to nearest, halves away from zero (TFLite's average pooling). */
static int8_t average(int32_t sum, int32_t n)
{
    int32_t q = sum >= 0 ? (sum + n / 2) / n : (sum - n / 2) / n;
    return (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
}

void nn_avgpool1d(const int8_t *x, uint32_t t_in, uint32_t ch, uint32_t window, uint32_t stride, int8_t *y)
{
    for (uint32_t t = 0; t + window <= t_in; t += stride)
        for (uint32_t c = 0; c < ch; c++) {
            int32_t s = 0;
            for (uint32_t k = 0; k < window; k++)
                s += x[(t + k) * ch + c];
            *y++ = average(s, (int32_t)window);
        }
}

void nn_global_avgpool1d(const int8_t *x, uint32_t t_in, uint32_t ch, int8_t *y)
{
    for (uint32_t c = 0; c < ch; c++) {
        int32_t s = 0;
        for (uint32_t t = 0; t < t_in; t++)
            s += x[t * ch + c];
        y[c] = average(s, (int32_t)t_in);
    }
}

void nn_softmax(const int8_t *x, uint32_t n, const uint32_t *exp_lut, int8_t *y)
{
    int32_t mx = -128;
    for (uint32_t i = 0; i < n; i++)
        if (x[i] > mx)
            mx = x[i];
    uint32_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += exp_lut[mx - x[i]];
    for (uint32_t i = 0; i < n; i++) {
        /* p = e / sum in Q8, rounded; out = p - 128, clamped */
        uint32_t p = (exp_lut[mx - x[i]] * 256u + sum / 2) / sum;
        int32_t v = (int32_t)p - 128;
        y[i] = (int8_t)(v > 127 ? 127 : v);
    }
}

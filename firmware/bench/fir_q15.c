/*
 * Q15 FIR filter, one block per call: the first real kernel mcubench measures.
 *
 * y[n] = sat16((sum_k h[k] * x[n-k] + 2^14) >> 15), int32 accumulator. The
 * coefficients' absolute sum stays below 1.0 (Q15), so the accumulator cannot
 * overflow for any input. History is kept between calls (streaming).
 */
#include "mcubench.h"

#define FIR_TAPS 32
#ifndef FIR_BLOCK
#define FIR_BLOCK 128
#endif
/* Blocks filtered per bench_run: 1 for the suite; `mcubench perf` builds more. */
#ifndef FIR_REPEAT
#define FIR_REPEAT 1
#endif

/* 32-tap low-pass (windowed sinc, cutoff 0.2 fs, Hamming), scaled so that the sum of
   absolute values is 0.9 in Q15 (29,494 < 32,768). */
const int16_t fir_coeffs[FIR_TAPS] = {
        18,    -22,    -50,      0,    111,    100,   -142,   -318,
         0,    579,    479,   -648,  -1458,      0,   3745,   7077,
      7077,   3745,      0,  -1458,   -648,    479,    579,      0,
      -318,   -142,    100,    111,      0,    -50,    -22,     18,
};

int16_t bench_input[FIR_BLOCK] MCUBENCH_BUFFER;
int16_t bench_output[FIR_BLOCK] MCUBENCH_BUFFER;
static int16_t history[FIR_TAPS - 1 + FIR_BLOCK];

static int16_t sat16(int32_t v)
{
    if (v > 32767)
        return 32767;
    if (v < -32768)
        return -32768;
    return (int16_t)v;
}

MCUBENCH_NOINLINE void fir_q15(const int16_t *x, int16_t *y, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        history[FIR_TAPS - 1 + i] = x[i];
    for (uint32_t i = 0; i < n; i++) {
        const int16_t *xp = &history[FIR_TAPS - 1 + i];
        int32_t acc = 1 << 14;
        for (uint32_t k = 0; k < FIR_TAPS; k++)
            acc += (int32_t)fir_coeffs[k] * xp[-(int32_t)k];
        y[i] = sat16(acc >> 15);
    }
    for (uint32_t i = 0; i < FIR_TAPS - 1; i++)
        history[i] = history[n + i];
}

void bench_init(void)
{
    for (uint32_t i = 0; i < FIR_TAPS - 1; i++)
        history[i] = 0;
}

int32_t bench_run(void)
{
    for (int r = 0; r < FIR_REPEAT; r++)
        fir_q15(bench_input, bench_output, FIR_BLOCK);
    return bench_output[FIR_BLOCK - 1];
}

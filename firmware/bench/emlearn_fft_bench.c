/*
 * emlearn's float eml_fft (header from the emlearn pip package) as a user would pick it
 * for simplicity: int16 in, converted to float, an RFFT_N-point complex FFT with a zero
 * imaginary part, its sin/cos tables filled once by eml_fft_fill (in RAM). Soft-float
 * on the M0+. bench_output holds the real parts, then the imaginary parts.
 */
#include "mcubench.h"
#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#include "eml_fft.h"

int16_t bench_input[RFFT_N] MCUBENCH_BUFFER;
float bench_output[2 * RFFT_N] MCUBENCH_BUFFER;
static float fft_sin[RFFT_N / 2], fft_cos[RFFT_N / 2];
static EmlFFT fft = {RFFT_N / 2, fft_sin, fft_cos};

void bench_init(void)
{
    eml_fft_fill(fft, RFFT_N);
}

int32_t bench_run(void)
{
    float *re = bench_output, *im = bench_output + RFFT_N;
    for (int i = 0; i < RFFT_N; i++) {
        re[i] = (float)bench_input[i];
        im[i] = 0.0f;
    }
    return (int32_t)eml_fft_forward(fft, re, im, RFFT_N);
}

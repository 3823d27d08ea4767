/*
 * KISS FFT int16 (kiss_fftr from the pinned pymicro-features sources, the FFT of the
 * TFLite Micro front end): an RFFT_N-point real FFT, int16 in, N/2 + 1 complex int16
 * bins out, scaled by 1/N (each radix stage divides, as the fixed-point KISS FFT does).
 * Its state (twiddles, factors, scratch) lives in a static buffer of exactly the size
 * kiss_fftr_alloc asks for (KISS_MEM, found by a first build that reports it).
 */
#include <stddef.h>
#include <stdint.h>

#include "mcubench.h"
#include "tensorflow/lite/experimental/microfrontend/lib/kiss_fft_int16.h"

#ifndef KISS_MEM
#define KISS_MEM 65536
#endif

int16_t bench_input[RFFT_N] MCUBENCH_BUFFER;
int16_t bench_output[RFFT_N + 2] MCUBENCH_BUFFER;
static uint32_t kiss_mem[(KISS_MEM + 3) / 4];
static kissfft_fixed16::kiss_fftr_cfg cfg;
extern "C" {
uint32_t kiss_mem_needed __attribute__((used));

void bench_init(void)
{
    size_t len = 0;
    kissfft_fixed16::kiss_fftr_alloc(RFFT_N, 0, nullptr, &len);
    kiss_mem_needed = (uint32_t)len;
    len = sizeof(kiss_mem);
    cfg = kissfft_fixed16::kiss_fftr_alloc(RFFT_N, 0, kiss_mem, &len);
}

int32_t bench_run(void)
{
    kissfft_fixed16::kiss_fftr(cfg, bench_input, reinterpret_cast<kissfft_fixed16::kiss_fft_cpx *>(bench_output));
    return 0;
}
}

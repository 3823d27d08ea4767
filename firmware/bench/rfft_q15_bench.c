/* The real FFT alone: N int16 samples in bench_input; bench_output gets the packed
   spectrum (N int16) followed by the exponent and a zero. */
#include "mcubench.h"
#include "fe_tables.h"
#include "rfft_q15.h"

int16_t bench_input[FE_N] MCUBENCH_BUFFER;
int16_t bench_output[FE_N + 2] MCUBENCH_BUFFER;

void bench_init(void) {}

int32_t bench_run(void)
{
    /* the FFT works in place on the output buffer: copying in is not measured apart */
    for (uint32_t i = 0; i < FE_N; i++)
        bench_output[i] = bench_input[i];
    int exponent = rfft_q15(bench_output);
    bench_output[FE_N] = (int16_t)exponent;
    bench_output[FE_N + 1] = 0;
    return exponent;
}

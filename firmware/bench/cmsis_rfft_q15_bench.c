/*
 * CMSIS-DSP's arm_rfft_q15 as a benchmark: RFFT_N int16 in bench_input (which
 * arm_rfft_q15 uses as its work buffer, as a user would), 2 * RFFT_N int16 out.
 * With CMSIS_REDUCED the instance is initialised by hand with only the real-split
 * twiddles N needs (generated from the official tables, twidCoefRModifier = 1).
 */
#include "mcubench.h"
#include "arm_math.h"
#include "arm_const_structs.h"
#ifdef CMSIS_REDUCED
#include "cmsis_rfft_reduced.h"
#endif

#define CAT3_(a, b, c) a##b##c
#define CAT3(a, b, c) CAT3_(a, b, c)

int16_t bench_input[RFFT_N] MCUBENCH_BUFFER;
int16_t bench_output[2 * RFFT_N] MCUBENCH_BUFFER;
static arm_rfft_instance_q15 rfft;

void bench_init(void)
{
#ifdef CMSIS_REDUCED
    rfft.fftLenReal = RFFT_N;
    rfft.pTwiddleAReal = reduced_realCoefAQ15;
    rfft.pTwiddleBReal = reduced_realCoefBQ15;
    rfft.ifftFlagR = 0;
    rfft.bitReverseFlagR = 1;
    rfft.twidCoefRModifier = 1;
    rfft.pCfft = &CAT3(arm_cfft_sR_q15_len, RFFT_CFFT_LEN, );
#else
    CAT3(arm_rfft_init_, RFFT_N, _q15)(&rfft, 0, 1);
#endif
}

int32_t bench_run(void)
{
    arm_rfft_q15(&rfft, bench_input, bench_output);
    return 0;
}

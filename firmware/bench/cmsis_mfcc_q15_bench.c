/* CMSIS-DSP's arm_mfcc_q15 (tables from cmsisdsp.mfcc, generated at build time):
   MFCC_FFT_LEN int16 samples in bench_input (used as work), MFCC_NB_DCT out. */
#include "mcubench.h"
#include "arm_math.h"
#include "cmsis_mfcc_tables.h"

int16_t bench_input[MFCC_FFT_LEN] MCUBENCH_BUFFER;
int16_t bench_output[MFCC_NB_DCT] MCUBENCH_BUFFER;
static int32_t mfcc_tmp[2 * MFCC_FFT_LEN];
static arm_mfcc_instance_q15 mfcc;

void bench_init(void)
{
    arm_mfcc_init_q15(&mfcc, MFCC_FFT_LEN, MFCC_NB_MELS, MFCC_NB_DCT, mfcc_dct_coefs, mfcc_filter_pos,
                      mfcc_filter_len, mfcc_filter_coefs, mfcc_window);
}

int32_t bench_run(void)
{
    return arm_mfcc_q15(&mfcc, bench_input, bench_output, mfcc_tmp);
}

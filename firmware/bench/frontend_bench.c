/* One front-end hop per bench_run: FE_HOP samples in, FE_NMELS log-mel values out,
   then FE_NMFCC MFCCs after them when the configuration has them. */
#include "mcubench.h"
#include "fe_tables.h"
#include "frontend.h"

int16_t bench_input[FE_HOP] MCUBENCH_BUFFER;
int16_t bench_output[FE_NMELS + FE_NMFCC] MCUBENCH_BUFFER;

void bench_init(void)
{
    fe_init();
}

int32_t bench_run(void)
{
    fe_process(bench_input, bench_output);
#if FE_NMFCC > 0
    fe_mfcc(bench_output, bench_output + FE_NMELS);
#endif
    return bench_output[0];
}

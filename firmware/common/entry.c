/* The shared entry: what a chip would run after reset. The harness calls bench_init
   and bench_run directly, one by one, to measure them. */
#include "mcubench.h"

volatile int32_t mcubench_last_result;

int main(void)
{
    bench_init();
    mcubench_last_result = bench_run();
    return 0;
}

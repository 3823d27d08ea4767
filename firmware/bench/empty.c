/* The empty benchmark: startup, entry and nothing else. Sizes of every benchmark are
   also reported net of this build, so harness overhead never counts against a kernel. */
#include "mcubench.h"

void bench_init(void) {}

int32_t bench_run(void)
{
    return 0;
}

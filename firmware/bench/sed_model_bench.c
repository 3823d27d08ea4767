/* One streaming step of a sound-event model: one hop's 32 Q7.8 log-mel values in,
   the class probabilities after this frame out. */
#include "mcubench.h"
#include "sed_model.h"
#include "sed_model_tables.h"

int16_t bench_input[SED_FRAME0_IN] MCUBENCH_BUFFER;
int8_t bench_output[SED_CLASSES] MCUBENCH_BUFFER;

void bench_init(void)
{
    sed_init();
}

int32_t bench_run(void)
{
    sed_push(bench_input);
    sed_classify(bench_output);
    return bench_output[0];
}

/* One streaming step of the genre LSTM: one hop's 18 Q10.5 MFCC in, the 10 class
   probabilities after this hop out. */
#include "genre_model.h"
#include "genre_model_tables.h"
#include "mcubench.h"

int16_t bench_input[GENRE_NMFCC] MCUBENCH_BUFFER;
int8_t bench_output[GENRE_CLASSES] MCUBENCH_BUFFER;

void bench_init(void)
{
    genre_init();
}

int32_t bench_run(void)
{
    genre_push(bench_input);
    genre_classify(bench_output);
    return bench_output[0];
}

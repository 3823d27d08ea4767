// A host build of the TFLite Micro audio front end (the same pymicro-features sources
// the firmware is built from), configured by the same header as the firmware
// (firmware/bench/tflm_frontend_config.h): the reference for shapes the
// pymicro-features wheel does not offer.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tensorflow/lite/experimental/microfrontend/lib/frontend.h"
#include "tflm_frontend_config.h"

extern "C" {

void *mcubench_mf_create(int sample_rate, int window_ms, int step_ms, int noise_reduction, int pcan)
{
    struct FrontendConfig c;
    mcubench_tflm_config(&c, window_ms, step_ms, noise_reduction, pcan);
    struct FrontendState *s = (struct FrontendState *)calloc(1, sizeof(struct FrontendState));
    if (s && !FrontendPopulateState(&c, s, sample_rate)) {
        free(s);
        return NULL;
    }
    return s;
}

/* Feeds all n samples (as the firmware benchmark does) and keeps the last output. */
int mcubench_mf_process(void *handle, const int16_t *samples, int n, uint16_t *out)
{
    int produced = 0;
    while (n > 0) {
        size_t read = 0;
        struct FrontendOutput o = FrontendProcessSamples((struct FrontendState *)handle, samples, n, &read);
        samples += read;
        n -= (int)read;
        if (o.size) {
            memcpy(out, o.values, o.size * sizeof(uint16_t));
            produced = (int)o.size;
        }
    }
    return produced;
}

void mcubench_mf_free(void *handle)
{
    FrontendFreeStateContents((struct FrontendState *)handle);
    free(handle);
}
}

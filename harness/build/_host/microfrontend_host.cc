// A host build of the TFLite Micro audio front end (the same pymicro-features sources
// the firmware is built from), with every configuration knob mcubench's benchmarks use:
// the reference for shapes the pymicro-features wheel does not offer.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tensorflow/lite/experimental/microfrontend/lib/frontend.h"
#include "tensorflow/lite/experimental/microfrontend/lib/frontend_util.h"

extern "C" {

void *mcubench_mf_create(int sample_rate, int window_ms, int step_ms, int channels, float lower_hz,
                         float upper_hz, int noise_reduction, int pcan)
{
    struct FrontendConfig c;
    FrontendFillConfigWithDefaults(&c);
    c.window.size_ms = window_ms;
    c.window.step_size_ms = step_ms;
    c.filterbank.num_channels = channels;
    c.filterbank.lower_band_limit = lower_hz;
    c.filterbank.upper_band_limit = upper_hz;
    c.noise_reduction.smoothing_bits = 10;
    c.noise_reduction.even_smoothing = 0.025f;
    c.noise_reduction.odd_smoothing = 0.06f;
    c.noise_reduction.min_signal_remaining = noise_reduction ? 0.05f : 1.0f;
    c.pcan_gain_control.enable_pcan = pcan;
    c.pcan_gain_control.strength = 0.95f;
    c.pcan_gain_control.offset = 80.0f;
    c.pcan_gain_control.gain_bits = 21;
    c.log_scale.enable_log = 1;
    c.log_scale.scale_shift = 6;
    struct FrontendState *s = (struct FrontendState *)calloc(1, sizeof(struct FrontendState));
    if (s && !FrontendPopulateState(&c, s, sample_rate)) {
        free(s);
        return NULL;
    }
    return s;
}

int mcubench_mf_process(void *handle, const int16_t *samples, int n, uint16_t *out)
{
    size_t read = 0;
    struct FrontendOutput o = FrontendProcessSamples((struct FrontendState *)handle, samples, n, &read);
    if (o.size)
        memcpy(out, o.values, o.size * sizeof(uint16_t));
    return (int)o.size;
}

void mcubench_mf_free(void *handle)
{
    FrontendFreeStateContents((struct FrontendState *)handle);
    free(handle);
}
}

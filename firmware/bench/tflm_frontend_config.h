/*
 * The TFLite Micro front end's configuration in mcubench's benchmarks, shared by the
 * firmware (tflm_frontend_bench.c) and its host reference (harness/mcubench/build/_host), so both
 * set the library up the same way: pymicro-features' values (microWakeWord), 40 channels
 * from 125 to 7,500 Hz, with the window, hop, noise reduction and PCAN chosen.
 */
#ifndef MCUBENCH_TFLM_FRONTEND_CONFIG_H
#define MCUBENCH_TFLM_FRONTEND_CONFIG_H

#include "tensorflow/lite/experimental/microfrontend/lib/frontend_util.h"

#define TFLM_CHANNELS 40

static inline void mcubench_tflm_config(struct FrontendConfig *c, int window_ms, int step_ms,
                                        int noise_reduction, int pcan)
{
    FrontendFillConfigWithDefaults(c);
    c->window.size_ms = window_ms;
    c->window.step_size_ms = step_ms;
    c->filterbank.num_channels = TFLM_CHANNELS;
    c->filterbank.lower_band_limit = 125.0f;
    c->filterbank.upper_band_limit = 7500.0f;
    c->noise_reduction.smoothing_bits = 10;
    c->noise_reduction.even_smoothing = 0.025f;
    c->noise_reduction.odd_smoothing = 0.06f;
    c->noise_reduction.min_signal_remaining = noise_reduction ? 0.05f : 1.0f; /* 1.0: off */
    c->pcan_gain_control.enable_pcan = pcan;
    c->pcan_gain_control.strength = 0.95f;
    c->pcan_gain_control.offset = 80.0f;
    c->pcan_gain_control.gain_bits = 21;
    c->log_scale.enable_log = 1;
    c->log_scale.scale_shift = 6;
}

#endif

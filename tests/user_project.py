"""A user's repository as the project and install tests write it: a Python reference
module, a streaming C app registered twice (one with a reference, one without), and the
`mcubench init` kernel made slower to break its budget."""

REFS = """\
import numpy as np


def half(x):
    return x.astype(np.int64) >> 1


def ramp(n, sample_rate=16000, step=3):
    return (np.arange(n) * step).astype(np.int16)


def first_hop(x):
    return x[:32].astype(np.int64) >> 1


def nothing(x):
    return x[:0]


def peak(audio, hop):
    return np.abs(audio.reshape(-1, hop).astype(np.int64)).max(axis=1)[:, None]
"""

APP = """\
#include "app_stream.h"
int32_t app_level[1] __attribute__((used, aligned(4)));
void app_init(void) { app_level[0] = 0; }
void app_process(const int16_t *hop)
{
    int32_t peak = 0;
    for (uint32_t i = 0; i < APP_HOP; i++) {
        int32_t v = hop[i] < 0 ? -hop[i] : hop[i];
        if (v > peak)
            peak = v;
    }
    app_level[0] = peak;
}
"""

APP_ENTRY = """\
[{name}]
target = "py32f003"
sample_rate = {rate}
hop = {hop}
dma_irqn = 9
sources = ["src/level.c", "mcubench:apps/app_stream.c"]
outputs = {{ app_level = "int32" }}
"""
# the same C app twice: at 16 kHz with a Python reference, at 8 kHz with none
APPS = (
    APP_ENTRY.format(name="level_meter", rate=16_000, hop=64)
    + 'reference = "refs:peak"\n\n'
    + APP_ENTRY.format(name="level_no_model", rate=8_000, hop=32)
)


def slower(kernel: str) -> str:
    """`mcubench init`'s kernel with a busy loop after its work: a branch over budget."""
    call = "    gain_q15(bench_input, bench_output, BLOCK, GAIN_Q15);\n"
    assert call in kernel
    return kernel.replace(call, call + "    for (volatile int k = 0; k < 100; k++) {}\n")

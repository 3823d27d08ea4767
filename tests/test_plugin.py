"""The `mcu` fixture comes from the installed pytest11 entry point, not from conftest."""

import numpy as np

from mcubench.bench.references import fir_q15
from mcubench.data.signals import sine


def test_mcu_fixture_builds_calls_and_reads_buffers(mcu):
    fw = mcu.build("firmware/bench/fir_q15.c", target="py32f003", entry=True)
    fw.call("bench_init")
    x = sine(128, sample_rate=16000, freq=160.0, level_dbfs=-1)
    fw.write("bench_input", x)
    r = fw.call("bench_run")
    assert fw.last is r and r.cycles > r.instructions > 0 and r.stack_peak_bytes > 0
    assert np.array_equal(fw.read("bench_output"), fir_q15(fw.image, x, None).exact)


def test_mcu_fixture_takes_inline_c(mcu):
    fw = mcu.build("int square(int x) { return x * x; }\n", target="rp2040", opt="-O2")
    r = fw.call("square", 12)
    # muls + bx lr: 1 + 2 cycles (the first call also misses the XIP cache)
    assert r.return_value == 144
    assert fw.call("square", 7).cycles == 3

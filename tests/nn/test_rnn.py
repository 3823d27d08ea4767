"""GRU and LSTM cells on the emulated M0+, bit for bit against harness/mcubench/nn/rnn.py,
and close to the float equations."""

import numpy as np
import pytest

from mcubench.nn import rnn as rm

SOURCES = ["firmware/nn/nn_rnn.c", "firmware/nn/nn_int8.c", "firmware/nn/nn_dot_int8.S"]
N_IN, N_H, STEPS = 12, 10, 12


def _harness(gates):
    step = "nn_gru_step(&cell, x, h, work);" if gates == 3 else "nn_lstm_step(&cell, x, h, c, work);"
    return f"""#include "nn_rnn.h"
int8_t x[{N_IN}], wx[{gates * N_H * N_IN}], wh[{gates * N_H * N_H}];
int32_t bx[{gates * N_H}], bh[{gates * N_H}], work[{4 * N_H}], rq[4];
int16_t h[{N_H}], c[{N_H}], sig[257], th[257];
void step(void) {{
    nn_rnn_t cell = {{ {N_IN}, {N_H}, wx, wh, bx, bh, {{rq[0], rq[1]}}, {{rq[2], rq[3]}}, sig, th }};
    {step}
}}
"""


def _setup(mcu, gates, seed):
    rng = np.random.default_rng(seed)
    wx = rng.standard_normal((gates * N_H, N_IN)) * 0.4
    wh = rng.standard_normal((gates * N_H, N_H)) * 0.4
    bx, bh = rng.standard_normal(gates * N_H) * 0.2, rng.standard_normal(gates * N_H) * 0.2
    x_scale, x_zp = 0.02, 3
    cell = rm.quantize_cell(wx, wh, bx, bh, x_scale, x_zp)
    fw = mcu.build([_harness(gates), *SOURCES], "py32f003", include=["firmware/nn"], opt="-O2")
    for name, v, dt in (
        ("wx", cell.wx.ravel(), "<i1"),
        ("wh", cell.wh.ravel(), "<i1"),
        ("bx", cell.bx, "<i4"),
        ("bh", cell.bh, "<i4"),
        ("rq", [*cell.rq_x, *cell.rq_h], "<i4"),
        ("sig", rm.SIGMOID, "<i2"),
        ("th", rm.TANH, "<i2"),
        ("h", np.zeros(N_H), "<i2"),
        ("c", np.zeros(N_H), "<i2"),
    ):
        fw.write(name, v, dt)
    xs = rng.integers(-128, 128, (STEPS, N_IN))
    return fw, cell, (wx, wh, bx, bh), xs, x_scale, x_zp


@pytest.mark.parametrize("seed", [1, 2])
def test_gru_step_is_bit_exact_and_close_to_float(mcu, seed):
    fw, cell, (wx, wh, bx, bh), xs, xs_scale, x_zp = _setup(mcu, 3, seed)
    h_q, h_f = np.zeros(N_H, dtype=np.int64), np.zeros(N_H)
    for x in xs:
        fw.write("x", x, "<i1")
        r = fw.call("step")
        h_q = rm.gru_step(cell, x, h_q)
        assert np.array_equal(fw.read("h", "<i2"), h_q)
        h_f = rm.gru_float(wx, wh, bx, bh, (x - x_zp) * xs_scale, h_f)
    assert np.abs(h_q / 32768 - h_f).max() < 0.05
    assert r.stack_peak_bytes < 256  # 180 measured, 48 of them the harness's nn_rnn_t


@pytest.mark.parametrize("seed", [3, 4])
def test_lstm_step_is_bit_exact_and_close_to_float(mcu, seed):
    fw, cell, (wx, wh, bx, bh), xs, xs_scale, x_zp = _setup(mcu, 4, seed)
    h_q, c_q = np.zeros(N_H, dtype=np.int64), np.zeros(N_H, dtype=np.int64)
    h_f, c_f = np.zeros(N_H), np.zeros(N_H)
    for x in xs:
        fw.write("x", x, "<i1")
        fw.call("step")
        h_q, c_q = rm.lstm_step(cell, x, h_q, c_q)
        assert np.array_equal(fw.read("h", "<i2"), h_q) and np.array_equal(fw.read("c", "<i2"), c_q)
        h_f, c_f = rm.lstm_float(wx, wh, bx, bh, (x - x_zp) * xs_scale, h_f, c_f)
    assert np.abs(h_q / 32768 - h_f).max() < 0.05
    assert np.abs(c_q / 4096 - c_f).max() < 0.1


def test_luts_interpolate_within_a_few_lsb_of_the_functions():
    v = np.arange(-16384, 16384, 37)
    assert np.abs(rm.lut_q11(rm.SIGMOID, v) / 32767 - 1 / (1 + np.exp(-v / 2048))).max() < 2e-3
    assert np.abs(rm.lut_q11(rm.TANH, v) / 32767 - np.tanh(v / 2048)).max() < 4e-3


def test_int8_by_int16_dot_kernel_is_exact_and_costs_26_cycles_per_4_macs(mcu):
    fw = mcu.build(
        [
            "firmware/nn/nn_dot_int8.S",
            """#include <stdint.h>
int8_t w[64] __attribute__((aligned(4)));
int16_t v[64] __attribute__((aligned(4)));
int32_t nn_dot4_i8_i16(const int8_t *w, const int16_t *v, uint32_t n4, int32_t acc);
int32_t dot(uint32_t n4, int32_t acc) { return nn_dot4_i8_i16(w, v, n4, acc); }
""",
        ],
        "py32f003",
        opt="-O2",
    )
    rng = np.random.default_rng(5)
    w = np.concatenate([[-128, -128, 127, -128], rng.integers(-128, 128, 60)])
    v = np.concatenate([[-32768, 32767, -32768, -32768], rng.integers(-32768, 32768, 60)])
    fw.write("w", w, "<i1")
    fw.write("v", v, "<i2")
    cycles = []
    for n4 in range(1, 17):
        r = fw.call("dot", n4, 12345)
        assert r.return_value == 12345 + int(np.dot(w[: 4 * n4], v[: 4 * n4]))
        cycles.append(r.cycles)
    assert set(np.diff(cycles).tolist()) == {26}  # ldm 2 + ldm 3 + 18 lane ops + cmp 1 + bne (taken) 2

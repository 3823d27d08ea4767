"""int8 kernels (firmware/nn) on the emulated M0+, bit for bit against harness/mcubench/nn/int8.py."""

import numpy as np
import pytest

from mcubench.nn import int8 as nm

NN = ["firmware/nn/nn_int8.c", "firmware/nn/nn_dot_int8.S"]


def _build(mcu, code, target="py32f003"):
    return mcu.build([code, *NN], target, include=["firmware/nn"], opt="-O2")


def _rq(rng, n, big=False):
    scales = rng.uniform(2.0, 8.0, n) if big else 10 ** rng.uniform(-4, -0.5, n)
    return [nm.quantize_multiplier(float(s)) for s in scales]


def _write_rq(fw, rq):
    fw.write("rq", np.array(rq, dtype=np.int64).ravel(), "<i4")


def _write_out(fw, out):
    fw.write("out", [out["out_zp"], out["act_min"], out["act_max"]], "<i4")


OUTS = [
    {"out_zp": -5, "act_min": -128, "act_max": 127},  # no activation
    {"out_zp": -128, "act_min": -128, "act_max": 127},  # ReLU (zero point at -128)
    {"out_zp": -20, "act_min": -20, "act_max": 70},
]  # ReLU6 in int8 units


def test_requantize_matches_tflite_rounding_everywhere(mcu):
    fw = _build(
        mcu,
        '#include "nn_int8.h"\nint32_t rq_one(int32_t x, int32_t m, int32_t s) '
        "{ return nn_requantize(x, m, s); }\n",
    )
    rng = np.random.default_rng(1)
    cases = [
        (0, 1 << 30, 0),
        (-1, 1 << 30, -1),
        (1, 1 << 30, -1),
        (-(1 << 31), -(1 << 31), 0),
        ((1 << 31) - 1, (1 << 31) - 1, 0),
        (-(1 << 31), 1 << 30, -31),
        (12345, 1518500250, 3),
        (-3, 1 << 30, -1),
        (3, 1 << 30, -1),
        (-5, 1 << 30, -2),
    ]
    for _ in range(60):
        m, s = nm.quantize_multiplier(float(10 ** rng.uniform(-6, 1.2)))
        cases.append((int(rng.integers(-(1 << 20), 1 << 20)), m, s))
    for _ in range(200):  # any int32 operands, signs and half-words of every kind
        x, m = (int(v) for v in rng.integers(-(1 << 31), 1 << 31, 2))
        cases.append((x, m, -int(rng.integers(0, 32))))
    for a in (
        -(1 << 31),
        -(1 << 31) + 1,
        -65536,
        -65535,
        -32768,
        -1,
        0,
        1,
        32767,
        65535,
        65536,
        (1 << 31) - 1,
    ):
        for b in (-(1 << 31), -65537, -1, 1, 65535, 1 << 30, (1 << 31) - 1):
            cases.append((a, b, 0))
    for x, m, s in cases:
        got = fw.call("rq_one", x, m, s).return_value
        assert got == int(nm.requantize(x, m, s)), (x, m, s)


@pytest.mark.parametrize("out", OUTS)
def test_fully_connected(mcu, out):
    n_in, n_out = 37, 11
    fw = _build(
        mcu,
        f"""#include "nn_int8.h"
int8_t x[{n_in}], w[{n_out * n_in}], y[{n_out}]; int32_t bias[{n_out}];
nn_requant_t rq[{n_out}]; nn_output_t out;
void run(void) {{ nn_fully_connected(x, {n_in}, w, bias, {n_out}, rq, &out, y); }}
""",
    )
    rng = np.random.default_rng(2)
    x, w = rng.integers(-128, 128, n_in), rng.integers(-127, 128, (n_out, n_in))
    bias, rq = rng.integers(-20000, 20000, n_out), _rq(rng, n_out)
    for name, v, dt in (("x", x, "<i1"), ("w", w.ravel(), "<i1"), ("bias", bias, "<i4")):
        fw.write(name, v, dt)
    _write_rq(fw, rq)
    _write_out(fw, out)
    r = fw.call("run")
    assert np.array_equal(fw.read("y", "<i1"), nm.fully_connected(x, w, bias, rq, out))
    assert r.stack_peak_bytes < 128


@pytest.mark.parametrize("kernel,dilation,stride", [(3, 1, 1), (3, 2, 1), (2, 4, 2), (5, 1, 3)])
def test_conv1d_causal_dilated_strided(mcu, kernel, dilation, stride):
    t_in, c_in, c_out = 13, 6, 5
    t_out = -(-t_in // stride)
    fw = _build(
        mcu,
        f"""#include "nn_int8.h"
int8_t x[{t_in * c_in}], w[{c_out * kernel * c_in}], y[{t_out * c_out}]; int32_t bias[{c_out}];
nn_requant_t rq[{c_out}]; nn_output_t out;
void run(void) {{
    nn_conv1d(x, {t_in}, {c_in}, w, bias, {c_out}, {kernel}, {dilation}, {stride},
              rq, &out, y);
}}
""",
    )
    rng = np.random.default_rng(kernel * 100 + dilation * 10 + stride)
    x, w = rng.integers(-128, 128, (t_in, c_in)), rng.integers(-127, 128, (c_out, kernel, c_in))
    bias, rq, out = rng.integers(-5000, 5000, c_out), _rq(rng, c_out), OUTS[1]
    for name, v, dt in (("x", x.ravel(), "<i1"), ("w", w.ravel(), "<i1"), ("bias", bias, "<i4")):
        fw.write(name, v, dt)
    _write_rq(fw, rq)
    _write_out(fw, out)
    fw.call("run")
    expected = nm.conv1d(x, w, bias, rq, out, dilation, stride)
    assert expected.shape == (t_out, c_out)
    assert np.array_equal(fw.read("y", "<i1").reshape(t_out, c_out), expected)


def test_depthwise_conv1d_and_pooling(mcu):
    t_in, ch, kernel, dilation = 12, 7, 3, 2
    fw = _build(
        mcu,
        f"""#include "nn_int8.h"
int8_t x[{t_in * ch}], w[{kernel * ch}], y[{t_in * ch}], pm[{t_in * ch}], pa[{t_in * ch}], g[{ch}];
int32_t bias[{ch}]; nn_requant_t rq[{ch}]; nn_output_t out;
void run(void) {{
    nn_conv1d_depthwise(x, {t_in}, {ch}, w, bias, {kernel}, {dilation}, 1, rq, &out, y);
    nn_maxpool1d(y, {t_in}, {ch}, 3, 2, pm);
    nn_avgpool1d(y, {t_in}, {ch}, 4, 4, pa);
    nn_global_avgpool1d(y, {t_in}, {ch}, g);
}}
""",
    )
    rng = np.random.default_rng(9)
    x, w = rng.integers(-128, 128, (t_in, ch)), rng.integers(-127, 128, (kernel, ch))
    bias, rq, out = rng.integers(-3000, 3000, ch), _rq(rng, ch, big=False), OUTS[0]
    for name, v, dt in (("x", x.ravel(), "<i1"), ("w", w.ravel(), "<i1"), ("bias", bias, "<i4")):
        fw.write(name, v, dt)
    _write_rq(fw, rq)
    _write_out(fw, out)
    fw.call("run")
    y = nm.conv1d_depthwise(x, w, bias, rq, out, dilation)
    assert np.array_equal(fw.read("y", "<i1").reshape(t_in, ch), y)
    mp, ap = nm.maxpool1d(y, 3, 2), nm.avgpool1d(y, 4, 4)
    assert np.array_equal(fw.read("pm", "<i1", mp.size).reshape(mp.shape), mp)
    assert np.array_equal(fw.read("pa", "<i1", ap.size).reshape(ap.shape), ap)
    assert np.array_equal(fw.read("g", "<i1"), nm.global_avgpool1d(y))


def test_softmax(mcu):
    n = 10
    fw = _build(
        mcu,
        f"""#include "nn_int8.h"
int8_t x[{n}], y[{n}]; uint32_t lut[256];
void run(void) {{ nn_softmax(x, {n}, lut, y); }}
""",
    )
    lut = nm.softmax_lut(0.0625)
    fw.write("lut", lut, "<u4")
    rng = np.random.default_rng(4)
    for trial in range(5):
        x = rng.integers(-128, 128, n) if trial else np.full(n, 7)
        fw.write("x", x, "<i1")
        fw.call("run")
        y = fw.read("y", "<i1")
        assert np.array_equal(y, nm.softmax(x, lut))
        probs = (y.astype(float) + 128) / 256
        ref = np.exp(0.0625 * (x - x.max()))
        assert np.abs(probs - ref / ref.sum()).max() < 2 / 256


def test_quantize_multiplier_round_trips():
    for real in (1e-6, 0.0123, 0.5, 0.99999, 1.0, 3.7):
        m, s = nm.quantize_multiplier(real)
        assert (1 << 30) <= m < (1 << 31)
        assert abs(m * 2.0 ** (s - 31) - real) <= real * 2**-30


def test_time_projection(mcu):
    t_in, ch, k_out = 32, 8, 8
    fw = _build(
        mcu,
        f"""#include "nn_int8.h"
int8_t x[{t_in * ch}], d[{k_out * t_in}], y[{k_out * ch}]; int32_t bias[{k_out}];
nn_requant_t rq[{k_out}]; nn_output_t out;
void run(void) {{ nn_time_project(x, {t_in}, {ch}, d, bias, {k_out}, rq, &out, y); }}
""",
    )
    rng = np.random.default_rng(5)
    x, d = rng.integers(-128, 128, (t_in, ch)), rng.integers(-127, 128, (k_out, t_in))
    bias, rq, out = rng.integers(-4000, 4000, k_out), _rq(rng, k_out), OUTS[0]
    for name, v, dt in (("x", x.ravel(), "<i1"), ("d", d.ravel(), "<i1"), ("bias", bias, "<i4")):
        fw.write(name, v, dt)
    _write_rq(fw, rq)
    _write_out(fw, out)
    fw.call("run")
    assert np.array_equal(fw.read("y", "<i1").reshape(k_out, ch), nm.time_project(x, d, bias, rq, out))


DW4 = """
#include "nn_int8.h"
int8_t x[64] __attribute__((aligned(4)));
int8_t w[64] __attribute__((aligned(4)));
int32_t x_off[8], w_off[8], bias[8], sums[8];
void dw4(uint32_t taps, uint32_t quads)
{
    const nn_dw4_all_t g = {x_off, w_off, taps, quads, bias};
    nn_dw4_all_int8(x, w, &g, sums);
}
"""


def test_depthwise_channels_four_at_a_time_are_exact_and_cost_31_cycles_a_tap(mcu):
    """nn_dw4_all_int8 adds each tap's four channel products to four sums started at the
    biases, a quad after another, exactly as numpy does (extreme values included), and a
    tap costs what the TRM counts for its loop: LDM x_off 2, LDM w_off 2, two LDR 2 + 2,
    four lanes of SXTB/LSLS+ASRS, MULS, ADD (4 + 6 + 6 + 4), CMP 1, BNE taken 2 = 31
    cycles; a quad 45 around its taps (LDR, LDM of four biases, STR, four MOV, four LDR,
    LSLS, ADDS, MOV = 24 before; BNE not taken -1, LDR, four MOV, STM of four, STR, two
    ADDS, LDR, SUBS, STR, BNE taken = 22 after), whatever the data."""
    fw = _build(mcu, DW4)
    rng = np.random.default_rng(7)
    x = rng.integers(-128, 128, 64).astype(np.int8)
    w = rng.integers(-128, 128, 64).astype(np.int8)
    x[:4], w[:4] = -128, -128  # the largest products
    x_off = rng.choice(np.arange(0, 56, 4), 8, replace=False)  # room for a second quad
    w_off = rng.choice(np.arange(0, 56, 4), 8, replace=False)
    bias = np.array([5, -7, 1 << 20, -(1 << 20), 0, 1, -1, 99])
    fw.write("x", x, "<i1")
    fw.write("w", w, "<i1")
    fw.write("x_off", x_off, "<i4")
    fw.write("w_off", w_off, "<i4")
    fw.write("bias", bias, "<i4")
    cycles = {}
    for taps, quads in ((1, 1), (8, 1), (8, 2)):
        cycles[taps, quads] = fw.call("dw4", taps, quads).cycles
        want = np.concatenate(
            [
                bias[4 * q : 4 * q + 4]
                + sum(
                    x[xo + 4 * q : xo + 4 * q + 4].astype(np.int64) * w[wo + 4 * q : wo + 4 * q + 4]
                    for xo, wo in zip(x_off[:taps], w_off[:taps])
                )
                for q in range(quads)
            ]
        )
        assert np.array_equal(fw.read("sums", "<i4")[: 4 * quads], want), (taps, quads)
    assert cycles[8, 1] - cycles[1, 1] == 7 * 31
    assert cycles[8, 2] - cycles[8, 1] == 8 * 31 + 45


DWM4_ROWS = """
#include "nn_int8.h"
int8_t x[128] __attribute__((aligned(4)));
int8_t w[512] __attribute__((aligned(4)));
int32_t acc[4];
nn_dwm_rows_t g;
void dwm4(void) { nn_dwm4_rows_int8(x, w, &g, acc); }
"""


def test_a_channel_multipliers_four_outputs_over_a_rectangle_are_exact_and_cost_23_a_tap(mcu):
    """nn_dwm4_rows_int8 (micro_speech's 1 -> 8 depthwise layer): four outputs of one input
    byte per tap over rows x cols taps, exactly as numpy sums them, and what the TRM counts:
    a tap LDRSB 2, LDR 2, four lanes SXTB/LSLS+ASRS, MULS, ADD (3 + 4 + 4 + 3), two ADDS,
    CMP 1, BNE taken 2 = 23 cycles; a row 20 more (LDR, LDR, MULS, ADDS, MOV, MOVS = 8 to
    start, BNE not taken -1, LDR x3, ADDS x2, MOV, SUBS, MOV, BNE taken = 13 to end)."""
    fw = _build(mcu, DWM4_ROWS)
    rng = np.random.default_rng(8)
    x = rng.integers(-128, 128, 128).astype(np.int8)
    w = rng.integers(-128, 128, 512).astype(np.int8)
    x[0], w[:4] = -128, -128  # the largest products
    fw.write("x", x, "<i1")
    fw.write("w", w, "<i1")
    x_step, x_row, w_step = 2, 13, 8  # a stride-2 input row, 13 bytes a row; 8 outputs a tap
    cycles = {}
    for rows, cols in ((1, 1), (1, 8), (3, 8), (3, 1)):
        w_row = cols * w_step + 4  # whole kernel rows are longer than the taps in range
        g = [x_step, w_step, x_row - cols * x_step, w_row - cols * w_step, cols, rows]
        fw.write("g", np.array(g), "<i4")
        start = np.array([5, -7, 1 << 20, -(1 << 20)])
        fw.write("acc", start, "<i4")
        cycles[rows, cols] = fw.call("dwm4").cycles
        want = start.copy()
        for r in range(rows):
            for c in range(cols):
                xi, wi = r * x_row + c * x_step, r * w_row + c * w_step
                want += int(x[xi]) * w[wi : wi + 4].astype(np.int64)
        assert np.array_equal(fw.read("acc", "<i4"), want), (rows, cols)
    assert cycles[1, 8] - cycles[1, 1] == 7 * 23
    assert cycles[3, 8] - cycles[3, 1] == 3 * 7 * 23
    assert cycles[3, 1] - cycles[1, 1] == 2 * (23 + 20)


RING = """
#include "nn_int8.h"
int8_t w8[40], s8[40];
int16_t w16[40] __attribute__((aligned(4))), s16[40] __attribute__((aligned(4)));
int32_t ring8(uint32_t m_next, int32_t acc) { return nn_ring_dot_s8(w8, s8, m_next, acc); }
int32_t ring16(uint32_t m_next, int32_t acc) { return nn_ring_dot_s16(w16, s16, m_next, acc); }
"""


@pytest.mark.parametrize("width", [8, 16])
def test_an_svdf_rings_time_sum_is_exact_and_costs_9_cycles_a_tap(mcu, width):
    """nn_ring_dot_s8/_s16: the time weights against the ring read oldest first (slot next
    on), exactly as numpy sums them for every place of the ring (extreme values included),
    and a tap costs what the TRM counts: LDRSB/LDRSH 2 + 2, MULS 1, ADDS 1, ADDS 1, BNE
    taken 2 = 9 cycles, whatever the data and the place."""
    fw = _build(mcu, RING)
    dtype = np.int8 if width == 8 else np.int16
    lim = np.iinfo(dtype)
    rng = np.random.default_rng(9)
    w = rng.integers(lim.min, lim.max + 1, 40).astype(dtype)
    s = rng.integers(lim.min, lim.max + 1, 40).astype(dtype)
    w[:2], s[:2] = lim.min, lim.min  # the largest products
    fw.write(f"w{width}", w, "<i1" if width == 8 else "<i2")
    fw.write(f"s{width}", s, "<i1" if width == 8 else "<i2")
    cycles = {}
    for m in (4, 32):
        for nxt in range(m):
            r = fw.call(f"ring{width}", m | nxt << 16, -12345)
            order = [(nxt + j) % m for j in range(m)]
            want = -12345 + int(np.dot(w[:m].astype(np.int64), s[order].astype(np.int64)))
            assert r.return_value == ((want + 2**31) % 2**32) - 2**31, (m, nxt)
            cycles[m, nxt] = r.cycles
    assert len({cycles[32, n] for n in range(1, 32)}) == 1  # two runs, wherever the ring is
    assert cycles[32, 5] - cycles[4, 1] == 28 * 9

"""Each path of the int8 convolution kernels, bit-exact with TFLite Micro's host
interpreter on the chip: one-layer models built as the fixture script builds them, in the
shapes that pick each path of tfl_ops.c (1x1 as a matrix product over positions, with a
stride and with rows that are not whole words; small kernels from gathered patches, and
a patch too large for them; 2-D depthwise from tap lists, interior
and border, with a channel multiplier, a stride and dilation; short 1-D depthwise, also
over channels that are not whole words; a kernel too large for the tap lists; a channel
multiplier of 4 and 8, four outputs over a rectangle of taps a call, the padding's share
from weight sums or, for a kernel wider or taller than those sums keep, tap by tap)."""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from mcubench.bench.model_run import oracle, run
from mcubench.chip.targets import load_target
from mcubench.tflite.ops import weighted

SCRIPT = Path(__file__).parents[2] / "scripts" / "make-tflite-fixtures.py"
_spec = importlib.util.spec_from_file_location("make_fixtures", SCRIPT)
assert _spec is not None and _spec.loader is not None
mk = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mk)
runtime = oracle()

# (name, input shape, layer, output shape): layer = ("conv", cout, k, stride, padding, dilation)
# or ("dw", mult, kernel, stride, padding, dilation)
CASES = [
    ("1x1 over positions", (1, 6, 5, 16), ("conv", 12, 1, 1, mk.VALID, 1), (1, 6, 5, 12)),
    ("1x1 with a stride", (1, 7, 6, 8), ("conv", 8, 1, 2, mk.VALID, 1), (1, 4, 3, 8)),
    ("1x1, rows not whole words", (1, 5, 4, 6), ("conv", 5, 1, 1, mk.SAME, 1), (1, 5, 4, 5)),
    (
        "3x3 patches, stride 2, rows not whole words",
        (1, 9, 8, 5),
        ("conv", 6, 3, 2, mk.SAME, 1),
        (1, 5, 4, 6),
    ),
    ("3x3 patches, dilation 2", (1, 8, 7, 4), ("conv", 4, 3, 1, mk.SAME, 2), (1, 8, 7, 4)),
    ("3x3 over 32 channels (a patch over 256 B)", (1, 5, 4, 32), ("conv", 4, 3, 1, mk.SAME, 1), (1, 5, 4, 4)),
    ("3x3 depthwise, borders", (1, 7, 6, 8), ("dw", 1, 3, 1, mk.SAME, 1), (1, 7, 6, 8)),
    ("3x3 depthwise x3, stride 2", (1, 9, 8, 4), ("dw", 3, 3, 2, mk.SAME, 1), (1, 5, 4, 12)),
    ("3x3 depthwise, dilation 2", (1, 9, 9, 4), ("dw", 1, 3, 1, mk.SAME, 2), (1, 9, 9, 4)),
    ("7x1 depthwise", (1, 12, 1, 8), ("dw", 1, (7, 1), 1, mk.SAME, 1), (1, 12, 1, 8)),
    (
        "10x8 depthwise x8 on 1 channel, stride 2",
        (1, 15, 12, 1),
        ("dw", 8, (10, 8), 2, mk.SAME, 1),
        (1, 8, 6, 8),
    ),
    ("3x3 depthwise x4, dilation 2", (1, 7, 6, 2), ("dw", 4, 3, 1, mk.SAME, 2), (1, 7, 6, 8)),
    ("6x5 depthwise (30 taps: strided dots)", (1, 8, 7, 4), ("dw", 2, (6, 5), 1, mk.SAME, 1), (1, 8, 7, 8)),
    (
        "5x1 depthwise over 30 channels (not words)",
        (1, 5, 1, 30),
        ("dw", 1, (5, 1), 1, mk.VALID, 1),
        (1, 1, 1, 30),
    ),
    ("3x3 depthwise over 6 channels, borders", (1, 6, 5, 6), ("dw", 1, 3, 1, mk.SAME, 1), (1, 6, 5, 6)),
    (
        "3x10 depthwise x4 (wider than the column sums)",
        (1, 6, 12, 1),
        ("dw", 4, (3, 10), 1, mk.SAME, 1),
        (1, 6, 12, 4),
    ),
    (
        "14x1 depthwise x4 (taller than the row sums)",
        (1, 16, 2, 1),
        ("dw", 4, (14, 1), 1, mk.SAME, 1),
        (1, 16, 2, 4),
    ),
]


def _unsaturated(b, x, y) -> None:
    """An output scale at which the layer uses the int8 range without clipping, so that any
    arithmetic difference shows (the fixture script's calibration, with an arena the
    interpreter can prepare these small models in)."""
    data = np.random.default_rng(1).integers(-128, 128, size=x.shape, dtype=np.int8)
    for _ in range(6):
        it = runtime.Interpreter.from_bytes(b.build(), arena_size=1 << 20)
        it.set_input(data, 0)
        it.invoke()
        q = it.get_output(0).astype(int).ravel()
        zp, scale = y.quantization.zero_points, y.quantization.scales
        clipped = np.mean((q == 127) | (q == -128))
        span = int(np.abs(q - zp).max())
        scale *= 3.0 if clipped > 0.005 else span / 90.0 if span else 1.0
        y.quantization = mk.me.Quantization(scale, zp)
    assert clipped <= 0.005 and span > 30, (clipped, span)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_kernel_path_is_bit_exact_on_the_chip(case, tmp_path):
    _, x_shape, (kind, n, k, stride, padding, dilation), y_shape = case
    b = mk.Builder(5)
    x = b.act(x_shape, 0.04, -7, "input")
    y = b.act(y_shape, 0.06, 9, "output")
    if kind == "conv":
        b.conv(x, n, k, stride, padding, dilation, mk.RELU, y)
    else:
        b.depthwise(x, n, k, stride, padding, dilation, mk.NONE, y)
    b.sg.inputs, b.sg.outputs = [x], [y]
    _unsaturated(b, x, y)
    path = tmp_path / "layer.tflite"
    path.write_bytes(b.build())
    result = run(path, load_target("py32f003"), steps=3)
    assert result.bit_exact, [o.first_diff for o in result.ops]
    assert result.ops[0].cycles > 0 and result.ops[0].macs > 0


def test_the_generator_and_the_kernels_agree_on_the_largest_patch():
    """tfl_conv2d_patches computes nothing for a patch over TFL_CONV_PATCH_BYTES (its stack
    buffer); the generator must never call it for one."""
    header = (Path(__file__).parents[2] / "firmware" / "nn" / "tfl_ops.h").read_text()
    match = re.search(r"#define TFL_CONV_PATCH_BYTES (\d+)", header)
    assert match is not None and int(match.group(1)) == weighted.CONV_PATCH_BYTES

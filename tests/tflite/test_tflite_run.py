"""Imported .tflite models run on the emulated chips (tflite/codegen.py and tflite/ops,
bench/model_run.py), every operator's output held to TFLite Micro's host interpreter.
The fixtures are written by scripts/make-tflite-fixtures.py (no TensorFlow)."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal, localcontext
from pathlib import Path

import numpy as np
import pytest
from run_cli import mcubench
from tflite_micro.python.tflite_micro import runtime
from tflite_micro.tensorflow.lite.micro.compression import model_editor as me
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

from mcubench.base.paths import DATA_DIR
from mcubench.bench import model_run
from mcubench.chip.targets import load_target
from mcubench.tflite import codegen, emit
from mcubench.tflite import tflm_tables as tables
from mcubench.tflite.model import ModelError
from mcubench.tflite.ops.softmax import exp2_table

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tflite"
SPEECH = DATA_DIR / "sed_speech_16000.wav"


@pytest.mark.parametrize("target", ["py32f003", "rp2040"])
@pytest.mark.parametrize("name", ["dense", "conv", "depthwise", "pooling"])
def test_every_operator_equals_tflite_micro_on_the_chip(name, target):
    """Per-tensor and per-channel weights, SAME/VALID padding (taps in the padding on
    every side), strides, dilation 2, a depth multiplier of 2, a kernel along one axis,
    ReLU/ReLU6, a reshape: all bit-exact, on two inputs."""
    path = FIXTURES / f"{name}.tflite"
    for seed in (0, 1):
        r = model_run.run(path, load_target(target), seed=seed)
        assert [o.bit_exact for o in r.ops] == [True] * len(r.ops), [o.first_diff for o in r.ops]
        assert all(o.cycles > 0 for o in r.ops)
    assert r.flash_bytes > r.weight_bytes and r.ram_static_bytes >= r.arena_bytes > 0


def test_a_keyword_spotting_ds_cnn_equals_tflite_micro_on_the_chip():
    """The DS-CNN fixture (Arm's KWS DS-CNN-S shape: CONV 10x4 stride 2 to 64 channels,
    four depthwise separable blocks, average pool, FULLY_CONNECTED), 16 KB of
    activations: on the RP2040, every operator bit-exact."""
    r = model_run.run(FIXTURES / "dscnn.tflite", load_target("rp2040"), seed=3)
    assert [o.bit_exact for o in r.ops] == [True] * len(r.ops), [o.first_diff for o in r.ops]
    assert [o.name for o in r.ops].count("DEPTHWISE_CONV_2D") == 4 and r.ops[0].macs == 320_000


def test_the_outputs_compared_are_not_degenerate():
    """The comparison means something only if the outputs use the int8 range: the
    fixtures' scales are calibrated so that no layer's output is mostly clipped."""
    for name in ("dense", "conv", "depthwise", "pooling", "dscnn"):
        buf = (FIXTURES / f"{name}.tflite").read_bytes()
        interp = runtime.Interpreter.from_bytes(
            buf, arena_size=1 << 20, intrepreter_config=runtime.InterpreterConfig.kPreserveAllTensors
        )
        shape = interp.get_input_details(0)["shape"]
        interp.set_input(np.random.default_rng(5).integers(-128, 128, size=shape, dtype=np.int8), 0)
        interp.invoke()
        out = interp.get_output(0).ravel().astype(int)
        assert len(set(out.tolist())) > 1 and np.mean(np.abs(out) == 127) < 0.5


def test_a_wrong_multiplier_is_caught_and_named(monkeypatch):
    """The check can fail: multipliers 0.2% too large change some outputs by one LSB,
    and the run names the first operator and element that differ."""
    real = emit.tflite_multiplier
    monkeypatch.setattr(emit, "tflite_multiplier", lambda x: (lambda m, s: (m + (m >> 9), s))(*real(x)))
    r = model_run.run(FIXTURES / "conv.tflite", load_target("py32f003"))
    assert not r.bit_exact
    first = next(o for o in r.ops if not o.bit_exact)
    assert first.index == 0 and first.first_diff["count"] >= 1
    assert first.first_diff["got"] != first.first_diff["tflm"]


def test_tflite_multiplier_rounds_half_away_from_zero():
    # 0.75 * 2^31 is exact; 2^-32 above a tie rounds up; frexp mantissa 1 - 2^-33
    # rounds to 2^31 and becomes 2^30 with the shift one higher
    assert emit.tflite_multiplier(0.75) == (3 << 29, 0)
    assert emit.tflite_multiplier(0.5 + 2**-32) == ((1 << 30) + 1, 0)
    assert emit.tflite_multiplier(1 - 2**-33) == (1 << 30, 1)
    assert emit.tflite_multiplier(0.0) == (0, 0)


def test_an_unsupported_operator_is_one_line_naming_it(tmp_path):
    with pytest.raises(ModelError, match=r"operator 1 \(ABS\) is not supported"):
        codegen.generate(FIXTURES / "unsupported.tflite")
    p = mcubench("model", str(FIXTURES / "unsupported.tflite"), "--target", "py32f003", "--run")
    err = p.stderr
    assert p.returncode == 2 and "operator 1 (ABS)" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_the_model_command_runs_and_reports(tmp_path):
    x = np.random.default_rng(9).integers(-128, 128, size=(1, 40), dtype=np.int8)
    np.save(tmp_path / "x.npy", x)
    args = ("model", str(FIXTURES / "dense.tflite"), "--target", "py32f003", "--run")
    p = mcubench(*args, "--input", str(tmp_path / "x.npy"), "--json")
    doc = json.loads(p.stdout)
    assert p.returncode == 0 and doc["bit_exact"] and doc["fits"]
    assert [o["op"] for o in doc["ops"]] == ["FULLY_CONNECTED", "FULLY_CONNECTED"]
    assert doc["cycles"] == sum(o["cycles"] for o in doc["ops"])
    assert doc["ram_peak_bytes"] == doc["ram_static_bytes"] + doc["stack_peak_bytes"]
    p = mcubench(*args)
    assert p.returncode == 0 and "equal" in p.stdout and "fits py32f003" in p.stdout
    p = mcubench("model", str(FIXTURES / "dense.tflite"), "--target", "py32f003", "--input", "x.npy")
    assert p.returncode == 2 and "--input needs --run" in p.stderr


def _one_op_model(opcode, in_q, out_q, out_dtype=fb.TensorType.INT8, shape=(1, 256), options=None):
    sg = me.Subgraph()
    x = sg.add_tensor(shape=shape, dtype=fb.TensorType.INT8, quantization=me.Quantization(*in_q), name="x")
    y = sg.add_tensor(shape=shape, dtype=out_dtype, quantization=me.Quantization(*out_q), name="y")
    op = sg.add_operator(opcode=opcode, inputs=[x], outputs=[y])
    if options is not None:
        op._fb.builtinOptionsType, op._fb.builtinOptions = options
    sg.inputs, sg.outputs = [x], [y]
    return bytes(me.Model(subgraphs=[sg]).build())


def _tflm_on_every_int8(buf) -> np.ndarray:
    interp = runtime.Interpreter.from_bytes(buf)
    interp.set_input(np.arange(-128, 128, dtype=np.int8).reshape(1, 256), 0)
    interp.invoke()
    return interp.get_output(0).ravel()


@pytest.mark.parametrize(
    "scale,zp", [(0.1, 0), (0.05, -3), (0.013, 17), (0.37, -100), (1 / 16, 5), (0.002, 0)]
)
def test_the_logistic_and_tanh_tables_are_tflite_micros_for_every_input(scale, zp):
    """gemmlowp's fixed-point logistic and tanh, ported operation for operation: all 256
    inputs, inside and outside the saturation radius, for input scales that put the
    radius everywhere from inside the int8 range to far outside it."""
    want = _tflm_on_every_int8(_one_op_model(fb.BuiltinOperator.LOGISTIC, (scale, zp), (1 / 256, -128)))
    np.testing.assert_array_equal(tables.logistic_table(scale, zp), want)
    assert len(set(want.tolist())) > 20
    want = _tflm_on_every_int8(_one_op_model(fb.BuiltinOperator.TANH, (scale, zp), (1 / 128, 0)))
    np.testing.assert_array_equal(tables.tanh_table(scale, zp), want)


@pytest.mark.parametrize(
    "out_dtype,out_q", [(fb.TensorType.UINT8, (0.02, 128)), (fb.TensorType.INT8, (0.031, -7))]
)
def test_the_quantize_table_is_tflite_micros_requantize(out_dtype, out_q):
    buf = _one_op_model(fb.BuiltinOperator.QUANTIZE, (0.02, -5), out_q, out_dtype)
    want = _tflm_on_every_int8(buf)
    m, s = emit.tflite_multiplier(0.02 / out_q[0])
    got = tables.requantize_table(m, s, -5, out_q[1], out_dtype == fb.TensorType.UINT8)
    np.testing.assert_array_equal(got, want)


def _softmax_options(beta):
    o = fb.SoftmaxOptionsT()
    o.beta = beta
    return fb.BuiltinOptions.SoftmaxOptions, o


ONE_OP = {
    "LOGISTIC": (fb.BuiltinOperator.LOGISTIC, (0.05, -3), (1 / 256, -128), fb.TensorType.INT8, None),
    "TANH": (fb.BuiltinOperator.TANH, (0.03, 40), (1 / 128, 0), fb.TensorType.INT8, None),
    "QUANTIZE": (fb.BuiltinOperator.QUANTIZE, (0.02, -5), (0.02, 128), fb.TensorType.UINT8, None),
    "DEQUANTIZE": (fb.BuiltinOperator.DEQUANTIZE, (0.0371, -11), (1.0, 0), fb.TensorType.FLOAT32, None),
    "SOFTMAX": (
        fb.BuiltinOperator.SOFTMAX,
        (0.05, -7),
        (1 / 256, -128),
        fb.TensorType.INT8,
        _softmax_options(1.0),
    ),
    "SOFTMAX beta 2.5": (
        fb.BuiltinOperator.SOFTMAX,
        (0.02, 3),
        (1 / 256, -128),
        fb.TensorType.INT8,
        _softmax_options(2.5),
    ),
    "SOFTMAX wide": (
        fb.BuiltinOperator.SOFTMAX,
        (1.0, 0),
        (1 / 256, -128),
        fb.TensorType.INT8,
        _softmax_options(1.0),
    ),
}


@pytest.mark.parametrize("name", ONE_OP)
def test_elementwise_and_softmax_operators_equal_tflite_micro_on_the_chip(name, tmp_path):
    """Each operator alone in a model, generated, built and run on the chip over 16
    random inputs of 3 rows of 10 (SOFTMAX per row: the maximum, the sum, the reciprocal
    on the chip), every output held to the interpreter."""
    code, in_q, out_q, out_dtype, options = ONE_OP[name]
    path = tmp_path / "op.tflite"
    path.write_bytes(_one_op_model(code, in_q, out_q, out_dtype, (3, 10), options))
    r = model_run.run(path, load_target("py32f003"), steps=16, seed=2)
    assert r.ops[0].name == name.split()[0] and r.bit_exact, r.ops[0].first_diff


@pytest.mark.parametrize("beta,q,shape", [(1.0, (0.05, -7), (3, 10)), (0.3, (0.21, 4), (2, 35))])
def test_a_float_tail_equals_tflite_micro_bit_for_bit_on_the_chip(beta, q, shape, tmp_path):
    """DEQUANTIZE -> float SOFTMAX, as exported models end: the chip's expf and software
    float division give TFLite Micro's float32 outputs bit for bit, over 16 inputs."""
    sg = me.Subgraph()
    x = sg.add_tensor(shape=shape, dtype=fb.TensorType.INT8, quantization=me.Quantization(*q), name="x")
    f = sg.add_tensor(shape=shape, dtype=fb.TensorType.FLOAT32, name="f")
    y = sg.add_tensor(shape=shape, dtype=fb.TensorType.FLOAT32, name="y")
    sg.add_operator(opcode=fb.BuiltinOperator.DEQUANTIZE, inputs=[x], outputs=[f])
    op = sg.add_operator(opcode=fb.BuiltinOperator.SOFTMAX, inputs=[f], outputs=[y])
    op._fb.builtinOptionsType, op._fb.builtinOptions = _softmax_options(beta)
    sg.inputs, sg.outputs = [x], [y]
    path = tmp_path / "tail.tflite"
    path.write_bytes(bytes(me.Model(subgraphs=[sg]).build()))
    r = model_run.run(path, load_target("py32f003"), steps=16, seed=6)
    assert [o.name for o in r.ops] == ["DEQUANTIZE", "SOFTMAX"] and r.bit_exact, r.ops[1].first_diff


def _arith_model(code, qa, qb, qy, act) -> bytes:
    """y = x (op) QUANTIZE(x): two int8 tensors of one shape with other quantisations."""
    sg = me.Subgraph()
    i8 = fb.TensorType.INT8
    x = sg.add_tensor(shape=(2, 24), dtype=i8, quantization=me.Quantization(*qa), name="x")
    b = sg.add_tensor(shape=(2, 24), dtype=i8, quantization=me.Quantization(*qb), name="b")
    y = sg.add_tensor(shape=(2, 24), dtype=i8, quantization=me.Quantization(*qy), name="y")
    sg.add_operator(opcode=fb.BuiltinOperator.QUANTIZE, inputs=[x], outputs=[b])
    op = sg.add_operator(opcode=code, inputs=[x, b], outputs=[y])
    add = code == fb.BuiltinOperator.ADD
    opt = fb.AddOptionsT() if add else fb.MulOptionsT()
    opt.fusedActivationFunction = act
    op._fb.builtinOptionsType = fb.BuiltinOptions.AddOptions if add else fb.BuiltinOptions.MulOptions
    op._fb.builtinOptions = opt
    sg.inputs, sg.outputs = [x], [y]
    return bytes(me.Model(subgraphs=[sg]).build())


@pytest.mark.parametrize("code", [fb.BuiltinOperator.ADD, fb.BuiltinOperator.MUL])
@pytest.mark.parametrize(
    "qa,qb,qy,act",
    [
        ((0.05, -3), (0.031, 10), (0.07, 5), fb.ActivationFunctionType.NONE),
        ((0.02, 0), (0.05, -20), (0.08, -128), fb.ActivationFunctionType.RELU),
        ((0.1, 7), (0.013, 0), (0.3, -2), fb.ActivationFunctionType.RELU6),
    ],
)
def test_add_and_mul_equal_tflite_micro_on_the_chip(code, qa, qb, qy, act, tmp_path):
    """Two inputs with different scales and zero points, fused activations."""
    path = tmp_path / "arith.tflite"
    path.write_bytes(_arith_model(code, qa, qb, qy, act))
    r = model_run.run(path, load_target("py32f003"), steps=12, seed=3)
    assert [o.name for o in r.ops][1] in ("ADD", "MUL") and r.bit_exact, [o.first_diff for o in r.ops]


@pytest.mark.parametrize(
    "shape,axes,keep,qx,qy",
    [
        ((1, 5, 4, 8), [1, 2], True, (0.05, -3), (0.02, 7)),  # global average pooling
        ((1, 3, 7, 5), [2], True, (0.1, 10), (0.03, -20)),
        ((2, 6, 3), [1], False, (0.02, 0), (0.5, 1)),
        ((1, 64, 1, 32), [1, 2], False, (0.03, -128), (0.01, -100)),  # a power-of-two count, rescaled
    ],
)
def test_mean_equals_tflite_micro_on_the_chip(shape, axes, keep, qx, qy, tmp_path):
    out = (
        [1 if a in axes else d for a, d in enumerate(shape)]
        if keep
        else [d for a, d in enumerate(shape) if a not in axes]
    )
    sg = me.Subgraph()
    x = sg.add_tensor(shape=shape, dtype=fb.TensorType.INT8, quantization=me.Quantization(*qx), name="x")
    ax = sg.add_tensor(shape=(len(axes),), dtype=fb.TensorType.INT32, data=np.array(axes, np.int32))
    y = sg.add_tensor(shape=tuple(out), dtype=fb.TensorType.INT8, quantization=me.Quantization(*qy), name="y")
    op = sg.add_operator(opcode=fb.BuiltinOperator.MEAN, inputs=[x, ax], outputs=[y])
    opt = fb.ReducerOptionsT()
    opt.keepDims = keep
    op._fb.builtinOptionsType, op._fb.builtinOptions = fb.BuiltinOptions.ReducerOptions, opt
    sg.inputs, sg.outputs = [x], [y]
    path = tmp_path / "mean.tflite"
    path.write_bytes(bytes(me.Model(subgraphs=[sg]).build()))
    r = model_run.run(path, load_target("py32f003"), steps=10, seed=4)
    assert r.bit_exact, r.ops[0].first_diff


@pytest.mark.parametrize(
    "begin,end,strides,masks",
    [
        ([0, 2, 0, 0], [1, 5, 1, 40], [1, 1, 1, 1], (0, 0, 0)),  # the wake-word models' state update
        ([0, -3, 0, 1], [0, 0, 0, 0], [1, 1, 1, 2], (0b0001, 0b1111, 0)),  # negative begin, masks
        ([0, 4, 0, 0], [1, 0, 1, 40], [1, -2, 1, 3], (0, 0, 0)),  # backwards, strided
        ([0, 1, 0, 5], [1, 2, 1, 6], [1, 1, 1, 1], (0, 0, 0b1000)),  # shrink the last axis
    ],
)
def test_strided_slice_runs_are_numpys_slice(begin, end, strides, masks):
    shape = (1, 5, 1, 40)
    x = np.arange(np.prod(shape)).reshape(shape)
    runs = emit.strided_runs(shape, begin, end, strides, masks)
    got = np.concatenate([x.ravel()[o : o + n] for o, n in runs])
    idx = []
    for a in range(4):
        b = None if masks[0] >> a & 1 else begin[a]
        e = None if masks[1] >> a & 1 else end[a]
        if masks[2] >> a & 1:
            idx.append(slice(begin[a], begin[a] + 1))
        else:
            idx.append(slice(b, e, strides[a]))
    np.testing.assert_array_equal(got, x[tuple(idx)].ravel())


def _apply_groups(groups, src: np.ndarray, size: int) -> np.ndarray:
    """What tfl_place_runs does with the groups, in numpy (steps modulo 2^32)."""
    out = np.full(size, -1)
    for s0, d0, n, count, ss, ds in groups:
        for c in range(count):
            s, d = (s0 + c * ss) % 2**32, (d0 + c * ds) % 2**32
            out[d : d + n] = src[s : s + n]
    return out


@pytest.mark.parametrize(
    "runs",
    [
        [(o, 2 * o + 1, 1) for o in range(50)],  # a narrow tensor: one byte a run
        [(40 * o, 48 * o + 9, 40) for o in range(6)] + [(240, 400, 3), (300, 0, 7)],
        [(117 - 3 * o, o, 1) for o in range(30)],  # a reversed, strided slice
        [(0, 0, 5), (5, 5, 5), (10, 20, 5), (20, 30, 2)],  # contiguous runs merge
    ],
)
def test_copy_groups_copy_what_the_runs_copy(runs):
    src = np.arange(600)
    want = np.full(600, -1)
    for s, d, n in runs:
        want[d : d + n] = src[s : s + n]
    groups = emit.run_groups(runs)
    np.testing.assert_array_equal(_apply_groups(groups, src, 600), want)
    assert len(groups) <= 3


def _pad_model(shape, pads, q, constant=None) -> bytes:
    sg = me.Subgraph()
    out = tuple(d + a + b for d, (a, b) in zip(shape, pads))
    i8 = fb.TensorType.INT8
    x = sg.add_tensor(shape=shape, dtype=i8, quantization=me.Quantization(*q), name="x")
    p = sg.add_tensor(shape=(len(shape), 2), dtype=fb.TensorType.INT32, data=np.array(pads, np.int32))
    y = sg.add_tensor(shape=out, dtype=i8, quantization=me.Quantization(*q), name="y")
    inputs, code = [x, p], fb.BuiltinOperator.PAD
    if constant is not None:
        c = sg.add_tensor(
            shape=(1,), dtype=i8, data=np.array([constant], np.int8), quantization=me.Quantization(*q)
        )
        inputs, code = [x, p, c], fb.BuiltinOperator.PADV2
    sg.add_operator(opcode=code, inputs=inputs, outputs=[y])
    sg.inputs, sg.outputs = [x], [y]
    return bytes(me.Model(subgraphs=[sg]).build())


@pytest.mark.parametrize(
    "shape,pads,constant",
    [
        ((1, 49, 10, 1), [[0, 0], [2, 1], [1, 1], [0, 0]], None),  # a narrow spectrogram
        ((1, 5, 4, 3), [[0, 0], [1, 0], [0, 2], [1, 2]], None),  # channels padded too
        ((2, 7, 6), [[1, 0], [0, 0], [3, 0]], 77),  # PADV2's own constant
    ],
)
def test_pad_equals_tflite_micro_on_the_chip_with_a_group_per_padded_axis(shape, pads, constant, tmp_path):
    """PAD and PADV2 bit-exact; the copy of a narrow tensor is a few groups, not a table
    row per byte (the 1x49x10x1 spectrogram padded on two axes took 5,880 B of runs)."""
    path = tmp_path / "pad.tflite"
    path.write_bytes(_pad_model(shape, pads, (0.05, -3), constant))
    r = model_run.run(path, load_target("py32f003"), steps=4, seed=5)
    assert r.ops[0].name == ("PAD" if constant is None else "PADV2") and r.bit_exact, r.ops[0].first_diff
    table = re.search(r"op0_runs\[(\d+)\]", codegen.generate(path).source)
    assert table is not None and int(table.group(1)) <= 6 * np.prod(shape[:-2]), table


WAKE_WORDS = ("alexa", "hey_jarvis", "hey_mycroft", "okay_nabu")


@pytest.fixture(scope="module")
def wake_words(wake_word_models):
    return wake_word_models


@pytest.mark.parametrize("name", WAKE_WORDS)
def test_the_wake_word_models_stream_bit_exact_over_200_steps_of_speech(wake_words, name):
    """Real models nobody here wrote, streaming: their state (resource variables set up
    by CALL_ONCE) carried from step to step, every operator's output equal to TFLite
    Micro's at every one of 200 steps of speech features from the TFLite Micro front
    end (6 s of audio, 3 frames a step)."""
    path = wake_words[name]
    x = model_run.read_steps(path, SPEECH)
    assert len(x) >= 200 and len(np.unique(x)) > 50
    # weights in SRAM: the same arithmetic a third faster to emulate (no XIP misses)
    r = model_run.run(path, load_target("rp2040"), x[:200], weights_in_sram=True)
    assert r.steps == 200
    assert [o.index for o in r.ops if not o.bit_exact] == [], [o.first_diff for o in r.ops if not o.bit_exact]
    assert {"CALL_ONCE", "READ_VARIABLE", "ASSIGN_VARIABLE", "STRIDED_SLICE", "LOGISTIC"} <= {
        o.name for o in r.ops
    }
    assert r.arena_bytes + r.state_bytes <= r.ram_static_bytes and r.weight_bytes < r.flash_bytes


def test_the_model_command_streams_a_wav(wake_words):
    p = mcubench(
        "model",
        str(wake_words["alexa"]),
        "--target",
        "rp2040",
        "--run",
        "--input",
        str(SPEECH),
        "--steps",
        "3",
        "--json",
    )
    doc = json.loads(p.stdout)
    assert p.returncode == 0 and doc["steps"] == 3 and doc["bit_exact"]
    assert doc["worst_step_cycles"] >= doc["cycles"] > 0
    p = mcubench("model", str(wake_words["alexa"]), "--target", "py32f003", "--run")
    assert p.returncode == 1 and "does not fit py32f003" in p.stdout and "over flash" in p.stdout
    p = mcubench(
        "model", str(FIXTURES / "dense.tflite"), "--target", "py32f003", "--run", "--input", str(SPEECH)
    )
    assert p.returncode == 2 and "[1, frames, 40]" in p.stderr


def test_a_suite_benchmark_runs_a_users_tflite_against_its_budgets(tmp_path):
    """`model = "kws.tflite"` in a benchmark file: the suite generates, builds and runs
    it on each target, bit-exact against TFLite Micro, held to its budgets; a missing
    model file is one line naming the benchmark file and key."""
    suite = tmp_path / "benchmarks"
    suite.mkdir()
    shutil.copy(FIXTURES / "dense.tflite", suite / "kws.tflite")
    np.save(suite / "x.npy", np.random.default_rng(3).integers(-128, 128, size=(4, 40), dtype=np.int8))
    (suite / "kws.toml").write_text(
        '[benchmark]\nname = "kws"\nmodel = "kws.tflite"\nmodel_input = "x.npy"\ntargets = ["py32f003"]\n'
        "frames = 4\nhop = 160\nsample_rate = 16000\n\n[budgets.py32f003]\nbit_exact = true\n"
        "max_ram_bytes = 4096\nmax_cycles_per_frame = 20000\n"
    )
    out = tmp_path / "out.json"
    p = mcubench("run", "--suite", str(suite), "--json-file", str(out), "--markdown", str(tmp_path / "o.md"))
    assert p.returncode == 0, p.stdout + p.stderr
    e = json.loads(out.read_text())["results"][0]
    assert e["status"] == "pass" and e["bit_exact"] and e["extra"]["steps"] == 4
    assert e["cycles"] <= 4 * e["cycles_per_frame"] and 0 < e["cpu_load_pct"] < 100
    (suite / "kws.toml").write_text((suite / "kws.toml").read_text().replace("20000", "2000"))
    p = mcubench("run", "--suite", str(suite), "--json-file", str(out), "--markdown", str(tmp_path / "o.md"))
    assert p.returncode == 1 and "max_cycles_per_frame" in json.dumps(json.loads(out.read_text()))
    (suite / "kws.toml").write_text((suite / "kws.toml").read_text().replace('"kws.tflite"', '"kwz.tflite"'))
    p = mcubench("run", "--suite", str(suite), "--json-file", str(out), "--markdown", str(tmp_path / "o.md"))
    assert p.returncode == 2 and "kws.toml:3" in p.stderr and "no such .tflite file" in p.stderr


def _lstm_model(batches, cell_power, cell_clip, h_zp, cell_act=fb.ActivationFunctionType.TANH) -> bytes:
    """x [batches, 5, 6] -> UNIDIRECTIONAL_SEQUENCE_LSTM (8 units, TFLite's integer
    scheme: int8 weights per tensor, int32 biases, int8 hidden and int16 cell state
    variables) -> [batches, 5, 8]."""
    rng = np.random.default_rng(7)
    i8, i16, i32 = fb.TensorType.INT8, fb.TensorType.INT16, fb.TensorType.INT32
    n_in, units, x_scale, h_scale = 6, 8, 0.05, 1 / 128
    sg = me.Subgraph()
    x = sg.add_tensor(shape=(batches, 5, n_in), dtype=i8, quantization=me.Quantization(x_scale, 3))

    def weights(shape):
        s = float(rng.uniform(0.01, 0.03))
        w = rng.integers(-127, 128, size=shape, dtype=np.int8)
        return sg.add_tensor(shape=shape, dtype=i8, data=w, quantization=me.Quantization(s, 0)), s

    w_in = [weights((units, n_in)) for _ in range(4)]
    w_rec = [weights((units, units))[0] for _ in range(4)]
    biases = [
        sg.add_tensor(
            shape=(units,),
            dtype=i32,
            data=rng.integers(-2000, 2000, size=units, dtype=np.int32),
            quantization=me.Quantization(float(np.float32(x_scale) * np.float32(s)), 0),
        )
        for _, s in w_in
    ]
    h = sg.add_tensor(shape=(batches, units), dtype=i8, quantization=me.Quantization(h_scale, h_zp))
    c = sg.add_tensor(shape=(batches, units), dtype=i16, quantization=me.Quantization(2.0**cell_power, 0))
    h.is_variable = c.is_variable = True
    y = sg.add_tensor(shape=(batches, 5, units), dtype=i8, quantization=me.Quantization(h_scale, h_zp))
    none3, none2, none4 = [None] * 3, [None] * 2, [None] * 4
    inputs = [x, *(w for w, _ in w_in), *w_rec, *none3, *biases, *none2, h, c, *none4]
    op = sg.add_operator(opcode=fb.BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, inputs=inputs, outputs=[y])
    opt = fb.UnidirectionalSequenceLSTMOptionsT()
    opt.fusedActivationFunction, opt.cellClip, opt.timeMajor = (
        cell_act,
        cell_clip,
        False,
    )
    op._fb.builtinOptionsType, op._fb.builtinOptions = (
        fb.BuiltinOptions.UnidirectionalSequenceLSTMOptions,
        opt,
    )
    sg.inputs, sg.outputs = [x], [y]
    return bytes(me.Model(subgraphs=[sg]).build())


@pytest.mark.parametrize(
    "batches,cell_power,cell_clip,h_zp",
    [
        (1, -11, 0.0, -2),  # the tanh of the cell state in the table's power-of-two case
        (2, -9, 0.0, 0),  # a larger multiplier: the table saturates, two batches
        (1, -11, 1.5, 5),  # the cell state clipped
        (1, -16, 0.5, -2),  # the tanh input shifted down, with rounding
        (3, -13, 0.0, 1),
    ],
)
def test_the_integer_lstm_equals_tflite_micro_on_the_chip(batches, cell_power, cell_clip, h_zp, tmp_path):
    """UNIDIRECTIONAL_SEQUENCE_LSTM over 5 time steps a call and 6 calls (its hidden and
    cell state variables carried from call to call), every output equal to TFLite
    Micro's: gates through int16 at 2^-12, its interpolated sigmoid/tanh table,
    the cell update and clip, the hidden state rescaled to int8."""
    path = tmp_path / "lstm.tflite"
    path.write_bytes(_lstm_model(batches, cell_power, cell_clip, h_zp))
    r = model_run.run(path, load_target("py32f003"), steps=6, seed=1)
    assert r.ops[0].name == "UNIDIRECTIONAL_SEQUENCE_LSTM" and r.bit_exact, r.ops[0].first_diff
    assert r.state_bytes >= batches * 8 * 3  # hidden (int8) and cell (int16) state, apart from the arena


def test_an_lstm_whose_cell_activation_is_not_tanh_is_refused(tmp_path):
    """The kernel applies tanh to the cell state; another activation (RELU here) would
    run as tanh and answer wrongly, so it is one line naming the operator."""
    path = tmp_path / "lstm.tflite"
    path.write_bytes(_lstm_model(1, -11, 0.0, 0, cell_act=fb.ActivationFunctionType.RELU))
    with pytest.raises(ModelError, match=r"operator 0 \(LSTM\) with a cell activation other than TANH"):
        codegen.generate(path)


def test_the_lstm_table_is_tflite_micros():
    """The 256-entry table read from TFLite Micro is sigmoid(i / 24) in 0.16 to within
    about one unit (the table TFLite ships, rounded its own way: up to 1.11 above the
    exact value), rising from 0.5 to 1."""
    t = tables.sigmoid_table_uint16().astype(float)
    ideal = 65536 / (1 + np.exp(-np.arange(256) / 24))
    assert t[0] == 32768 and t[-1] == 65535 and np.all(np.diff(t) >= 0)
    assert np.max(np.abs(t - np.minimum(ideal, 65535))) < 1.2


def test_the_seed_genre_model_as_a_tflite_lstm_runs_bit_exact():
    """benchmarks/models/genre_lstm.tflite (scripts/make-genre-tflite.py): LSTM, dense and
    softmax, one hop a call, its state carried over 24 calls of real MFCC steps."""
    path = DATA_DIR.parent / "models" / "genre_lstm.tflite"
    x = np.load(DATA_DIR / "genre_lstm_tflite_input.npy")[:24]
    r = model_run.run(path, load_target("py32f003"), x)
    assert [o.name for o in r.ops] == [
        "UNIDIRECTIONAL_SEQUENCE_LSTM",
        "RESHAPE",
        "FULLY_CONNECTED",
        "SOFTMAX",
    ]
    assert r.bit_exact and r.steps == 24 and r.ops[0].macs == 4 * 32 * (18 + 32)


def test_a_float_difference_is_measured_in_units_in_the_last_place():
    one = np.float32(1.0)
    up3 = np.nextafter(
        np.nextafter(np.nextafter(one, 2, dtype=np.float32), 2, dtype=np.float32), 2, dtype=np.float32
    )
    tiny = np.float32(1e-45)  # the smallest denormal: -tiny, -0, +0, +tiny are 2 ulps end to end
    got = np.array([one, -tiny, np.float32(-0.0)], np.float32).view(np.uint32)
    want = np.array([up3, tiny, np.float32(0.0)], np.float32).view(np.uint32)
    assert model_run.ulps(got, want) == 3
    assert model_run.ulps(got[1:], want[1:]) == 2
    assert model_run.ulps(got[2:], want[2:]) == 0


EXPF = """
#include <stdint.h>
float tfl_expf(float x, const double *exp2_32);
%s
float x[%d], y[%d];
void run(uint32_t n) { for (uint32_t i = 0; i < n; i++) y[i] = tfl_expf(x[i], exp2_32); }
"""


def test_the_float_tails_exp_is_correctly_rounded_on_the_chip(mcu):
    """tfl_expf against exp computed to 40 digits and rounded to float in Python: every
    input equal, over 600 floats across the softmax's domain (x <= 0, down to where the
    result is a denormal and then 0) and above 0, boundaries included."""
    rng = np.random.default_rng(10)
    xs = np.concatenate(
        [
            -rng.exponential(4.0, 300),
            rng.uniform(-104.5, -86.0, 200),  # denormal results, then 0
            rng.uniform(0.0, 88.0, 60),
            [0.0, -0.0, -1e-30, 1e-30, -87.33654, -103.97208, -103.97209, -120.0, 88.72283, 88.72284],
        ]
    ).astype(np.float32)
    xs = np.concatenate([xs, np.full(600 - len(xs), -1.5, np.float32)])[:600]
    fw = mcu.build(
        [
            EXPF % (exp2_table(), 600, 600),
            "firmware/nn/tfl_ops.c",
            "firmware/nn/nn_int8.c",
            "firmware/nn/nn_dot_int8.S",
        ],
        "rp2040",
        include=["firmware/nn"],
        opt="-O2",
    )
    fw.write("x", xs, "<f4")
    fw.call("run", len(xs))
    got = fw.read("y", "<f4")
    with localcontext() as ctx, np.errstate(over="ignore"):  # exp(88.72284) rounds to inf
        ctx.prec = 40
        want = np.array(
            [float(np.float32(float(Decimal(float(v)).exp()))) if v > -110 else 0.0 for v in xs], np.float32
        )
    bad = np.flatnonzero(got.view(np.uint32) != want.view(np.uint32))
    assert bad.size == 0, [(float(xs[i]), float(got[i]), float(want[i])) for i in bad[:5]]

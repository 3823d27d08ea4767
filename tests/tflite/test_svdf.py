"""SVDF in TFLite Micro's integer scheme (int16 or int8 time weights and state), and the
int16 ends keyword-spotting models have (QUANTIZE from int16, SOFTMAX to int16,
QUANTIZE to int32): run on the chip step after step, every operator held to the host
interpreter. The state is a ring on the chip and a shifted buffer in TFLite Micro, so
enough steps to go round it several times."""

from __future__ import annotations

import json
import os
from pathlib import Path

import flatbuffers
import numpy as np
import pytest
from run_cli import mcubench
from svdf_model import svdf_model
from tflite_micro.python.tflite_micro import runtime
from tflite_micro.tensorflow.lite.micro.compression import model_editor as me
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

from mcubench.bench import model_run
from mcubench.chip.targets import load_target
from mcubench.tflite.codegen import generate
from mcubench.tflite.model import ModelError


@pytest.mark.parametrize(
    "wide,rank,bias,batches,state_zp,int16_ends",
    [
        (True, 1, True, 1, 0, True),  # keyword_scrambled's layers and ends
        (True, 2, True, 2, 0, False),  # rank 2, two batches
        (False, 1, True, 1, -50, False),  # keyword_scrambled_8bit: int8 state off zero
        (False, 3, True, 2, 17, False),
    ],
)
def test_svdf_equals_tflite_micro_on_the_chip_over_the_ring(
    wide, rank, bias, batches, state_zp, int16_ends, tmp_path
):
    path = tmp_path / "svdf.tflite"
    path.write_bytes(svdf_model(wide, rank, bias, batches, state_zp, int16_ends))
    r = model_run.run(path, load_target("py32f003"), steps=20, seed=8)  # memory 6: round 3 times
    names = [o.name for o in r.ops]
    assert "SVDF" in names and r.bit_exact, [(o.name, o.first_diff) for o in r.ops]
    if int16_ends:
        assert names == ["QUANTIZE", "SVDF", "SOFTMAX", "QUANTIZE"]
    svdf = r.ops[names.index("SVDF")]
    assert svdf.macs == batches * 8 * rank * (24 + 6)


def test_the_svdf_outputs_compared_are_not_degenerate():
    """The comparison means something only if the outputs move: over 20 steps the SVDF's
    output takes many values and few of them are clipped."""
    buf = svdf_model(True, 1, True)
    it = runtime.Interpreter.from_bytes(buf)
    rng = np.random.default_rng(8)
    seen = []
    for _ in range(20):
        it.set_input(rng.integers(-128, 128, size=(1, 24), dtype=np.int8), 0)
        it.invoke()
        seen.append(it.get_output(0).ravel())
    out = np.concatenate(seen)
    assert len(set(out.tolist())) > 40 and np.mean(np.abs(out.astype(int)) >= 127) < 0.1


@pytest.mark.parametrize(
    "kw,message",
    [
        ({"variable": False}, r"operator 0 \(SVDF\): its state tensor 4 is not a variable"),
        ({"bias": False}, r"operator 0 \(SVDF\) without a bias: TFLite Micro's host interpreter crashes"),
    ],
)
def test_an_svdf_that_cannot_be_checked_is_refused_by_name(kw, message, tmp_path):
    path = tmp_path / "svdf.tflite"
    path.write_bytes(svdf_model(**{"wide": True, "rank": 1, "bias": True, **kw}))
    with pytest.raises(ModelError, match=message):
        model_run.run(path, load_target("py32f003"))


TFLM = os.environ.get("TFLM_ROOT")


@pytest.mark.skipif(not TFLM, reason="micro_speech's keyword_scrambled models are in a TFLM_ROOT checkout")
@pytest.mark.parametrize("name", ["keyword_scrambled", "keyword_scrambled_8bit"])
def test_micro_speechs_svdf_models_run_bit_exact(name):
    path = Path(str(TFLM)) / "tensorflow/lite/micro/models" / f"{name}.tflite"
    r = model_run.run(path, load_target("rp2040"), steps=40, seed=9)  # memory 32: round once
    assert [o.name for o in r.ops].count("SVDF") == 7 and r.bit_exact, [o.first_diff for o in r.ops]


def test_the_model_command_feeds_an_int16_model_its_own_steps(tmp_path):
    """A keyword-spotting model's int16 input from the user's .npy (steps back to back):
    read as int16, run step by step, every operator held to the interpreter."""
    model = tmp_path / "kws.tflite"
    model.write_bytes(svdf_model(True, 1, True, int16_ends=True))
    x = np.random.default_rng(4).integers(-20000, 20000, size=(12, 1, 24)).astype(np.int16)
    np.save(tmp_path / "x.npy", x)
    p = mcubench(
        "model", str(model), "--target", "py32f003", "--run", "--input", str(tmp_path / "x.npy"), "--json"
    )
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["steps"] == 12 and doc["bit_exact"] and [o["op"] for o in doc["ops"]][1] == "SVDF"


@pytest.mark.parametrize(
    "out_dtype,out_q", [("int16", (0.0011, 0)), ("int8", (0.09, -7)), ("int32", (0.0003, 0))]
)
def test_quantize_from_int16_equals_tflite_micro_on_the_chip(out_dtype, out_q, tmp_path):
    """QUANTIZE from int16 to each width TFLite Micro's Requantize takes, on values that
    reach both ends of the output's range."""
    types = {"int8": fb.TensorType.INT8, "int16": fb.TensorType.INT16, "int32": fb.TensorType.INT32}
    sg = me.Subgraph()
    x = sg.add_tensor(
        shape=(2, 40), dtype=fb.TensorType.INT16, quantization=me.Quantization(0.0007, 0), name="x"
    )
    y = sg.add_tensor(shape=(2, 40), dtype=types[out_dtype], quantization=me.Quantization(*out_q), name="y")
    sg.add_operator(opcode=fb.BuiltinOperator.QUANTIZE, inputs=[x], outputs=[y])
    sg.inputs, sg.outputs = [x], [y]
    path = tmp_path / "q.tflite"
    path.write_bytes(bytes(me.Model(subgraphs=[sg]).build()))
    r = model_run.run(path, load_target("py32f003"), steps=6, seed=7)
    assert r.ops[0].name == "QUANTIZE" and r.bit_exact, r.ops[0].first_diff


@pytest.mark.parametrize(
    "in_dtype,out_dtype,code,message",
    [
        ("int16", "uint8", "QUANTIZE", r"operator 0 \(QUANTIZE\) int16 to uint8"),
        ("int8", "float32", "SOFTMAX", r"operator 0 \(SOFTMAX\) from int8 to float32"),
    ],
)
def test_an_end_the_generator_cannot_match_is_one_line_naming_it(
    in_dtype, out_dtype, code, message, tmp_path
):
    types = {
        "int8": fb.TensorType.INT8,
        "int16": fb.TensorType.INT16,
        "uint8": fb.TensorType.UINT8,
        "float32": fb.TensorType.FLOAT32,
    }
    sg = me.Subgraph()
    quant = {"quantization": me.Quantization(0.01, 0)}
    x = sg.add_tensor(
        shape=(1, 8), dtype=types[in_dtype], name="x", **({} if in_dtype == "float32" else quant)
    )
    y = sg.add_tensor(
        shape=(1, 8), dtype=types[out_dtype], name="y", **({} if out_dtype == "float32" else quant)
    )
    op = sg.add_operator(opcode=getattr(fb.BuiltinOperator, code), inputs=[x], outputs=[y])
    if code == "SOFTMAX":
        opt = fb.SoftmaxOptionsT()
        opt.beta = 1.0
        op._fb.builtinOptionsType, op._fb.builtinOptions = fb.BuiltinOptions.SoftmaxOptions, opt
    sg.inputs, sg.outputs = [x], [y]
    path = tmp_path / "end.tflite"
    path.write_bytes(bytes(me.Model(subgraphs=[sg]).build()))
    with pytest.raises(ModelError, match=message):
        generate(path)


def test_an_svdf_whose_rank_does_not_divide_its_filters_is_refused(tmp_path):
    """A forged rank (3 for 8 filters): one line naming the operator, not a wrong sum."""
    model = fb.ModelT.InitFromPackedBuf(svdf_model(True, 1, True), 0)
    model.subgraphs[0].operators[0].builtinOptions.rank = 3
    b = flatbuffers.Builder(1024)
    b.Finish(model.Pack(b), file_identifier=b"TFL3")
    path = tmp_path / "svdf.tflite"
    path.write_bytes(bytes(b.Output()))
    with pytest.raises(ModelError, match=r"operator 0 \(SVDF\): rank 3 and shapes disagree"):
        generate(path)

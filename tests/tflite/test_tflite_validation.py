"""A .tflite file is validated before anything is counted: indexes, shapes, buffer sizes
and operator codes. A malformed or hand-edited model is one line naming the operator or
tensor and what is wrong, never "fits" with wrong figures and never an internal error."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import flatbuffers
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

from mcubench.cli.main import main
from mcubench.tflite.codegen import read_model
from mcubench.tflite.model import ModelError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tflite"
DENSE = (FIXTURES / "dense.tflite").read_bytes()  # FC 40->24 (tensors 3, 4), FC 24->6 (5, 6)


def edited(change) -> bytes:
    """dense.tflite with `change(model)` applied through the schema's object API."""
    model = fb.ModelT.InitFromPackedBuf(DENSE, 0)
    change(model)
    b = flatbuffers.Builder(1024)
    b.Finish(model.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def _set(obj, **kw):
    for k, v in kw.items():
        setattr(obj, k, v)


def _custom(model):
    code = fb.OperatorCodeT()
    code.builtinCode, code.deprecatedBuiltinCode, code.customCode = 32, 32, "MyMagicOp"  # CUSTOM
    model.operatorCodes.append(code)
    model.subgraphs[0].operators[1].opcodeIndex = 1


CASES = [
    (
        lambda m: _set(m.subgraphs[0].tensors[1], shape=np.array([1, -1], np.int32)),
        "tensor 1 (hidden): shape 1x-1 has",
    ),
    (
        lambda m: _set(m.subgraphs[0].operators[0], inputs=np.array([0, 99, 4], np.int32)),
        "input tensor index 99 is not",
    ),
    (
        lambda m: _set(m.subgraphs[0].operators[1], inputs=np.array([1, -7, 6], np.int32)),
        "input tensor index -7 is not",
    ),
    (
        lambda m: _set(m.subgraphs[0].operators[1], outputs=np.array([-1], np.int32)),
        "output tensor index -1 is not",
    ),
    (lambda m: _set(m.subgraphs[0].tensors[3], buffer=999), "tensor 3 (hidden/w): buffer index 999 is not"),
    (
        lambda m: _set(m.buffers[1], data=np.zeros(100, np.uint8)),
        "tensor 3 (hidden/w): 100 bytes of constant data for shape 24x40 of int8 (960 bytes)",
    ),
    (
        lambda m: _set(m.subgraphs[0].tensors[3], shape=np.array([24, 40000], np.int32)),
        "tensor 3 (hidden/w): 960 bytes of constant data for shape 24x40000",
    ),
    (lambda m: _set(m.subgraphs[0].operators[0], opcodeIndex=7), "operator 0: operator code index 7 of 1"),
    (
        lambda m: _set(m.subgraphs[0].tensors[5], shape=np.array([6, 4, 6], np.int32)),
        "operator 1 (FULLY_CONNECTED): weights tensor 5 has rank 3, not 2",
    ),
    (
        lambda m: _set(m.subgraphs[0], inputs=np.array([-1], np.int32)),
        "model input tensor index -1 is not one of 7",
    ),
    (
        lambda m: _set(m.subgraphs[0], outputs=np.array([12], np.int32)),
        "model output tensor index 12 is not one of 7",
    ),
]


def model_command(path: Path, *extra: str) -> tuple[int, str, str]:
    """`mcubench model` in this process (the CLI's own entry), output captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["model", str(path), "--target", "py32f003", *extra])
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("change,message", CASES)
def test_a_malformed_model_is_one_line_naming_what_is_wrong(tmp_path, change, message):
    path = tmp_path / "m.tflite"
    path.write_bytes(edited(change))
    with pytest.raises(ModelError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_model(path)
    code, out, err = model_command(path)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err


def test_the_unedited_model_still_loads_through_the_editor():
    """The editing round trip alone changes nothing a test above relies on."""
    assert edited(lambda m: None) and read_model(FIXTURES / "dense.tflite").macs == 40 * 24 + 24 * 6


def test_a_custom_operator_is_named_by_its_custom_code(tmp_path):
    path = tmp_path / "custom.tflite"
    path.write_bytes(edited(_custom))
    assert [o.name for o in read_model(path).ops] == ["FULLY_CONNECTED", "CUSTOM(MyMagicOp)"]
    code, _, err = model_command(path, "--run")
    assert code == 2 and "operator 1 (CUSTOM(MyMagicOp)) is not supported" in err, err


OUTCOMES = {"figures": 0, "clear error": 0}


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(["dense", "conv", "depthwise", "pooling"]),
    flips=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(1, 255)), min_size=1, max_size=4),
)
def test_a_mutated_model_gives_real_figures_or_one_clear_line(tmp_path_factory, name, flips):
    """Bytes flipped anywhere: `mcubench model` answers with figures that are real (no
    negative count, weights no larger than the file) or a one-line error, never an
    internal error."""
    data = bytearray((FIXTURES / f"{name}.tflite").read_bytes())
    for at, xor in flips:
        data[at % len(data)] ^= xor
    path = tmp_path_factory.mktemp("mut") / "m.tflite"
    path.write_bytes(bytes(data))
    code, out, err = model_command(path, "--json")
    assert "internal error" not in err and "Traceback" not in err, err
    if code == 2:
        assert out == "" and err.count("\n") == 1
        OUTCOMES["clear error"] += 1
        return
    doc = json.loads(out)
    assert code in (0, 1) and doc["fits"] == (code == 0)
    assert doc["macs"] >= 0 and 0 <= doc["weight_bytes"] <= len(data) and doc["arena_bytes"] >= 0
    assert all(op["macs"] >= 0 for op in doc["ops"])
    OUTCOMES["figures"] += 1


def test_report_the_mutation_count():
    """Runs last in this file: both outcomes happened (printed with -s)."""
    print(f"\nmutated .tflite files: {OUTCOMES}")
    assert OUTCOMES["clear error"] > 0 and sum(OUTCOMES.values()) >= 150


def test_a_model_whose_stack_overflows_at_run_time_does_not_fit(tmp_path):
    """FC 3,950 -> 4 on the PY32F003: the arena fits the 4 KiB at link time, the stack of
    the kernels does not (by 4 bytes): the answer is "does not fit" (exit 1), not a
    firmware fault."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_fixtures", Path(__file__).parents[2] / "scripts" / "make-tflite-fixtures.py"
    )
    mk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mk)
    b = mk.Builder(3)
    x, y = b.act((1, 3950), 0.05, -3, "input"), b.act((1, 4), 0.08, 5, "logits")
    b.fully_connected(x, 4, mk.NONE, y)
    b.sg.inputs, b.sg.outputs = [x], [y]
    path = tmp_path / "big.tflite"
    path.write_bytes(b.build())
    code, out, err = model_command(path, "--run")
    assert code == 1 and err == "", err
    assert out.startswith("does not fit py32f003: the stack overflows the RAM left by 4 bytes in ")

"""Imported .tflite models run on the emulated chips (nn/tflite_codegen.py,
bench/model_run.py), every operator's output held to TFLite Micro's host interpreter.
The fixtures are written by scripts/make-tflite-fixtures.py (no TensorFlow)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from run_cli import mcubench
from tflite_micro.python.tflite_micro import runtime

from mcubench.bench import model_run
from mcubench.chip.targets import load_target
from mcubench.nn import tflite_codegen
from mcubench.nn.tflite_model import ModelError

FIXTURES = Path(__file__).parent / "fixtures" / "tflite"


@pytest.mark.parametrize("target", ["py32f003", "rp2040"])
@pytest.mark.parametrize("name", ["dense", "conv"])
def test_every_operator_equals_tflite_micro_on_the_chip(name, target):
    """Per-tensor and per-channel weights, SAME/VALID padding, stride 2, dilation 2, a
    depth multiplier of 2, ReLU/ReLU6, a reshape: all bit-exact, on two inputs."""
    path = FIXTURES / f"{name}.tflite"
    for seed in (0, 1):
        r = model_run.run(path, load_target(target), seed=seed)
        assert [o.bit_exact for o in r.ops] == [True] * len(r.ops), [o.first_diff for o in r.ops]
        assert all(o.cycles > 0 for o in r.ops)
    assert r.flash_bytes > r.weight_bytes and r.ram_static_bytes >= r.arena_bytes > 0


def test_the_outputs_compared_are_not_degenerate():
    """The comparison means something only if the outputs use the int8 range: the
    fixtures' scales are calibrated so that no layer's output is mostly clipped."""
    for name in ("dense", "conv"):
        buf = (FIXTURES / f"{name}.tflite").read_bytes()
        interp = runtime.Interpreter.from_bytes(
            buf, intrepreter_config=runtime.InterpreterConfig.kPreserveAllTensors
        )
        shape = interp.get_input_details(0)["shape"]
        interp.set_input(np.random.default_rng(5).integers(-128, 128, size=shape, dtype=np.int8), 0)
        interp.invoke()
        out = interp.get_output(0).ravel().astype(int)
        assert len(set(out.tolist())) > 1 and np.mean(np.abs(out) == 127) < 0.5


def test_a_wrong_multiplier_is_caught_and_named(monkeypatch):
    """The check can fail: multipliers 0.2% too large change some outputs by one LSB,
    and the run names the first operator and element that differ."""
    real = tflite_codegen.tflite_multiplier
    monkeypatch.setattr(
        tflite_codegen, "tflite_multiplier", lambda x: (lambda m, s: (m + (m >> 9), s))(*real(x))
    )
    r = model_run.run(FIXTURES / "conv.tflite", load_target("py32f003"))
    assert not r.bit_exact
    first = next(o for o in r.ops if not o.bit_exact)
    assert first.index == 0 and first.first_diff["count"] >= 1
    assert first.first_diff["got"] != first.first_diff["tflm"]


def test_tflite_multiplier_rounds_half_away_from_zero():
    # 0.75 * 2^31 is exact; 2^-32 above a tie rounds up; frexp mantissa 1 - 2^-33
    # rounds to 2^31 and becomes 2^30 with the shift one higher
    assert tflite_codegen.tflite_multiplier(0.75) == (3 << 29, 0)
    assert tflite_codegen.tflite_multiplier(0.5 + 2**-32) == ((1 << 30) + 1, 0)
    assert tflite_codegen.tflite_multiplier(1 - 2**-33) == (1 << 30, 1)
    assert tflite_codegen.tflite_multiplier(0.0) == (0, 0)


def test_an_unsupported_operator_is_one_line_naming_it(tmp_path):
    with pytest.raises(ModelError, match=r"operator 1 \(LOGISTIC\) is not supported"):
        tflite_codegen.generate(FIXTURES / "logistic.tflite")
    p = mcubench("model", str(FIXTURES / "logistic.tflite"), "--target", "py32f003", "--run")
    err = p.stderr
    assert p.returncode == 2 and "operator 1 (LOGISTIC)" in err and "Traceback" not in err
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

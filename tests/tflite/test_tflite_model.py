"""Real int8 wake-word models nobody here wrote (the pymicro-wakeword source distribution):
their operators, weights and the planned activation arena, against TFLite Micro's own
planner (the host interpreter of the tflite-micro wheel)."""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import sys
import tempfile

import pytest
from run_cli import COMMAND
from tflite_micro.python.tflite_micro import runtime

from mcubench.tflite.codegen import read_model

MODELS = ("alexa", "hey_jarvis", "hey_mycroft", "okay_nabu")


@pytest.fixture(scope="module")
def models(wake_word_models):
    return wake_word_models


def tflm_arena_head(path) -> int:
    """The non-persistent (planned) part of TFLite Micro's arena, from its allocation report."""
    interpreter = runtime.Interpreter.from_bytes(path.read_bytes())
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            interpreter.print_allocations()
            ctypes.CDLL(None).fflush(None)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        tmp.seek(0)
        text = tmp.read().decode()
    return int(re.search(r"Arena allocation head (\d+) bytes", text).group(1))


@pytest.mark.parametrize("name", MODELS)
def test_the_planned_arena_equals_tflite_micros(models, name):
    m = read_model(models[name])
    assert m.arena_bytes == tflm_arena_head(models[name])
    ops = {o.name for o in m.ops}
    assert {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "VAR_HANDLE", "ASSIGN_VARIABLE"} <= ops
    assert m.weight_bytes > 20_000 and m.state_bytes > 0 and m.macs > 20_000


def test_the_model_command_says_whether_it_fits(models, tmp_path):
    cli = [*COMMAND, "model", str(models["alexa"])]
    small = subprocess.run([*cli, "--target", "py32f003"], capture_output=True, text=True)
    assert (
        small.returncode == 1 and "6,672 B of 4,096 B SRAM" in small.stdout and "does not fit" in small.stdout
    )
    big = subprocess.run([*cli, "--target", "rp2040"], capture_output=True, text=True)
    assert big.returncode == 0 and "fits rp2040" in big.stdout
    bad = tmp_path / "x.tflite"
    bad.write_bytes(b"\0" * 64)
    proc = subprocess.run(
        [*COMMAND, "model", str(bad), "--target", "rp2040"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and proc.stderr.strip().endswith(
        "not a TensorFlow Lite model (no TFL3 identifier)"
    )

"""SVDF in TFLite Micro's integer scheme (int16 or int8 time weights and state), and the
int16 ends keyword-spotting models have (QUANTIZE from int16, SOFTMAX to int16,
QUANTIZE to int32): run on the chip step after step, every operator held to the host
interpreter. The state is a ring on the chip and a shifted buffer in TFLite Micro, so
enough steps to go round it several times."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from svdf_model import svdf_model
from tflite_micro.python.tflite_micro import runtime

from mcubench.bench import model_run
from mcubench.chip.targets import load_target
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

"""The kernel comparison (`mcubench model --compare-kernels`): each weighted layer cut out
and timed on its own. Without the libraries' checkouts (CI has none) it times ours
alone; the cut must measure exactly what the whole model's run measures for that
operator, and a checkout that is not one is a one-line error. With CMSIS_NN_ROOT and
TFLM_ROOT set, every library's output is held to TFLite Micro's host interpreter."""

import json
import os
from pathlib import Path

import numpy as np
import pytest
from run_cli import ROOT, assert_one_line_error, mcubench, outcome
from svdf_model import svdf_model

from mcubench.base.errors import ConfigError
from mcubench.bench import kernel_compare as kc
from mcubench.bench.model_run import firmware
from mcubench.chip.targets import load_target
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.machine import Machine
from mcubench.tflite.codegen import generate

CONV = ROOT / "tests" / "fixtures" / "tflite" / "conv.tflite"


def test_a_cut_layer_costs_what_it_costs_in_the_whole_model():
    """Two routes to one figure: each layer built alone with its weights in SRAM, and the
    same kernel called in the image of the whole model (every operator, weights in flash)
    on the activation the model run leaves it. On the PY32F003 (no cache, no wait states:
    a load from either memory takes 2 cycles) they must take the same cycles."""
    target = load_target("py32f003")
    rows = kc.compare(CONV, target, kc.Checkouts())
    assert [r.index for r in rows] == [0, 1, 2, 4]  # CONV, DEPTHWISE, CONV, FC; not the pool
    shapes = ["CONV 3x3 3->8 12x10", "DW 3x3 s2 8->16 m2 5x4", "CONV 3x3 16->8 5x4", "FC 160->4"]
    assert [r.shape for r in rows] == shapes
    gen = generate(CONV)
    image = ElfImage.load(firmware(gen, target))
    m = Machine(image, target)
    arena = image.symbol("arena", "object").addr
    m.write(
        arena + gen.input_offset,
        np.random.default_rng(0).integers(-128, 128, gen.input_bytes, np.int8).tobytes(),
    )
    whole = {}
    for op in gen.ops:  # the model as the firmware runs it, each weighted kernel timed on its own
        if op.index in {r.index for r in rows}:
            kernel, block = kc.kernel_call(gen, op.index)
            whole[op.index] = m.call(kernel, image.symbol(block, "object").addr).cycles
        else:
            m.call("model_run_op", op.index)
    for r in rows:
        assert list(r.cycles) == [kc.OURS] and r.bit_exact == {kc.OURS: True}
        assert r.cycles[kc.OURS] == whole[r.index], r.shape
        assert r.limit_cycles == 6 * r.macs


def test_without_checkouts_the_command_says_which_variable_adds_which_library():
    env = {k: v for k, v in os.environ.items() if k not in (kc.CMSIS_ENV, kc.TFLM_ENV, kc.GEMMLOWP_ENV)}
    proc = mcubench("model", CONV, "--target", "py32f003", "--compare-kernels", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["libraries"] == ["mcubench"] and doc["not_compared"] == ["CMSIS_NN_ROOT", "TFLM_ROOT"]
    assert doc["total_cycles"]["mcubench"] == sum(x["cycles"]["mcubench"] for x in doc["layers"])


def test_a_checkout_that_is_not_one_is_a_one_line_error(tmp_path):
    with pytest.raises(ConfigError, match=r"CMSIS_NN_ROOT=.*: no Include/arm_nnfunctions.h there"):
        kc.checkouts({"CMSIS_NN_ROOT": str(tmp_path)})
    tflm = tmp_path / "tflm" / "tensorflow/lite/kernels/internal/reference/integer_ops"
    tflm.mkdir(parents=True)
    (tflm / "conv.h").write_text("")
    with pytest.raises(ConfigError, match=r"TFLM_ROOT=.*: no gemmlowp in .*GEMMLOWP_ROOT"):
        kc.checkouts({"TFLM_ROOT": str(tmp_path / "tflm")})
    assert kc.checkouts({}) == kc.Checkouts()


def test_the_command_refuses_run_options_in_one_line():
    rc, _, err = outcome("model", CONV, "--target", "py32f003", "--compare-kernels", "--run")
    assert_one_line_error(rc, err, "--compare-kernels times each layer on its own")


@pytest.mark.skipif(
    not (os.environ.get(kc.CMSIS_ENV) and os.environ.get(kc.TFLM_ENV)),
    reason="needs CMSIS_NN_ROOT and TFLM_ROOT checkouts (CI has neither)",
)
def test_every_library_is_bit_exact_with_tflite_micro_on_the_chip():
    rows = kc.compare(CONV, load_target("rp2040"))
    for r in rows:
        assert set(r.cycles) == {kc.OURS, kc.CMSIS, kc.TFLM_O2, kc.TFLM_O3}
        assert all(r.bit_exact.values()), (r.shape, r.bit_exact)
    assert Path(kc.checkouts().cmsis_nn or "").is_dir()


@pytest.mark.parametrize("wide,state_zp", [(True, 0), (False, -50)])
def test_a_cut_svdf_costs_what_it_costs_in_the_whole_model(wide, state_zp, tmp_path):
    """An SVDF is compared on the step after as many as its memory (6), its state set
    before each call to the one TFLite Micro had then: ours is bit-exact only if that
    state is right, and takes exactly the cycles the same kernel takes at that step of
    the whole model (its ring at the same place)."""
    path = tmp_path / "svdf.tflite"
    path.write_bytes(svdf_model(wide, 2, True, batches=2, state_zp=state_zp))
    target = load_target("py32f003")
    (row,) = kc.compare(path, target, kc.Checkouts())
    assert row.op == "SVDF" and row.shape == f"SVDF 24->8 r2 m6 s{16 if wide else 8} x2"
    assert row.bit_exact == {kc.OURS: True} and row.macs == 2 * 16 * (24 + 6)
    gen = generate(path)
    image = ElfImage.load(firmware(gen, target))
    m = Machine(image, target)
    arena = image.symbol("arena", "object").addr
    rng = np.random.default_rng(0)  # the comparison's seeded steps: 6, then the one compared
    m.call("bench_init")
    for step in range(7):
        m.write(arena + gen.input_offset, rng.integers(-128, 128, (2, 24), np.int8).tobytes())
        if step < 6:
            m.call("model_run_op", 0)
    op, head = (image.symbol(s, "object").addr for s in ("op0", "op0_head"))
    assert m.call("tfl_svdf", op, head).cycles == row.cycles[kc.OURS]


@pytest.mark.skipif(
    not (os.environ.get(kc.CMSIS_ENV) and os.environ.get(kc.TFLM_ENV)),
    reason="needs CMSIS_NN_ROOT and TFLM_ROOT checkouts (CI has neither)",
)
@pytest.mark.parametrize("wide", [True, False])
def test_every_librarys_svdf_is_bit_exact_with_tflite_micro_on_the_chip(wide, tmp_path):
    path = tmp_path / "svdf.tflite"
    path.write_bytes(svdf_model(wide, 2, True, batches=2))
    (row,) = kc.compare(path, load_target("rp2040"))
    assert set(row.cycles) == {kc.OURS, kc.CMSIS, kc.TFLM_O2, kc.TFLM_O3}
    assert all(row.bit_exact.values()), row.bit_exact


@pytest.mark.skipif(
    not (os.environ.get(kc.CMSIS_ENV) and os.environ.get(kc.TFLM_ENV)),
    reason="needs CMSIS_NN_ROOT and TFLM_ROOT checkouts (CI has neither)",
)
def test_cmsis_nn_leaves_out_an_int8_svdf_states_zero_point_on_an_m0(tmp_path):
    """A found difference, kept visible: on a core without MVE, CMSIS-NN's arm_svdf_s8
    neither adds the state's zero point to a new feature nor takes it from the state in
    the time sums (its kernel sums, which carry it on MVE, are not made), while TFLite
    Micro's reference does both. With a nonzero state zero point and no feature near the
    clamp, only CMSIS-NN differs; ours follows TFLite Micro, whose interpreter is the
    oracle."""
    path = tmp_path / "svdf.tflite"
    path.write_bytes(svdf_model(False, 1, True, state_zp=-50, state_scale=1.0))
    (row,) = kc.compare(path, load_target("rp2040"))
    assert row.bit_exact == {kc.OURS: True, kc.CMSIS: False, kc.TFLM_O2: True, kc.TFLM_O3: True}


@pytest.mark.skipif(not os.environ.get(kc.TFLM_ENV), reason="needs a TFLM_ROOT checkout (CI has none)")
def test_without_flatbuffers_tflite_micros_svdf_is_left_out_not_guessed(tmp_path):
    path = tmp_path / "svdf.tflite"
    path.write_bytes(svdf_model(True, 1, True))
    co = kc.checkouts()
    (row,) = kc.compare(path, load_target("rp2040"), kc.Checkouts(tflm=co.tflm, gemmlowp=co.gemmlowp))
    assert set(row.cycles) == {kc.OURS} and row.bit_exact == {kc.OURS: True}

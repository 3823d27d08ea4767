"""CMSIS-DSP on the emulated M0+: bit-exact with ARM's own Python build, the reduced
tables bit-exact with the stock ones, and the comparison rows of `mcubench fft-tables`."""

import numpy as np
import pytest

from mcubench.base.paths import FIRMWARE_DIR
from mcubench.bench import fft_costs
from mcubench.build import cmsis
from mcubench.build.compile import BuildSpec, build
from mcubench.chip.targets import load_target
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.machine import Machine

cmsisdsp = pytest.importorskip("cmsisdsp")


def _inputs(n):
    rng = np.random.default_rng(n)
    t = np.arange(n)
    return {
        "tone": np.round(20000 * np.sin(2 * np.pi * 5.3 * t / n)),
        "quiet tone": np.round(30 * np.sin(2 * np.pi * 17.1 * t / n)),
        "noise": rng.integers(-32768, 32768, n),
        "full scale": np.full(n, 32767),
        "negative full scale": np.full(n, -32768),
        "silence": np.zeros(n),
    }


@pytest.mark.parametrize("n", [128, 256, 512, 1024])
@pytest.mark.parametrize("variant", ["cmsis", "cmsis_reduced"])
def test_arm_rfft_q15_is_bit_exact_with_the_host_build(variant, n):
    target = load_target("rp2040")
    machine = Machine(ElfImage.load(build(fft_costs.spec(variant, n), target).elf), target)
    machine.call("bench_init")
    inst = cmsisdsp.arm_rfft_instance_q15()
    assert cmsisdsp.arm_rfft_init_q15(inst, n, 0, 1) == 0
    for label, x in _inputs(n).items():
        x = x.astype(np.int16)
        machine.write_array("bench_input", x)
        machine.call("bench_run")
        out = machine.read_array("bench_output")
        assert np.array_equal(out, cmsisdsp.arm_rfft_q15(inst, x.copy())), (variant, n, label)


def test_stock_cmsis_does_not_fit_a_py32f003_and_the_row_says_by_how_much():
    row = fft_costs.measure_variant(("cmsis", 256, "py32f003"))
    assert row["status"] == "does_not_fit" and row["over_bytes"] > 4096
    assert row["error"] == f"cmsis_256 does not fit py32f003: {row['over_bytes']} bytes over flash"


def test_comparison_rows_for_n256():
    rows = {
        r["variant"]: r
        for r in fft_costs.run_all(list(fft_costs.VARIANTS), [256], list(fft_costs.TARGETS), jobs=2)
        if r["target"] == "rp2040"
    }
    stock, reduced, ours = rows["cmsis"], rows["cmsis_reduced"], rows["mcubench"]
    assert stock["table_bytes"] > 32768 > reduced["table_bytes"] + reduced["code_bytes"]
    assert stock["bit_exact"] and reduced["bit_exact"] and ours["bit_exact"]
    assert stock["fits_py32f003"] is False and reduced["fits_py32f003"] and ours["fits_py32f003"]
    assert rows["emlearn"]["snr_db"] > ours["snr_db"] > reduced["snr_db"]


def test_arm_mfcc_q15_is_bit_exact_with_the_host_build():
    tree = cmsis.root()
    spec = BuildSpec(
        "cmsis_mfcc_q15",
        (FIRMWARE_DIR / "bench" / "cmsis_mfcc_q15_bench.c", *cmsis.mfcc_sources(tree)),
        opt="-Os",
        defines=cmsis.DEFINES,
        include_dirs=(cmsis.mfcc_header(),) + cmsis.include_dirs(tree),
    )
    target = load_target("rp2040")
    machine = Machine(ElfImage.load(build(spec, target).elf), target)
    machine.call("bench_init")
    t = cmsis.mfcc_tables()
    inst = cmsisdsp.arm_mfcc_instance_q15()
    shape = cmsis.MFCC_SHAPE
    assert (
        cmsisdsp.arm_mfcc_init_q15(
            inst,
            shape["fft_len"],
            shape["n_mels"],
            shape["n_dct"],
            t["dct"],
            t["filter_positions"],
            t["filter_lengths"],
            t["filters"],
            t["window"],
        )
        == 0
    )
    for label, x in _inputs(shape["fft_len"]).items():
        if label == "silence":
            continue  # arm_mfcc_q15 divides by the frame's maximum
        x = x.astype(np.int16)
        machine.write_array("bench_input", x)
        status = machine.call("bench_run").return_value
        host_status, host = cmsisdsp.arm_mfcc_q15(
            inst, x.copy(), np.zeros(2 * shape["fft_len"], dtype=np.int32)
        )
        assert status == host_status == 0
        assert np.array_equal(machine.read_array("bench_output"), host), label

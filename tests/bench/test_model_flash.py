"""A generated model's flash, every byte: the breakdown sums to the image's flash figure,
and its parts agree with binutils' own reading of the ELF (arm-none-eabi-size for the
sections, arm-none-eabi-nm for the symbols), not only with our ELF reader."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from run_cli import mcubench

from mcubench.bench import model_flash, model_run
from mcubench.chip.targets import load_target
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.sizes import sizes
from mcubench.tflite.codegen import generate

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tflite"


def _binutils(elf: Path) -> tuple[int, dict[str, int]]:
    """Flash bytes by arm-none-eabi-size (every stored section) and symbol sizes by nm."""
    size = subprocess.run(["arm-none-eabi-size", "-A", str(elf)], capture_output=True, text=True, check=True)
    stored = {".vectors", ".text", ".rodata", ".data"}
    flash = sum(
        int(f[1]) for f in (line.split() for line in size.stdout.splitlines()) if f and f[0] in stored
    )
    nm = subprocess.run(["arm-none-eabi-nm", "-S", str(elf)], capture_output=True, text=True, check=True)
    syms = {f[3]: int(f[1], 16) for f in (line.split() for line in nm.stdout.splitlines()) if len(f) == 4}
    return flash, syms


@pytest.mark.parametrize("name", ["conv", "depthwise", "dense"])
@pytest.mark.parametrize("in_sram", [False, True])
def test_the_flash_breakdown_accounts_for_every_byte(name, in_sram):
    target = load_target("rp2040")
    elf = model_run.firmware(generate(FIXTURES / f"{name}.tflite", in_sram), target)
    image = ElfImage.load(elf)
    parts = model_flash.flash_breakdown(image)
    flash, syms = _binutils(elf)
    assert sum(parts.values()) == sizes(image, target).flash_bytes == flash
    weights = sum(n for s, n in syms.items() if re.fullmatch(r"op\d+_w[ft]?", s))
    assert parts["weights"] == weights > 0
    assert parts["multipliers"] == sum(n for s, n in syms.items() if re.fullmatch(r"op\d+_rq", s)) > 0
    # every array the generator writes is named for its role, and what no symbol covers
    # (alignment, jump tables) stays small
    assert parts["other data"] == 0 and parts["unattributed"] < 0.01 * flash


def test_the_model_command_prints_and_writes_the_breakdown():
    p = mcubench("model", str(FIXTURES / "dense.tflite"), "--target", "py32f003", "--run", "--json")
    doc = json.loads(p.stdout)
    assert sum(doc["flash_breakdown"].values()) == doc["flash_bytes"]
    p = mcubench("model", str(FIXTURES / "dense.tflite"), "--target", "py32f003", "--run")
    line = next(x for x in p.stdout.splitlines() if x.startswith("flash"))
    assert f"{doc['flash_breakdown']['weights']:,} weights" in line and "code" in line

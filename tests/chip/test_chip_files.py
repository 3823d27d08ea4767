"""Chip files: what can be described is checked on load (ranges, 1 KiB pages, one of each
modelled memory feature), and on every chip file accepted the native counter and the
Python counter give the same figures."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcubench.base import project
from mcubench.base.errors import ConfigError
from mcubench.base.paths import FIRMWARE_DIR
from mcubench.build.compile import BuildSpec, build
from mcubench.chip.targets import load_target, target_names
from mcubench.emu import native

CHIP = """\
name = "chip"
description = "a test chip"
clock_hz = 48_000_000
mul_cycles = 1
flash_wait_states = [[48_000_000, {ws}]]

[[region]]
name = "flash"
kind = "flash"
base = 0x0800_0000
size = 0x8000
perms = "rx"
{flash_extra}
[[region]]
name = "sram"
kind = "sram"
base = 0x2000_0000
size = 0x2000
perms = "rwx"
{sram_extra}
"""


@pytest.fixture
def chip(tmp_path):
    """chip(ws=0, flash_extra="", sram_extra="") -> the Target loaded from a project's file."""
    (tmp_path / "mcubench.toml").write_text("")
    (tmp_path / "targets").mkdir()
    use = project.use(project.load_project(tmp_path / "mcubench.toml"))
    assert use is not None

    def make(ws: int = 0, flash_extra: str = "", sram_extra: str = "", text: str | None = None):
        body = text or CHIP.format(ws=ws, flash_extra=flash_extra, sram_extra=sram_extra)
        (tmp_path / "targets" / "chip.toml").write_text(body)
        return load_target("chip")

    yield make
    project.use(None)


CACHE = "[region.cache]\nsize = {size}\nways = {ways}\nline = {line}\nmiss_cycles = {miss}\n"


@pytest.mark.parametrize(
    "kw,pattern",
    [
        (
            {"sram_extra": "access_cycles = 1099511627776"},
            "access_cycles = 1099511627776 must be from 1 to 1,000",
        ),
        ({"ws": 1 << 40}, "at most 100 wait states"),
        (
            {"flash_extra": CACHE.format(size=8, ways=2, line=8, miss=4)},
            "size 8 is not ways 2 x line 8 x a power-of-two number of sets",
        ),
        (
            {"flash_extra": CACHE.format(size=4096, ways=2, line=8, miss=1 << 40)},
            "miss_cycles = 1099511627776 must be from 0 to 10,000",
        ),
        ({"flash_extra": CACHE.format(size=4096, ways=2, line=6, miss=4)}, "line = 6 must be a power of two"),
        (
            {"flash_extra": CACHE.format(size=3 * 2 * 8, ways=2, line=8, miss=4)},
            "size = 48 must be a power of two",
        ),
    ],
)
def test_values_no_chip_has_are_refused_on_load(chip, kw, pattern):
    with pytest.raises(ConfigError, match=pattern):
        chip(**kw)


def test_regions_must_be_whole_1k_pages(chip):
    assert (
        chip(text=CHIP.format(ws=0, flash_extra="", sram_extra="").replace("0x2000\n", "0xC00\n")).sram.size
        == 3072
    )
    text = CHIP.format(ws=0, flash_extra="", sram_extra="").replace("size = 0x2000", "size = 0x1900")
    with pytest.raises(ConfigError, match=r"region 2 \(sram\): .* must be multiples of 1 KiB"):
        chip(text=text)
    text = CHIP.format(ws=0, flash_extra="", sram_extra="").replace("0x2000_0000", "0x2000_0100")
    with pytest.raises(ConfigError, match="must be multiples of 1 KiB"):
        chip(text=text)


@pytest.mark.parametrize(
    "extra,pattern",
    [
        ("access_cycles = 1\n", "more than one region with access_cycles other than 2: io1, io2"),
        ("[region.cache]\nsize = 4096\nways = 2\nline = 8\nmiss_cycles = 4\n", "more than one cached"),
    ],
)
def test_a_second_io_or_cached_region_is_refused_not_silently_replacing_the_first(chip, extra, pattern):
    regions = "".join(
        f'[[region]]\nname = "io{i}"\nkind = "io"\nbase = {0x5000_0000 + i * 0x1000}\nsize = 0x1000\n'
        f'perms = "rw"\n{extra}\n'
        for i in (1, 2)
    )
    with pytest.raises(ConfigError, match=pattern):
        chip(sram_extra="\n" + regions)


PROGRAM = {
    "f": """
        push {r4, lr}
        ldr r1, =table
        ldr r2, =0x20000100
        movs r4, #40
    1:  ldr r0, [r1]
        str r0, [r2]
        ldr r3, [r2]
        adds r1, #36
        subs r4, #1
        bne 1b
        pop {r4, pc}
        .ltorg
        .balign 4
    table: .space 1600
    """
}


@pytest.mark.skipif(native.load() is None, reason="no host C compiler for the native hook")
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ws=st.integers(0, 100),
    sram_cycles=st.integers(1, 1000),
    cached=st.booleans(),
    ways=st.sampled_from([1, 2, 4]),
    line=st.sampled_from([4, 8, 32]),
    sets=st.sampled_from([1, 4, 64]),
    miss=st.integers(0, 10_000),
)
def test_both_counters_agree_on_every_accepted_chip_file(
    chip, asm_machine, ws, sram_cycles, cached, ways, line, sets, miss
):
    flash_extra = CACHE.format(size=ways * line * sets, ways=ways, line=line, miss=miss) if cached else ""
    target = chip(ws=ws, flash_extra=flash_extra, sram_extra=f"access_cycles = {sram_cycles}")
    runs = {}
    for kind in ("native", "python"):
        m = asm_machine(PROGRAM, target_obj=target, counter=kind)
        runs[kind] = (m.call("f"), m.call("f"))
    assert runs["native"] == runs["python"]
    # the figures are what the chip file says: 40 passes, each a flash load (2 + ws [+ a miss])
    # and an SRAM store and load (sram_cycles each) on top of the same static count
    first = runs["native"][1]
    assert first.cycles >= 40 * (2 + ws + 2 * sram_cycles)


def test_a_project_passed_in_is_used_without_making_it_current(tmp_path):
    """The chip and build layers take the project as an argument: a chip of that project
    loads, and its linker script, objects and ELF go to that project's build folder, while
    the current project (this checkout) neither knows the chip nor receives a file."""
    (tmp_path / "mcubench.toml").write_text("")
    (tmp_path / "targets").mkdir()
    (tmp_path / "targets" / "chip.toml").write_text(CHIP.format(ws=0, flash_extra="", sram_extra=""))
    mine = project.load_project(tmp_path / "mcubench.toml")
    assert mine is not None and project.current().root != tmp_path
    assert "chip" in target_names(mine) and "chip" not in target_names()
    with pytest.raises(ConfigError, match="unknown target 'chip'"):
        load_target("chip")
    chip = load_target("chip", mine)
    assert chip.linker_script.is_relative_to(mine.gen_dir)
    spec = BuildSpec("fir_q15", (FIRMWARE_DIR / "bench" / "fir_q15.c",))
    elf = build(spec, chip, mine).elf
    assert elf.is_relative_to(mine.build_dir / "chip") and elf.is_file()
    assert list((mine.build_dir / "obj").glob("fir_q15-*.o"))

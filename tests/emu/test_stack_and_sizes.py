"""Peak stack (SP tracking + painting) and flash/RAM sizes against binutils."""

import json
import re
import subprocess

import pytest

from mcubench.base.errors import FirmwareFault
from mcubench.base.paths import FIRMWARE_DIR
from mcubench.build.compile import BuildSpec, build
from mcubench.build.toolchain import tool
from mcubench.chip.targets import load_target
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.machine import Machine
from mcubench.emu.sizes import sizes


def test_peak_stack_counts_every_pushed_byte(asm_machine):
    m = asm_machine(
        {
            "f": "push {r4, r5, r6, r7, lr}\nsub sp, #20\nbl g\nadd sp, #20\npop {r4, r5, r6, r7, pc}",
            "g": "push {r3, lr}\npop {r3, pc}",
        }
    )
    assert m.call("f").stack_peak_bytes == 20 + 20 + 8


def test_dynamic_sp_write_is_caught_by_painting(asm_machine):
    # SP moved by a register (as alloca does), then a store below the old frame
    m = asm_machine(
        {
            "f": "mov r1, sp\nsubs r1, #64\nmov sp, r1\nmovs r0, #1\nstr r0, [sp]\n"
            "adds r1, #64\nmov sp, r1\nbx lr"
        }
    )
    assert m.call("f").stack_peak_bytes == 64


def test_leaf_function_uses_no_stack(asm_machine):
    assert asm_machine({"f": "movs r0, #3\nbx lr"}).call("f").stack_peak_bytes == 0


def test_sizes_agree_with_arm_none_eabi_size():
    target = load_target("py32f003")
    elf = build(BuildSpec("fir_q15", (FIRMWARE_DIR / "bench" / "fir_q15.c",)), target).elf
    rep = sizes(ElfImage.load(elf), target)
    out = subprocess.run([tool("size"), "-A", str(elf)], capture_output=True, text=True, check=True).stdout
    sec = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\.\S+)\s+(\d+)\s+\d+", out, re.M)}
    assert rep.vectors_bytes == sec[".vectors"] == 64
    assert rep.text_bytes == sec[".text"]
    assert rep.bss_bytes == sec[".bss"]
    assert rep.flash_bytes == sum(
        sec.get(s, 0) for s in (".vectors", ".text", ".rodata", ".data", ".ARM.exidx")
    )
    assert rep.ram_static_bytes == sec.get(".data", 0) + sec[".bss"]
    names = [s["name"] for s in rep.largest_ram]
    assert names[0] == "history" and {"bench_input", "bench_output"} <= set(names)


def test_two_runs_give_identical_figures():
    target = load_target("rp2040")
    elf = build(BuildSpec("fir_q15", (FIRMWARE_DIR / "bench" / "fir_q15.c",)), target).elf
    figures = []
    for _ in range(2):
        m = Machine(ElfImage.load(elf), target)
        m.call("bench_init")
        figures.append((m.call("bench_run"), m.call("bench_run")))
    assert figures[0] == figures[1]


def test_initial_sp_comes_from_the_vector_table_or_the_top_of_sram(asm_machine):
    vectors = '.section .vectors, "a"\n.word 0x20000800\n.word f\n'
    with_vectors = asm_machine({"f": "push {r4, lr}\npop {r4, pc}"}, data=vectors)
    assert with_vectors.stack_top == 0x20000800
    r = with_vectors.call("f")
    assert r.stack_peak_bytes == 8
    bare = asm_machine({"f": "bx lr"}, target="rp2040")
    assert bare.stack_top == 0x20042000


# A leaf that lowers SP by a register and restores it inside one basic block: the
# per-block check cannot see it, the hook after the SP write must.
VLA = "int f(int n) { volatile char b[n]; b[0] = 1; b[n - 1] = 2; return b[0] + b[n - 1]; }"


def _vla_machine(c_elf, counter):
    return Machine(
        ElfImage.load(c_elf(VLA, "py32f003", flags=("-Os",))), load_target("py32f003"), counter=counter
    )


@pytest.mark.parametrize("counter", ["native", "python"])
def test_a_variable_length_array_peak_is_exact(c_elf, counter):
    m = _vla_machine(c_elf, counter)
    frame = m.call("f", 8).stack_peak_bytes - 8  # what the function needs besides the array
    for n in (8, 100, 1000, 4000):
        assert m.call("f", n).stack_peak_bytes == frame + (n + 7) // 8 * 8


@pytest.mark.parametrize("counter", ["native", "python"])
def test_a_variable_length_array_past_the_floor_is_a_stack_overflow(c_elf, counter):
    m = _vla_machine(c_elf, counter)
    room = m.stack_top - m.stack_limit
    frame = m.call("f", 8).stack_peak_bytes - 8
    fits = (room - frame) // 8 * 8
    assert m.call("f", fits).stack_peak_bytes == frame + fits
    with pytest.raises(FirmwareFault, match=r"stack overflow by \d+ bytes in f"):
        m.call("f", fits + 8)


@pytest.mark.parametrize("counter", ["native", "python"])
def test_sp_moved_into_static_ram_and_back_is_caught(asm_machine, counter):
    m = asm_machine(
        {"f": "mov r1, sp\nldr r0, =0x20000010\nmov sp, r0\npush {r4}\nmov sp, r1\nbx lr\n.ltorg"},
        counter=counter,
        data=".bss\nkeep: .space 64\n",
    )
    with pytest.raises(FirmwareFault, match="stack overflow"):
        m.call("f")


def test_writing_a_value_a_buffer_type_cannot_hold_is_an_error_not_a_wrap(mcu):
    """numpy wraps 70000 to 4464 as int16: the firmware would run on numbers nobody gave it."""
    from mcubench.base.errors import McubenchError

    src = "#include <stdint.h>\nint16_t buf[4] __attribute__((used));\nint f(void) { return buf[0]; }\n"
    fw = mcu.build(src, "py32f003")
    fw.write("buf", [1, -2, 32767, -32768])
    assert fw.read("buf").tolist() == [1, -2, 32767, -32768]
    with pytest.raises(McubenchError, match=r"buf: 70000 does not fit int16 \(-32768..32767\)"):
        fw.write("buf", [1, 70000])
    with pytest.raises(McubenchError, match="does not fit uint8"):
        fw.write("buf", [-1], "<u1")
    with pytest.raises(McubenchError, match="whole numbers"):
        fw.write("buf", [0.5])
    assert fw.read("buf").tolist() == [1, -2, 32767, -32768]  # nothing written


def test_inspect_diff_shows_the_stack_a_change_adds(c_elf):
    """8 -> 264 bytes of frame went unseen: the diff compared sizes of code and data only."""
    from run_cli import mcubench

    src = (
        "__attribute__((noinline)) int g(int x) {{ volatile char b[{n}]; b[0] = (char)x; return b[0]; }}\n"
        "int f(int x) {{ return g(x) + 1; }}\n"
    )
    small, big = c_elf(src.format(n=4)), c_elf(src.format(n=256))
    proc = mcubench("inspect", big, "--target", "py32f003", "--diff", small, "--json")
    assert proc.returncode == 0, proc.stderr
    stack = {r["name"]: r for r in json.loads(proc.stdout)["stack"]}
    g = stack["g"]
    assert g["frame_after"] - g["frame_before"] == 256 - 8 and stack["f"]["worst_after"] > 256
    text = mcubench("inspect", big, "--target", "py32f003", "--diff", small).stdout
    assert f"frame {g['frame_before']} -> {g['frame_after']}" in text

"""Every bad input ends as one FirmwareFault/ElfError line naming what and where."""

import subprocess

import pytest

from mcubench.base.errors import ElfError, FirmwareFault
from mcubench.base.paths import FIRMWARE_DIR
from mcubench.build.compile import BuildSpec, build
from mcubench.build.toolchain import tool
from mcubench.chip.targets import load_target
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.inspect import inspect_elf
from mcubench.emu.machine import Machine
from mcubench.pytest_plugin import Mcu


def fault_of(machine, func="f", *args) -> FirmwareFault:
    with pytest.raises(FirmwareFault) as info:
        machine.call(func, *args)
    return info.value


def test_unmapped_read_names_pc_function_and_address(asm_machine):
    m = asm_machine({"f": "ldr r1, =0x30000010\nldr r0, [r1, #4]\nbx lr\n.ltorg"})
    f = fault_of(m)
    assert f.kind == "unmapped read" and f.address == 0x30000014
    assert f.where == "f+0x2" and f.pc == m.image.symbol("f").addr + 2
    assert "\n" not in str(f) and "address=0x30000014" in str(f)


def test_unmapped_write(asm_machine):
    f = fault_of(asm_machine({"f": "ldr r1, =0x40000000\nstr r0, [r1]\nbx lr\n.ltorg"}))
    assert f.kind == "unmapped write" and f.address == 0x40000000


def test_write_to_flash_is_refused(asm_machine):
    f = fault_of(asm_machine({"f": "ldr r1, =0x08000100\nstr r0, [r1]\nbx lr\n.ltorg"}))
    assert f.kind == "write to read-only memory" and f.address == 0x08000100


@pytest.mark.parametrize(
    "insn,addr,size",
    [("ldr r0, [r1]", 0x20000002, 4), ("ldrh r0, [r1]", 0x20000001, 2), ("str r0, [r1]", 0x20000001, 4)],
)
def test_unaligned_access_faults_like_an_m0plus(asm_machine, insn, addr, size):
    f = fault_of(asm_machine({"f": f"ldr r1, ={addr:#x}\n{insn}\nbx lr\n.ltorg"}))
    assert f.kind == "unaligned access" and f.address == addr and f.where == "f+0x2"


def test_undefined_instruction_is_a_trap(asm_machine):
    f = fault_of(asm_machine({"f": "movs r0, #0\nudf #7\nbx lr"}))
    assert f.kind.startswith("trap") and f.where == "f+0x2" and "udf" in str(f)


def test_runaway_loop_stops_at_the_cycle_limit(asm_machine):
    m = asm_machine({"f": "1: b 1b"}, cycle_limit=10_000)
    f = fault_of(m)
    assert f.kind.startswith("cycle limit") and f.where == "f+0x0"


def test_stack_overflow_names_the_function_and_the_overshoot(asm_machine):
    # 4 KiB SRAM, a 1 KiB buffer in .bss: each call pushes 32 bytes until the stack hits .bss
    m = asm_machine(
        {"f": "1: push {r0, r1, r2, r3, r4, r5, r6, r7}\nb 1b"}, data=".bss\n.global buf\nbuf: .space 1024\n"
    )
    f = fault_of(m)
    assert f.kind == "stack overflow" and f.where.startswith("f+")
    # 3,072 bytes of stack = 96 pushes of 32 bytes; the 97th would land 32 bytes in .bss
    assert str(f).startswith("firmware fault: stack overflow by 32 bytes in f, at pc=0x08000000")
    assert m.stack_limit == 0x20000400


def test_fault_backtrace_lists_callers(asm_machine):
    m = asm_machine(
        {
            "f": "push {r4, lr}\nbl g\npop {r4, pc}",
            "g": "push {r4, lr}\nbl h\npop {r4, pc}",
            "h": "ldr r0, =0x50000000\nldr r0, [r0]\nbx lr\n.ltorg",
        }
    )
    f = fault_of(m)
    assert f.where == "h+0x2"
    assert [b.split("+")[0] for b in f.backtrace] == ["g", "f"]
    assert "backtrace: g+0x" in str(f)


def test_cortex_m3_build_is_refused_with_the_function_named(c_elf):
    src = (
        "int mul_add(int a, int b, int c) { return a * b + c; }\n"
        "unsigned div_it(unsigned a, unsigned b) { return a / b; }\n"
    )
    elf = c_elf(src, flags=("-O2", "-mcpu=cortex-m3"))
    with pytest.raises(ElfError) as info:
        Machine(ElfImage.load(elf), load_target("py32f003"))
    msg = str(info.value)
    assert "not ARMv6-M" in msg and ("mul_add" in msg or "div_it" in msg)


def test_elf_for_another_chip_is_refused(c_elf):
    elf = c_elf("int f(void) { return 1; }\n", target="rp2040")
    with pytest.raises(ElfError, match="outside the py32f003 memory map"):
        Machine(ElfImage.load(elf), load_target("py32f003"))


def test_broken_and_foreign_elves(tmp_path, c_elf):
    good = c_elf("int f(void) { return 1; }\n").read_bytes()
    cases = {
        "text.elf": (b"hello", "not an ELF file"),
        "elf64.elf": (good[:4] + b"\x02" + good[5:], "not a 32-bit little-endian ELF"),
        "x86.elf": (good[:18] + (3).to_bytes(2, "little") + good[20:], "not ARM"),
        "truncated.elf": (good[:200], "broken ELF|truncated|no loadable"),
    }
    for name, (data, pattern) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ElfError, match=pattern):
            ElfImage.load(path)


# ----- valid input refused or misread -------------------------------------------


@pytest.mark.parametrize("counter", ["native", "python"])
@pytest.mark.parametrize("branch", ["bx r0", "push {r0}\npop {pc}", "blx r0"])
def test_a_branch_to_an_even_address_is_a_switch_to_arm_state(asm_machine, counter, branch):
    m = asm_machine(
        {"f": f"push {{lr}}\nldr r0, =g\nsubs r0, #1\n{branch}\n.ltorg", "g": "bx lr"}, counter=counter
    )
    f = fault_of(m)
    assert f.kind == "switch to ARM state" and f.where == "g+0x0"
    assert "branch to an even address" in str(f)


@pytest.mark.parametrize("insn", ["ldm r0!, {r1, r2}", "stm r0!, {r1, r2}"])
def test_unaligned_ldm_stm_names_the_address(asm_machine, insn):
    f = fault_of(asm_machine({"f": f"ldr r0, =0x20000102\n{insn}\nbx lr\n.ltorg"}))
    assert f.kind == "unaligned access" and f.address == 0x20000102 and f.where == "f+0x2"


@pytest.mark.parametrize("counter", ["native", "python"])
def test_a_null_function_pointer_call_names_the_caller(asm_machine, counter):
    f = fault_of(asm_machine({"f": "push {lr}\nmovs r0, #1\nblx r0\npop {pc}"}, counter=counter))
    assert f.pc == 0 and "null function pointer" in str(f)
    assert f.backtrace[0] == "f+0x4"


def test_a_fault_in_an_assembly_function_without_size_names_it(asm_machine):
    source = ".global g\n.thumb_func\ng:\nmovs r0, #0\nldr r0, [r0, #4]\nbx lr\n"
    m = asm_machine({"f": "push {lr}\nbl g\npop {pc}"}, data=source)
    f = fault_of(m)
    assert f.where == "g+0x2" and f.backtrace == ["f+0x2"]


def test_arm_state_code_fails_the_armv6m_check(asm_elf):
    elf = asm_elf({"f": "bx lr"}, "py32f003")
    text = "\n".join(
        [
            ".syntax unified",
            ".cpu arm7tdmi",
            ".arm",
            ".text",
            ".global a",
            ".type a, %function",
            "a:",
            "mov r0, #1",
            "bx lr",
            ".size a, .-a",
        ]
    )
    arm = Mcu().build_elf(text, "py32f003", lang="asm")
    image = ElfImage.load(arm)
    info = inspect_elf(image, load_target("py32f003"))
    assert not info["armv6m_ok"] and info["armv6m_violations"][0]["function"] == "a+0x0"
    with pytest.raises(ElfError, match="not ARMv6-M"):
        Machine(image, load_target("py32f003"))
    assert inspect_elf(ElfImage.load(elf), load_target("py32f003"))["armv6m_ok"]


@pytest.mark.parametrize("counter", ["native", "python"])
def test_nine_code_sections_run_on_both_counters(asm_machine, counter):
    funcs = "".join(
        f'.section .text.s{i},"ax",%progbits\n.global s{i}\n.type s{i}, %function\n.thumb_func\n'
        f's{i}:\nadds r0, #{i}\nbx lr\n.size s{i}, .-s{i}\n.section .rodata.gap{i},"a"\n.word {i}\n'
        for i in range(9)
    )
    m = asm_machine({"f": "bx lr"}, counter=counter, data=funcs)
    assert len({r.base for r in m.code_ranges}) <= 8
    assert [m.call(f"s{i}", 10).return_value for i in range(9)] == [10 + i for i in range(9)]


def test_a_stripped_elf_is_checked_by_reachability_not_refused(tmp_path):
    """Without mapping symbols literal pools decode as garbage: only code reachable from
    the vector table counts, so a stripped firmware passes and still runs."""
    elf = build(BuildSpec("fir_q15", (FIRMWARE_DIR / "bench" / "fir_q15.c",)), load_target("py32f003")).elf
    stripped = tmp_path / "stripped.elf"
    subprocess.run([tool("strip"), "-o", str(stripped), str(elf)], check=True)
    image = ElfImage.load(stripped)
    assert not image.symbols
    assert inspect_elf(image, load_target("py32f003"))["armv6m_ok"]
    assert Machine(image, load_target("py32f003")).code_ranges  # not refused

"""Every bad input ends as one FirmwareFault/ElfError line naming what and where."""

import pytest

from mcubench.base.errors import ElfError, FirmwareFault
from mcubench.chip.targets import load_target
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.machine import Machine


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

"""The ARMv6-M decoder: classes, register counts, SP deltas and branch targets."""

import numpy as np
import pytest
from capstone import CS_ARCH_ARM, CS_MODE_MCLASS, CS_MODE_THUMB, Cs

from mcubench.emu.cycle_table import Cls
from mcubench.emu.thumb import decode, is_32bit


@pytest.mark.parametrize(
    "hw1,hw2,cls",
    [
        (0x2001, None, Cls.ALU),  # movs r0, #1
        (0x4348, None, Cls.MUL),  # muls r0, r1, r0
        (0x6808, None, Cls.LOAD),  # ldr r0, [r1]
        (0x4801, None, Cls.LOAD),  # ldr r0, [pc, #4]
        (0x8008, None, Cls.STORE),  # strh r0, [r1]
        (0x9001, None, Cls.STORE),  # str r0, [sp, #4]
        (0xC80C, None, Cls.LDM),  # ldm r0!, {r2, r3}
        (0xC10C, None, Cls.STM),  # stm r1!, {r2, r3}
        (0x4770, None, Cls.BX),  # bx lr
        (0x4788, None, Cls.BLX),  # blx r1
        (0x46F7, None, Cls.PC_WRITE),  # mov pc, lr
        (0x4487, None, Cls.PC_WRITE),  # add pc, r0
        (0xBF00, None, Cls.HINT),  # nop
        (0xBF30, None, Cls.WAIT),  # wfi
        (0xB672, None, Cls.HINT),  # cpsid i
        (0xBE00, None, Cls.TRAP),  # bkpt #0
        (0xDF00, None, Cls.SVC),  # svc #0: the SVCall exception
        (0xDE00, None, Cls.TRAP),  # udf #0
        (0xF3EF, 0x8010, Cls.SYS),  # mrs r0, primask
        (0xF380, 0x8810, Cls.SYS),  # msr primask, r0
        (0xF3BF, 0x8F4F, Cls.SYS),  # dsb sy
        (0xF3BF, 0x8F5F, Cls.SYS),  # dmb sy
        (0xF3BF, 0x8F6F, Cls.SYS),  # isb sy
        (0xF7F0, 0xA000, Cls.TRAP),  # udf.w
    ],
)
def test_armv6m_encodings(hw1, hw2, cls):
    assert decode(hw1, hw2, 0x100).cls == cls


@pytest.mark.parametrize(
    "hw1,hw2,name",
    [
        (0xB108, None, "cbz"),  # cbz r0, ...
        (0xBB08, None, "cbnz"),  # cbnz r0, ...
        (0xBF18, None, "it"),  # it ne
        (0xF241, 0x2034, "movw"),  # movw r0, #0x1234
        (0xFB00, 0xF001, "mul.w"),  # mul.w r0, r0, r1
        (0xFBB0, 0xF0F1, "udiv"),  # udiv r0, r0, r1
        (0xE92D, 0x41F0, "push.w"),  # push.w {r4-r8, lr}
        (0xBA80, None, "undefined rev"),
        (0xB650, None, "setend"),
    ],
)
def test_non_armv6m_encodings_are_invalid(hw1, hw2, name):
    assert decode(hw1, hw2, 0x100).cls == Cls.INVALID, name


def test_register_lists_and_sp_deltas():
    push = decode(0xB5F0, None, 0)  # push {r4-r7, lr}
    assert (push.cls, push.n_registers, push.sp_delta) == (Cls.PUSH, 5, -20)
    pop = decode(0xBDF0, None, 0)  # pop {r4-r7, pc}
    assert (pop.cls, pop.n_registers, pop.sp_delta) == (Cls.POP_PC, 5, 20)
    assert decode(0xB085, None, 0).sp_delta == -20  # sub sp, #20
    assert decode(0xB005, None, 0).sp_delta == 20  # add sp, #20
    assert decode(0x4685, None, 0).sp_dynamic  # mov sp, r0
    assert decode(0x4485, None, 0).sp_dynamic  # add sp, r0


def test_branch_targets():
    assert decode(0xD1FC, None, 0x10).target == 0x0C  # bne -8 from 0x10
    assert decode(0xE7FE, None, 0x20).target == 0x20  # b .
    assert decode(0xF000, 0xF802, 0x100).target == 0x108  # bl +4
    assert decode(0xF7FF, 0xFFFE, 0x100).target == 0x100  # bl .
    assert decode(0xF000, None, 0x100).cls == Cls.INVALID  # truncated 32-bit


# ----- every encoding against capstone ------------------------------------------
_CS = Cs(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS)
_CONDS = {"eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "cs", "cc"}
ARMV6M_16 = {
    "adc",
    "adcs",
    "add",
    "adds",
    "adr",
    "and",
    "ands",
    "asr",
    "asrs",
    "b",
    "bic",
    "bics",
    "bkpt",
    "blx",
    "bx",
    "cmn",
    "cmp",
    "cpsid",
    "cpsie",
    "eor",
    "eors",
    "ldm",
    "ldr",
    "ldrb",
    "ldrh",
    "ldrsb",
    "ldrsh",
    "lsl",
    "lsls",
    "lsr",
    "lsrs",
    "mov",
    "movs",
    "mul",
    "muls",
    "mvn",
    "mvns",
    "nop",
    "orr",
    "orrs",
    "pop",
    "push",
    "rev",
    "rev16",
    "revsh",
    "ror",
    "rors",
    "rsb",
    "rsbs",
    "sbc",
    "sbcs",
    "sev",
    "stm",
    "str",
    "strb",
    "strh",
    "sub",
    "subs",
    "svc",
    "sxtb",
    "sxth",
    "tst",
    "udf",
    "uxtb",
    "uxth",
    "wfe",
    "wfi",
    "yield",
    "hint",
    "trap",  # capstone's names for the NOP-compatible hints and UDF #254
}
ARMV6M_32 = {"bl", "mrs", "msr", "dmb", "dsb", "isb", "udf"}


def _capstone(code: bytes):
    insn = next(_CS.disasm(code, 0x1000, 1), None)
    if insn is None or insn.size != len(code):
        return None
    m = insn.mnemonic.split(".")[0]
    return "b" if m[:1] == "b" and m[1:] in _CONDS else m


def test_every_16bit_halfword_is_classified_as_capstone_does():
    """Ours refuses only what ARMv6-M makes UNPREDICTABLE where capstone (which decodes
    for ARMv7-M) is lenient: BX/BLX with bits 2:0 set and CPS other than CPSIE/CPSID i."""
    for hw in range(0x10000):
        if is_32bit(hw):
            continue
        ours = decode(hw, None, 0x1000).cls != Cls.INVALID
        theirs = _capstone(hw.to_bytes(2, "little"))
        if ours:
            assert theirs in ARMV6M_16 or (theirs is None and hw & 0xFF00 == 0xDE00), hex(hw)  # UDF imm8
        elif theirs in ARMV6M_16:
            sbz_bx = hw & 0xFF00 == 0x4700 and hw & 7
            assert sbz_bx or theirs in ("cpsie", "cpsid"), (hex(hw), theirs)


def test_32bit_encodings_are_classified_as_capstone_does():
    """Every 32-bit prefix with 54 second halfwords (the BL, MSR/MRS, barrier and UDF
    patterns and random ones): 331,776 encodings."""
    rng = np.random.default_rng(1)
    second = [
        0xD000,
        0xF800,
        0xD7FF,
        0xFFFF,
        0x8800,
        0x8000,
        0x8808,
        0x8810,
        0x8814,
        0x8F5F,
        0x8F4F,
        0x8F6F,
        0xA000,
        0xAFFF,
        *rng.integers(0, 0x10000, 40).tolist(),
    ]
    for hw1 in range(0xE800, 0x10000):
        for hw2 in second:
            ours = decode(hw1, hw2, 0x1000).cls != Cls.INVALID
            theirs = _capstone(hw1.to_bytes(2, "little") + hw2.to_bytes(2, "little"))
            if ours:
                assert theirs in ARMV6M_32, (hex(hw1), hex(hw2), theirs)
            elif theirs in ARMV6M_32:  # ARMv6-M's MSR/MRS: fixed bits, its own SYSm values, no SP/PC
                assert theirs in ("msr", "mrs"), (hex(hw1), hex(hw2), theirs)

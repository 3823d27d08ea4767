"""A decoder for the ARMv6-M Thumb instruction set (the Cortex-M0/M0+ ISA).

It classifies each 16- or 32-bit encoding into a cycle-model class and extracts what
the cycle counter and the stack tracker need: register-list length, the static change
of SP, branch targets, calls and indirect jumps. Anything outside ARMv6-M (CBZ/CBNZ,
IT, every Thumb-2 32-bit encoding but BL/MSR/MRS/DMB/DSB/ISB/UDF) decodes as INVALID.
Source: ARMv6-M Architecture Reference Manual (ARM DDI 0419), chapter A5 and A6.
"""

from __future__ import annotations

from dataclasses import dataclass

from mcubench.emu.cycle_table import Cls


@dataclass(frozen=True)
class Insn:
    size: int  # 2 or 4 bytes
    cls: Cls
    n_registers: int = 0  # LDM/STM/PUSH/POP register-list length (LR/PC included)
    sp_delta: int = 0  # static change of SP in bytes (PUSH -4N, SUB SP #imm ...)
    sp_dynamic: bool = False  # writes SP from a register (value unknown statically)
    target: int | None = None  # B, B<cond>, BL destination
    cond: int = 0  # B<cond>: the condition field (0 EQ ... 13 LE)
    name: str = ""  # short mnemonic, for messages


def _sext(value: int, bits: int) -> int:
    sign = 1 << (bits - 1)
    return (value & (sign - 1)) - (value & sign)


def is_32bit(hw1: int) -> bool:
    """True when hw1 is the first half of a 32-bit Thumb encoding."""
    return (hw1 >> 11) in (0b11101, 0b11110, 0b11111)


_DATA_PROCESSING = (
    "ands",
    "eors",
    "lsls",
    "lsrs",
    "asrs",
    "adcs",
    "sbcs",
    "rors",
    "tst",
    "rsbs",
    "cmp",
    "cmn",
    "orrs",
    "muls",
    "bics",
    "mvns",
)


def _special(hw: int) -> Insn:
    """010001xx: ADD/CMP/MOV with high registers, BX, BLX."""
    op = (hw >> 8) & 3
    rd = ((hw >> 4) & 8) | (hw & 7)
    if op == 3:
        if hw & 7:
            return Insn(2, Cls.INVALID, name="bx?")
        if hw & 0x80:
            return Insn(2, Cls.BLX, name="blx")
        return Insn(2, Cls.BX, name="bx")
    if op == 1:
        return Insn(2, Cls.ALU, name="cmp")
    name = "add" if op == 0 else "mov"
    if rd == 15:
        return Insn(2, Cls.PC_WRITE, name=name + " pc")
    return Insn(2, Cls.ALU, sp_dynamic=(rd == 13), name=name)


def _misc(hw: int) -> Insn:
    """1011xxxx: SP adjust, extend, PUSH/POP, CPS, REV, BKPT, hints."""
    if hw & 0xFF80 == 0xB000:
        return Insn(2, Cls.ALU, sp_delta=(hw & 0x7F) * 4, name="add sp")
    if hw & 0xFF80 == 0xB080:
        return Insn(2, Cls.ALU, sp_delta=-(hw & 0x7F) * 4, name="sub sp")
    if hw & 0xF500 == 0xB100:
        return Insn(2, Cls.INVALID, name="cbz/cbnz")
    if hw & 0xFF00 == 0xB200:
        return Insn(2, Cls.ALU, name="extend")
    if hw & 0xFE00 in (0xB400, 0xBC00) and not hw & 0x1FF:  # PUSH {} / POP {}: UNPREDICTABLE
        return Insn(2, Cls.INVALID, name="push/pop {}")
    if hw & 0xFE00 == 0xB400:
        n = bin(hw & 0x1FF).count("1")
        return Insn(2, Cls.PUSH, n_registers=n, sp_delta=-4 * n, name="push")
    if hw & 0xFFEF == 0xB662:
        return Insn(2, Cls.HINT, name="cps")
    if hw & 0xFF00 == 0xBA00 and hw & 0xC0 != 0x80:
        return Insn(2, Cls.ALU, name="rev")
    if hw & 0xFE00 == 0xBC00:
        n = bin(hw & 0x1FF).count("1")
        cls = Cls.POP_PC if hw & 0x100 else Cls.POP
        return Insn(2, cls, n_registers=n, sp_delta=4 * n, name="pop")
    if hw & 0xFF00 == 0xBE00:
        return Insn(2, Cls.TRAP, name="bkpt")
    if hw & 0xFF00 == 0xBF00:
        if hw & 0xF:
            return Insn(2, Cls.INVALID, name="it")
        cls, name = _HINTS.get(hw, (Cls.HINT, "nop-compatible hint"))
        return Insn(2, cls, name=name)
    return Insn(2, Cls.INVALID, name="undefined")


# ARMv6-M hints (DDI 0419 A6.7): the other BFx0 encodings execute as NOP.
_HINTS = {
    0xBF00: (Cls.HINT, "nop"),
    0xBF10: (Cls.HINT, "yield"),
    0xBF20: (Cls.WAIT, "wfe"),
    0xBF30: (Cls.WAIT, "wfi"),
    0xBF40: (Cls.HINT, "sev"),
}
# Hints Unicorn does not execute as a Cortex-M0+ does (it stops on them): run as NOP,
# counted as themselves.
EXECUTED_AS_NOP = (0xBF10, 0xBF20, 0xBF30, 0xBF40)


def _decode16(hw: int, pc: int) -> Insn:
    top5 = hw >> 11
    if hw >> 13 == 0b000:
        return Insn(2, Cls.ALU, name="shift/add/sub")
    if hw >> 13 == 0b001:
        return Insn(2, Cls.ALU, name=("movs", "cmp", "adds", "subs")[(hw >> 11) & 3])
    if hw >> 10 == 0b010000:
        op = (hw >> 6) & 0xF
        return Insn(2, Cls.MUL if op == 13 else Cls.ALU, name=_DATA_PROCESSING[op])
    if hw >> 10 == 0b010001:
        return _special(hw)
    if top5 == 0b01001:
        return Insn(2, Cls.LOAD, name="ldr literal")
    if hw >> 12 == 0b0101:
        store = ((hw >> 9) & 7) < 3
        return Insn(2, Cls.STORE if store else Cls.LOAD, name="str/ldr reg")
    if hw >> 13 == 0b011 or hw >> 12 in (0b1000, 0b1001):
        return Insn(2, Cls.LOAD if hw & 0x800 else Cls.STORE, name="str/ldr imm")
    if hw >> 12 == 0b1010:
        return Insn(2, Cls.ALU, name="adr/add sp")
    if hw >> 12 == 0b1011:
        return _misc(hw)
    if hw >> 12 == 0b1100:
        n = bin(hw & 0xFF).count("1")
        if n == 0:  # an empty register list is UNPREDICTABLE (DDI 0419 A6.7.25, A6.7.59)
            return Insn(2, Cls.INVALID, name="ldm/stm {}")
        return Insn(2, Cls.LDM if hw & 0x800 else Cls.STM, n_registers=n, name="ldm/stm")
    if hw >> 12 == 0b1101:
        cond = (hw >> 8) & 0xF
        if cond == 0xE:
            return Insn(2, Cls.TRAP, name="udf")
        if cond == 0xF:
            return Insn(2, Cls.SVC, name="svc")
        target = (pc + 4 + 2 * _sext(hw & 0xFF, 8)) & 0xFFFFFFFF
        return Insn(2, Cls.B_COND, target=target, cond=(hw >> 8) & 0xF, name="b<cond>")
    if top5 == 0b11100:
        return Insn(2, Cls.B, target=(pc + 4 + 2 * _sext(hw & 0x7FF, 11)) & 0xFFFFFFFF, name="b")
    return Insn(2, Cls.INVALID, name="undefined")


# Special registers ARMv6-M has (DDI 0419 B5.1): the xPSR views, MSP, PSP, PRIMASK, CONTROL.
# Other SYSm values, and SP or PC as the general register, are UNPREDICTABLE.
_SYSM = (0, 1, 2, 3, 5, 6, 7, 8, 9, 16, 20)


def _decode32(hw1: int, hw2: int, pc: int) -> Insn:
    if hw1 & 0xF800 == 0xF000 and hw2 & 0xD000 == 0xD000:
        s = (hw1 >> 10) & 1
        i1 = 1 - (((hw2 >> 13) & 1) ^ s)
        i2 = 1 - (((hw2 >> 11) & 1) ^ s)
        imm = (s << 24) | (i1 << 23) | (i2 << 22) | ((hw1 & 0x3FF) << 12) | ((hw2 & 0x7FF) << 1)
        return Insn(4, Cls.BL, target=(pc + 4 + _sext(imm, 25)) & 0xFFFFFFFF, name="bl")
    if hw1 & 0xFFF0 == 0xF380 and hw2 & 0xFF00 == 0x8800:
        ok = (hw2 & 0xFF) in _SYSM and (hw1 & 0xF) not in (13, 15)
        return Insn(4, Cls.SYS if ok else Cls.INVALID, name="msr")
    if hw1 == 0xF3EF and hw2 & 0xF000 == 0x8000:
        ok = (hw2 & 0xFF) in _SYSM and ((hw2 >> 8) & 0xF) not in (13, 15)
        return Insn(4, Cls.SYS if ok else Cls.INVALID, name="mrs")
    if hw1 == 0xF3BF and hw2 & 0xFFF0 in (0x8F40, 0x8F50, 0x8F60):
        return Insn(4, Cls.SYS, name="barrier")
    if hw1 & 0xFFF0 == 0xF7F0 and hw2 & 0xF000 == 0xA000:
        return Insn(4, Cls.TRAP, name="udf.w")
    return Insn(4, Cls.INVALID, name="thumb-2")


def decode(hw1: int, hw2: int | None, pc: int) -> Insn:
    """Decode the instruction at pc; hw2 is the following halfword (None at the end)."""
    if is_32bit(hw1):
        if hw2 is None:
            return Insn(2, Cls.INVALID, name="truncated")
        return _decode32(hw1, hw2, pc)
    return _decode16(hw1, pc)

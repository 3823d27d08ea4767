"""Trap and emulate: one load or store to a peripheral, done in Python.

Peripheral ranges are unmapped, so an access stops Unicorn with the PC of the
instruction (Unicorn's invalid-memory path knows it exactly, unlike its MMIO callbacks).
This module carries out that instruction against the peripheral bus: LDR/STR of a word,
halfword or byte (sign-extended loads too) and LDM/STM, writes the registers it loads,
and returns the address of the next instruction. The counter is told where emulation
resumes, so the cycle count is what it would have been without the stop.
"""

from __future__ import annotations

from capstone import CS_ARCH_ARM, CS_MODE_MCLASS, CS_MODE_THUMB, Cs
from unicorn import arm_const

from mcubench.emu.peripherals import Bus

_DISASM = Cs(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS)
_DISASM.detail = True
_SIZES = {"ldr": 4, "str": 4, "ldrh": 2, "strh": 2, "ldrsh": 2, "ldrb": 1, "strb": 1, "ldrsb": 1}
STANDARD = 2  # cycles of a single load or store on the core's bus


def _reg(insn, cs_reg) -> int:
    name = insn.reg_name(cs_reg).upper()
    return getattr(
        arm_const, f"UC_ARM_REG_{ {'SB': 'R9', 'SL': 'R10', 'FP': 'R11', 'IP': 'R12'}.get(name, name) }"
    )


def emulate(uc, counter, bus: Bus, time_base: int, pc: int, address: int) -> int | None:
    """Carry out the access at pc (to `address`, which the bus claims); the next PC, or
    None when the instruction is not one this can emulate (the fault stands)."""
    code = bytes(uc.mem_read(pc, 4))
    insn = next(_DISASM.disasm(code, pc, 1), None)
    if insn is None:
        return None
    mnem = insn.mnemonic.split(".")[0]
    nxt = pc + insn.size
    if mnem in _SIZES:
        size = _SIZES[mnem]
        delta = bus.cycles_of(address) - STANDARD
        now = time_base + counter.cycles_after(nxt) + delta
        rt = _reg(insn, insn.operands[0].reg)
        if mnem.startswith("ldr"):
            value = bus.read(address, size, now)
            if mnem in ("ldrsh", "ldrsb") and value >> (8 * size - 1):
                value -= 1 << (8 * size)
            uc.reg_write(rt, value & 0xFFFF_FFFF)
        else:
            bus.write(address, size, uc.reg_read(rt) & ((1 << (8 * size)) - 1), now)
        counter.resume(nxt, delta)
        return nxt
    if mnem in ("ldm", "stm", "ldmia", "stmia"):  # 1 + N cycles, as to memory
        base_reg = _reg(insn, insn.operands[0].reg)
        regs = [_reg(insn, op.reg) for op in insn.operands[1:]]
        addr = uc.reg_read(base_reg)
        now = time_base + counter.cycles_after(nxt)
        for i, r in enumerate(regs):
            if mnem.startswith("ldm"):
                uc.reg_write(r, bus.read(addr + 4 * i, 4, now))
            else:
                bus.write(addr + 4 * i, 4, uc.reg_read(r), now)
        if insn.writeback and not (mnem.startswith("ldm") and base_reg in regs):
            uc.reg_write(base_reg, (addr + 4 * len(regs)) & 0xFFFF_FFFF)
        counter.resume(nxt, 0)
        return nxt
    return None

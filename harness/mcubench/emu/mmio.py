"""Trap and emulate: one load or store to a peripheral, done in Python.

Peripheral ranges are unmapped, so an access stops Unicorn with the PC of the
instruction (Unicorn's invalid-memory path knows it exactly, unlike its MMIO callbacks).
This module carries out that instruction against the peripheral bus: LDR/STR of a word,
halfword or byte (sign-extended loads too) and LDM/STM, writes the registers it loads,
and returns the address of the next instruction. The counter is told where emulation
resumes, so the cycle count is what it would have been without the stop.
"""

from __future__ import annotations

from mcubench.emu.cycle_table import STANDARD_ACCESS_CYCLES
from mcubench.emu.faults import access_size, insn_at, uc_reg

SINGLE = ("ldr", "str", "ldrh", "strh", "ldrsh", "ldrb", "strb", "ldrsb")


def emulate(machine, pc: int, address: int) -> int | None:
    """Carry out the access at pc (to `address`, which the machine's bus claims); the next
    PC, or None when the instruction is not one this can emulate (the fault stands)."""
    uc, counter, bus, time_base = machine.uc, machine.counter, machine.bus, machine.time
    insn = insn_at(machine, pc)
    if insn is None:
        return None
    mnem = insn.mnemonic.split(".")[0]
    nxt = pc + insn.size
    if mnem in SINGLE:
        size = access_size(mnem)
        delta = bus.cycles_of(address) - STANDARD_ACCESS_CYCLES
        now = time_base + counter.cycles_after(nxt) + delta
        rt = uc_reg(insn, insn.operands[0].reg)
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
        base_reg = uc_reg(insn, insn.operands[0].reg)
        regs = [uc_reg(insn, op.reg) for op in insn.operands[1:]]
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

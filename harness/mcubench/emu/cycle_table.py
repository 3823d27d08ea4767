"""The Cortex-M0+ cycle model: one explicit table, audited against the TRM.

Source: ARM Cortex-M0+ Technical Reference Manual (ARM DDI 0484C), table 3.1,
"Cortex-M0+ instruction summary", zero-wait-state memory. Every instruction class the
decoder (thumb.py) produces has exactly one row here. Extras that depend on the run
(taken branches, flash wait states, XIP cache misses, single-cycle SIO) are added by
the cycle counter (counter.py / the native hook) and documented there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Cls(IntEnum):
    """Instruction classes. The numeric values are shared with the native hook."""

    ALU = 0  # data processing, MOVS/ADDS/CMP/shifts/extend/REV, ADR, ADD/SUB SP
    MUL = 1  # MULS: 1 or 32 cycles, a synthesis option of the core
    LOAD = 2  # LDR, LDRH, LDRB, LDRSH, LDRSB, LDR literal
    STORE = 3  # STR, STRH, STRB
    LDM = 4  # LDM
    STM = 5  # STM
    PUSH = 6  # PUSH (LR counts as a register)
    POP = 7  # POP without PC
    POP_PC = 8  # POP with PC
    B = 9  # B (unconditional)
    B_COND = 10  # B<cond>
    BL = 11  # BL
    BX = 12  # BX
    BLX = 13  # BLX (register)
    PC_WRITE = 14  # MOV PC, Rm / ADD PC, Rm
    SYS = 15  # MRS, MSR, DMB, DSB, ISB
    HINT = 16  # NOP, YIELD, SEV, CPS
    TRAP = 17  # BKPT, UDF: the run stops with a fault
    INVALID = 18  # not an ARMv6-M instruction: the run stops with a fault
    WAIT = 19  # WFE, WFI
    SVC = 20  # SVC: the SVCall exception (machine.py enters the handler)


@dataclass(frozen=True)
class Timing:
    """Cycles of one class: base + per_register * N (N = registers in the list)."""

    base: int
    per_register: int = 0
    note: str = ""


MUL_FROM_TARGET = -1  # marker: the target decides (1 or 32)

TABLE: dict[Cls, Timing] = {
    Cls.ALU: Timing(1, note="ADDS, SUBS, MOVS, CMP, logic, shifts, extend, REV, ADR, ADD/SUB SP"),
    Cls.MUL: Timing(MUL_FROM_TARGET, note="MULS: 1 (fast multiplier) or 32 (small multiplier)"),
    Cls.LOAD: Timing(2, note="1 on the RP2040 single-cycle I/O port (region access_cycles)"),
    Cls.STORE: Timing(2, note="1 on the RP2040 single-cycle I/O port (region access_cycles)"),
    Cls.LDM: Timing(1, 1, note="1+N"),
    Cls.STM: Timing(1, 1, note="1+N"),
    Cls.PUSH: Timing(1, 1, note="1+N, LR included in N"),
    Cls.POP: Timing(1, 1, note="1+N"),
    Cls.POP_PC: Timing(3, 1, note="3+N, PC included in N"),
    Cls.B: Timing(2),
    Cls.B_COND: Timing(1, note="not taken; a taken branch adds TAKEN_BRANCH_EXTRA"),
    Cls.BL: Timing(3),
    Cls.BX: Timing(2),
    Cls.BLX: Timing(2),
    Cls.PC_WRITE: Timing(2, note="MOV PC / ADD PC"),
    Cls.SYS: Timing(3, note="MRS, MSR, DMB, DSB, ISB"),
    Cls.HINT: Timing(1, note="NOP, YIELD, SEV, CPS"),
    Cls.WAIT: Timing(2, note="WFE, WFI (the time asleep is not the core's: the stream harness's)"),
    Cls.TRAP: Timing(1, note="never completes: the run stops with a fault"),
    Cls.SVC: Timing(1, note="SVC, then exception entry to the SVCall handler (EXCEPTION_ENTRY_CYCLES)"),
    Cls.INVALID: Timing(1, note="never completes: the run stops with a fault"),
}

TAKEN_BRANCH_EXTRA = 1  # B<cond>: 2 cycles taken, 1 not taken

# Exceptions (the streaming harness runs interrupt handlers as plain calls and adds these).
# Entry: the TRM's worst-case interrupt latency, from the request to the handler's first
# instruction, zero wait states (DDI 0484C section 3.6.1: 15 cycles).
EXCEPTION_ENTRY_CYCLES = 15
# Exit: the TRM gives no figure. The handler's own return instruction (BX LR or POP {PC})
# is executed and counted; on top we charge unstacking the 8-word frame (1 cycle a word on
# the single 32-bit bus, as LDM's N) and refilling the pipeline (2, as a taken branch).
EXCEPTION_EXIT_CYCLES = 10
# The frame stacked on entry: R0-R3, R12, LR, PC, xPSR, plus up to 4 bytes to align SP to 8.
EXCEPTION_FRAME_BYTES = 32 + 4
STANDARD_ACCESS_CYCLES = 2  # LDR*/STR* to zero-wait-state memory


def cycles(cls: Cls, n_registers: int = 0, mul_cycles: int = 1) -> int:
    """Static cycles of one instruction (conditional branches counted as not taken)."""
    timing = TABLE[cls]
    if timing.base == MUL_FROM_TARGET:
        return mul_cycles
    return timing.base + timing.per_register * n_registers

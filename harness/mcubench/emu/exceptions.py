"""Exception entry and return, for interrupts the chip's peripherals raise (SysTick).

Unicorn's plain Thumb mode has no NVIC, so mcubench does what the core does (ARMv6-M ARM,
DDI 0419, B1.5.6-B1.5.8): on entry it pushes R0-R3, R12, LR, the return address and xPSR
on the stack (aligned to 8 bytes, bit 9 of the stacked xPSR saying so), sets LR to
EXC_RETURN 0xFFFFFFF9 and jumps to the handler in the vector table at VTOR; the handler's
BX LR or POP {PC} to EXC_RETURN lands at an unmapped address, where the frame is popped
and the interrupted code resumes. Entry and exit cost what cycle_table says.

An interrupt is taken at the first basic-block boundary at or after the moment it is
raised (the core takes it at the next instruction boundary: at most one block later),
never while PRIMASK is set (CPSID I) or inside another handler.
"""

from __future__ import annotations

import struct

from unicorn.arm_const import (
    UC_ARM_REG_CPSR,
    UC_ARM_REG_LR,
    UC_ARM_REG_PC,
    UC_ARM_REG_PRIMASK,
    UC_ARM_REG_R0,
    UC_ARM_REG_R1,
    UC_ARM_REG_R2,
    UC_ARM_REG_R3,
    UC_ARM_REG_R12,
    UC_ARM_REG_SP,
)

EXC_RETURN = 0xFFFF_FFF9  # thread mode, main stack
EXC_SVCALL, EXC_PENDSV = 11, 14  # exception numbers (DDI 0419 B1.5.2; SysTick is 15)
EXC_RETURN_BASE = 0xFFFF_FFF0
FRAME_REGS = (UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R12, UC_ARM_REG_LR)


def masked(uc) -> bool:
    """PRIMASK (CPSID I) holds interrupts back."""
    return bool(uc.reg_read(UC_ARM_REG_PRIMASK) & 1)


def enter(uc, number: int, return_pc: int, vtor: int) -> tuple[int, int]:
    """Stack the frame and go to the handler of exception `number`: (handler address,
    the SP after stacking)."""
    sp = uc.reg_read(UC_ARM_REG_SP)
    realign = sp & 4
    frame_sp = (sp - 32) & ~7
    xpsr = (uc.reg_read(UC_ARM_REG_CPSR) & 0xF000_0000) | (1 << 24) | (0x200 if realign else 0)
    words = [uc.reg_read(r) for r in FRAME_REGS] + [return_pc & ~1, xpsr]
    uc.mem_write(frame_sp, struct.pack("<8I", *words))
    uc.reg_write(UC_ARM_REG_SP, frame_sp)
    uc.reg_write(UC_ARM_REG_LR, EXC_RETURN)
    handler = struct.unpack("<I", bytes(uc.mem_read(vtor + 4 * number, 4)))[0]
    return handler, frame_sp


def leave(uc) -> int:
    """Unstack the frame after the handler returned to EXC_RETURN: the address to resume at."""
    sp = uc.reg_read(UC_ARM_REG_SP)
    words = struct.unpack("<8I", bytes(uc.mem_read(sp, 32)))
    for reg, value in zip(FRAME_REGS, words[:6]):
        uc.reg_write(reg, value)
    xpsr = words[7]
    cpsr = uc.reg_read(UC_ARM_REG_CPSR)
    uc.reg_write(UC_ARM_REG_CPSR, (cpsr & 0x0FFF_FFFF) | (xpsr & 0xF000_0000))
    uc.reg_write(UC_ARM_REG_SP, sp + 32 + (4 if xpsr & 0x200 else 0))
    uc.reg_write(UC_ARM_REG_PC, words[6] | 1)
    return words[6]


def is_return(pc: int) -> bool:
    return pc >= EXC_RETURN_BASE

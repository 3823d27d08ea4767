"""Turn the way an emulated run stopped into one FirmwareFault line.

Sources, in order: the cycle hook's own stop reason (stack overflow, cycle limit,
non-ARMv6-M or trap instruction, execution outside code), then Unicorn's error code
(unmapped or protected access, unaligned access, undefined instruction), with the
data address from the invalid-memory hook or, for an unaligned access, computed from
the faulting instruction's operands.
"""

from __future__ import annotations

from capstone import CS_ARCH_ARM, CS_MODE_MCLASS, CS_MODE_THUMB, Cs
from capstone.arm import ARM_OP_MEM
from unicorn import arm_const
from unicorn import unicorn_const as ucc
from unicorn.arm_const import UC_ARM_REG_CPSR, UC_ARM_REG_LR, UC_ARM_REG_SP

from mcubench.base.errors import FirmwareFault
from mcubench.emu import counter as ctr

_STOP_KINDS = {
    ctr.STOP_NOT_CODE: "execution of data (not an instruction start)",
    ctr.STOP_NOT_V6M: "instruction outside ARMv6-M",
    ctr.STOP_TRAP: "trap instruction (BKPT/UDF)",
    ctr.STOP_OUTSIDE_CODE: "execution outside the ELF's code",
    ctr.STOP_STACK_OVERFLOW: "stack overflow",
    ctr.STOP_CYCLE_LIMIT: "cycle limit reached (runaway loop?)",
}
_UC_KINDS = {
    ucc.UC_ERR_READ_UNMAPPED: "unmapped read",
    ucc.UC_ERR_WRITE_UNMAPPED: "unmapped write",
    ucc.UC_ERR_FETCH_UNMAPPED: "execution from unmapped memory",
    ucc.UC_ERR_WRITE_PROT: "write to read-only memory",
    ucc.UC_ERR_READ_PROT: "read from protected memory",
    ucc.UC_ERR_FETCH_PROT: "execution from non-executable memory",
    ucc.UC_ERR_READ_UNALIGNED: "unaligned access",
    ucc.UC_ERR_WRITE_UNALIGNED: "unaligned access",
    ucc.UC_ERR_FETCH_UNALIGNED: "unaligned instruction fetch",
    ucc.UC_ERR_INSN_INVALID: "undefined instruction",
    ucc.UC_ERR_EXCEPTION: "hard fault",
}
THUMB_BIT = 1 << 5  # CPSR/xPSR T
_DISASM = Cs(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS)
_DISASM.detail = True


def insn_at(machine, pc):
    try:
        code = machine.read(pc, 4)
    except Exception:
        return None
    return next(_DISASM.disasm(code, pc, 1), None)


def _data_address(machine, insn) -> int | None:
    """Effective address of a load/store (for faults Unicorn reports without one)."""
    uc = machine.uc
    for op in insn.operands:
        if op.type == ARM_OP_MEM:
            base = uc.reg_read(uc_reg(insn, op.mem.base)) if op.mem.base else 0
            if op.mem.base and insn.reg_name(op.mem.base) == "pc":
                base = (insn.address + 4) & ~3
            index = uc.reg_read(uc_reg(insn, op.mem.index)) if op.mem.index else 0
            return (base + index + op.mem.disp) & 0xFFFFFFFF
    if insn.mnemonic.startswith(("push", "pop")):
        return uc.reg_read(UC_ARM_REG_SP)
    if insn.mnemonic.startswith(("ldm", "stm")) and insn.operands:
        return uc.reg_read(uc_reg(insn, insn.operands[0].reg))
    return None


def access_size(mnemonic: str) -> int:
    """Bytes moved by a load/store mnemonic (ldrh/strh/ldrsh 2, ldrb/strb/ldrsb 1, else 4)."""
    base = mnemonic.split(".")[0]
    if base.startswith(("ldr", "str")):
        if base.endswith("h"):
            return 2
        if base.endswith("b"):
            return 1
    return 4


def uc_reg(insn, cs_reg):
    name = insn.reg_name(cs_reg).upper()
    return getattr(
        arm_const, f"UC_ARM_REG_{ {'SB': 'R9', 'SL': 'R10', 'FP': 'R11', 'IP': 'R12'}.get(name, name) }"
    )


def translate(machine, state, error, pc) -> FirmwareFault:
    image = machine.image
    calls = [image.where(site) for site in reversed(state.call_sites)]
    if state.stop_reason:
        where_pc = state.stop_pc
        kind = _STOP_KINDS.get(state.stop_reason, f"stop {state.stop_reason}")
        detail, address = "", None
        if state.stop_reason == ctr.STOP_STACK_OVERFLOW:
            detail = f"by {state.stop_value} bytes in {image.function_at(where_pc)}"
        elif state.stop_reason == ctr.STOP_CYCLE_LIMIT:
            detail = f"after {state.cycles} cycles"
        elif state.stop_reason in (ctr.STOP_NOT_V6M, ctr.STOP_TRAP):
            insn = insn_at(machine, where_pc)
            detail = f"'{insn.mnemonic} {insn.op_str}'".replace(" '", "'") if insn else ""
        return FirmwareFault(kind, where_pc, image.where(where_pc), address, calls, detail)
    if error is None:
        return FirmwareFault("emulation stopped early", pc, image.where(pc), None, calls)
    code = error.errno
    kind = _UC_KINDS.get(code, f"emulator error ({error})")
    address = machine.bad_access[1] if machine.bad_access else None
    detail = ""
    insn = insn_at(machine, pc)
    if code == ucc.UC_ERR_EXCEPTION and insn is not None:
        addr = _data_address(machine, insn)
        if addr is not None:
            if addr % access_size(insn.mnemonic):
                kind, address = "unaligned access", addr
        detail = f"'{insn.mnemonic} {insn.op_str}'"
    elif code in (ucc.UC_ERR_READ_UNMAPPED, ucc.UC_ERR_WRITE_UNMAPPED, ucc.UC_ERR_WRITE_PROT) and insn:
        detail = f"'{insn.mnemonic} {insn.op_str}'"
    if code == ucc.UC_ERR_INSN_INVALID and not machine.uc.reg_read(UC_ARM_REG_CPSR) & THUMB_BIT:
        # BX/BLX/POP {pc} to an even address: a Cortex-M0+ cannot leave Thumb state
        kind, detail = "switch to ARM state", "(a branch to an even address: BX, BLX or POP {pc})"
        lr = machine.uc.reg_read(UC_ARM_REG_LR)
        if image.function_at(lr & ~1) != "?":
            calls = calls or [image.where((lr & ~1) - 2)]
    if code == ucc.UC_ERR_FETCH_UNMAPPED:
        address = None
        lr = machine.uc.reg_read(UC_ARM_REG_LR)
        caller = (lr & ~1) - 2  # BLX Rm is 2 bytes (a BL to an unmapped address cannot link)
        if image.function_at(caller) != "?" and pc not in (lr, lr & ~1):
            detail = f"(a call to 0x{pc:08x}{': a null function pointer?' if pc < 0x100 else ''})"
            calls = [image.where(caller), *calls]
    return FirmwareFault(kind, pc, image.where(pc), address, calls, detail)

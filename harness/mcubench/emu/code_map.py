"""Per-halfword instruction records for every code address: the static half of the
cycle count, shared by the native hook and the Python fallback.

Each executable span of the ELF is decoded once (thumb.py), costed once
(cycle_table.py, for one target), and stored as a packed array the block hook walks:
for a block [addr, addr+size) it sums the records of the instructions in it. Halfwords
that do not start an instruction (the second half of BL, literal pools) are marked,
so executing them is an error instead of a silent miscount.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mcubench.emu.cycle_table import Cls, cycles
from mcubench.emu.thumb import EXECUTED_AS_NOP, decode

# Control flow at the end of a block, as the counters see it.
FLOW_NONE, FLOW_COND, FLOW_CALL, FLOW_INDIRECT, FLOW_JUMP = 0, 1, 2, 3, 4
# Why a halfword cannot be executed.
ERR_OK, ERR_NOT_CODE, ERR_NOT_V6M, ERR_TRAP = 0, 1, 2, 3
MAX_RANGES = 8  # code ranges the native hook's context holds (cycle_hook.c)

RECORD = np.dtype(
    [
        ("cycles", "u1"),
        ("flow", "u1"),
        ("size", "u1"),
        ("err", "u1"),
        ("sp_delta", "<i2"),
        ("sp_dynamic", "u1"),
        ("extra", "u1"),  # B<cond>: condition (low 4 bits); 0x80: a multi-register access
        ("target", "<u4"),
    ],
    align=True,
)
assert RECORD.itemsize == 12

_FLOW = {
    Cls.B_COND: FLOW_COND,
    Cls.BL: FLOW_CALL,
    Cls.BLX: FLOW_CALL,
    Cls.BX: FLOW_INDIRECT,
    Cls.POP_PC: FLOW_INDIRECT,
    Cls.PC_WRITE: FLOW_INDIRECT,
    Cls.B: FLOW_JUMP,
}
_ERR = {Cls.INVALID: ERR_NOT_V6M, Cls.TRAP: ERR_TRAP}
# LDM/STM/PUSH/POP: 1+N whatever the bus (the RP2040's single-cycle I/O port speeds up
# single loads and stores only)
_MULTI = (Cls.LDM, Cls.STM, Cls.PUSH, Cls.POP, Cls.POP_PC)
MULTI = 0x80


@dataclass
class CodeRange:
    base: int
    records: np.ndarray  # one RECORD per halfword from base
    nop_patches: list = field(default_factory=list)  # hints Unicorn must run as NOP (thumb.py)
    cpsie: list = field(default_factory=list)  # CPSIE I: where a held-back interrupt may be taken
    svc: list = field(default_factory=list)  # SVC: where the SVCall exception is raised

    @property
    def end(self) -> int:
        return self.base + 2 * len(self.records)


@dataclass(frozen=True)
class Violation:
    addr: int
    name: str  # the decoder's mnemonic
    err: int


def decode_section(base: int, data: bytes, runs, mul_cycles: int) -> tuple[np.ndarray, list[Violation]]:
    """Records for one section: the code runs decoded, everything else ERR_NOT_CODE."""
    n = len(data) // 2
    recs = np.zeros(n, dtype=RECORD)
    recs["err"] = ERR_NOT_CODE
    halfwords = [int(h) for h in np.frombuffer(data[: 2 * n], dtype="<u2")]
    violations = []
    for start, end, kind in runs:
        i, stop = (start - base) // 2, min(n, (end - base) // 2)
        if kind == "a":  # ARM-state code: a Cortex-M0+ has no ARM state at all
            for word in range(i, stop, 2):
                recs[word]["err"] = ERR_NOT_V6M
                violations.append(Violation(base + 2 * word, "ARM-state instruction", ERR_NOT_V6M))
            continue
        while i < stop:
            pc = base + 2 * i
            insn = decode(halfwords[i], halfwords[i + 1] if i + 1 < stop else None, pc)
            err = _ERR.get(insn.cls, ERR_OK)
            recs[i] = (
                cycles(insn.cls, insn.n_registers, mul_cycles),
                _FLOW.get(insn.cls, FLOW_NONE),
                insn.size,
                err,
                insn.sp_delta,
                insn.sp_dynamic,
                insn.cond | (MULTI if insn.cls in _MULTI else 0),
                insn.target or 0,
            )
            if err:
                violations.append(Violation(pc, insn.name, err))
            i += insn.size // 2
    return recs, violations


CPSIE_I = 0xB662  # CPSIE I (DDI 0419 A6.7.15)


def build_code_map(image, mul_cycles: int) -> tuple[list[CodeRange], list[Violation]]:
    """Decode every executable section of an ElfImage (adjacent sections merged)."""
    ranges: list[CodeRange] = []
    violations: list[Violation] = []
    for base, data, runs in sorted(image.code_sections(), key=lambda s: s[0]):
        recs, bad = decode_section(base, data, runs, mul_cycles)
        halfwords = np.frombuffer(data[: len(data) // 2 * 2], dtype="<u2")
        hints = [
            base + 2 * int(i)
            for i in np.flatnonzero(np.isin(halfwords, EXECUTED_AS_NOP))
            if recs[int(i)]["err"] == ERR_OK and recs[int(i)]["size"] == 2
        ]
        cpsie = [
            base + 2 * int(i)
            for i in np.flatnonzero(halfwords == CPSIE_I)
            if recs[int(i)]["err"] == ERR_OK and recs[int(i)]["size"] == 2
        ]
        svc = [
            base + 2 * int(i)
            for i in np.flatnonzero(halfwords >> 8 == 0xDF)
            if recs[int(i)]["err"] == ERR_OK and recs[int(i)]["size"] == 2
        ]
        if any(kind == "?" for *_, kind in runs):  # stripped: only what execution can reach
            reached = _reachable(base, recs, image.entry_points())
            bad = [v for v in bad if v.addr in reached]
            hints = [a for a in hints if a in reached]
            cpsie = [a for a in cpsie if a in reached]
            svc = [a for a in svc if a in reached]
        violations += bad
        if ranges and ranges[-1].end == base:
            ranges[-1].records = np.concatenate([ranges[-1].records, recs])
            ranges[-1].nop_patches += hints
            ranges[-1].cpsie += cpsie
            ranges[-1].svc += svc
        else:
            ranges.append(CodeRange(base, recs, hints, cpsie, svc))
    return merge_ranges(ranges, MAX_RANGES), violations


def _reachable(base: int, recs: np.ndarray, entries: list[int]) -> set[int]:
    """Instruction addresses reachable from the entry points by straight-line flow,
    branches and calls (indirect jumps and returns end a path). In a stripped ELF this
    tells code from the literal pools between functions, which decode as garbage."""
    end = base + 2 * len(recs)
    todo = [a for a in entries if base <= a < end]
    seen: set[int] = set()
    while todo:
        addr = todo.pop()
        while base <= addr < end and addr not in seen:
            seen.add(addr)
            rec = recs[(addr - base) // 2]
            if rec["err"] != ERR_OK:
                break
            flow = rec["flow"]
            if flow in (FLOW_COND, FLOW_JUMP, FLOW_CALL) and rec["target"]:
                todo.append(int(rec["target"]))
            if flow in (FLOW_JUMP, FLOW_INDIRECT):
                break
            addr += int(rec["size"])
    return seen


def merge_ranges(ranges: list[CodeRange], limit: int) -> list[CodeRange]:
    """At most `limit` ranges (what the native hook holds): the two closest are joined,
    the gap between them filled with records that are not code, until few enough."""
    ranges = list(ranges)
    while len(ranges) > limit:
        i = min(range(len(ranges) - 1), key=lambda k: ranges[k + 1].base - ranges[k].end)
        a, b = ranges[i], ranges[i + 1]
        gap = np.zeros((b.base - a.end) // 2, dtype=RECORD)
        gap["err"] = ERR_NOT_CODE
        ranges[i : i + 2] = [
            CodeRange(
                a.base,
                np.concatenate([a.records, gap, b.records]),
                a.nop_patches + b.nop_patches,
                a.cpsie + b.cpsie,
                a.svc + b.svc,
            )
        ]
    return ranges


def sp_write_points(ranges: list[CodeRange]) -> list[tuple[int, int]]:
    """Where SP has just been written from a register (MOV/ADD SP, Rm: a value no static
    analysis knows): the address after each such instruction, with the lowest static SP
    offset that the straight-line code from there reaches before the next branch or the
    next such write. A hook there sees every SP value, so a stack that dips below its
    floor and comes back inside one basic block is still caught, and the peak is exact."""
    out = []
    for r in ranges:
        rec = r.records
        for i in np.flatnonzero((rec["sp_dynamic"] != 0) & (rec["err"] == ERR_OK)):
            j = k = int(i) + int(rec["size"][i]) // 2
            off = min_off = 0
            while k < len(rec) and rec["err"][k] == ERR_OK and not rec["sp_dynamic"][k]:
                off += int(rec["sp_delta"][k])
                min_off = min(min_off, off)
                if rec["flow"][k] != FLOW_NONE:
                    break
                k += int(rec["size"][k]) // 2
            if j < len(rec):
                out.append((r.base + 2 * j, min_off))
    return out

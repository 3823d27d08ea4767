"""Per-function figures, puncover-style: size, own stack frame, callees and the
worst-case stack of every call chain, from the ELF's code and gcc's -fstack-usage.

The frame of a function is what gcc wrote in its .su file (mcubench builds keep them as
stack_usage.json beside the ELF); without one it is read from the prologue (PUSH and
SUB SP before the first branch). Callees come from decoding the code: BL, and B to
another function (a tail call). A call through a register (BLX, BX other than LR, a
PC write) makes the worst case unknown, as does recursion and a frame gcc calls
dynamic: those are marked, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mcubench.build.stack_usage import read_stack_usage
from mcubench.emu.cycle_table import Cls
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.thumb import decode, is_32bit


@dataclass
class FunctionInfo:
    name: str
    addr: int
    size: int
    frame: int | None = None
    frame_from: str = ""  # "gcc" (-fstack-usage) or "prologue"
    callees: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # why the worst case is not known
    worst: int | None = None


def _instructions(image: ElfImage, start: int, size: int):
    code = image.read_initial(start, size)
    pc = start
    while pc + 2 <= start + size:
        hw1 = int.from_bytes(code[pc - start : pc - start + 2], "little")
        two = is_32bit(hw1) and pc + 4 <= start + size
        hw2 = int.from_bytes(code[pc - start + 2 : pc - start + 4], "little") if two else None
        insn = decode(hw1, hw2, pc)
        yield pc, hw1, insn
        pc += insn.size


def _scan(image: ElfImage, f: FunctionInfo) -> None:
    frame, prologue = 0, True
    for _pc, hw1, insn in _instructions(image, f.addr, f.size):
        if insn.cls in (Cls.B, Cls.B_COND, Cls.BL, Cls.BX, Cls.BLX, Cls.POP_PC, Cls.PC_WRITE):
            prologue = False
        elif prologue and insn.sp_delta < 0:
            frame -= insn.sp_delta
        if prologue and insn.sp_dynamic:
            f.unknown.append("dynamic frame")
        if insn.target is not None and (
            insn.cls == Cls.BL or (insn.cls == Cls.B and not f.addr <= insn.target < f.addr + f.size)
        ):
            callee = image.function_at(insn.target)
            if callee == "?":
                f.unknown.append(f"call to 0x{insn.target:08x}")
            elif callee not in f.callees:
                f.callees.append(callee)
        elif (
            insn.cls == Cls.BLX or (insn.cls == Cls.BX and (hw1 >> 3) & 0xF != 14) or insn.cls == Cls.PC_WRITE
        ):
            if "indirect call" not in f.unknown:
                f.unknown.append("indirect call")
    if f.frame is None:
        f.frame, f.frame_from = frame, "prologue"


def call_graph(
    image: ElfImage, stack_usage: dict[str, tuple[int, str]] | None = None
) -> dict[str, FunctionInfo]:
    """Every function with its frame, callees and worst-case stack (None when unknown)."""
    stack_usage = stack_usage or {}
    funcs = {}
    for s in sorted(image.symbols.values(), key=lambda s: s.addr):
        if s.kind != "func" or s.size == 0:
            continue
        f = FunctionInfo(s.name, s.addr, s.size)
        if s.name in stack_usage:
            f.frame, f.frame_from = stack_usage[s.name][0], "gcc"
            if stack_usage[s.name][1] == "dynamic":
                f.unknown.append("dynamic frame")
        funcs[s.name] = f
    for f in funcs.values():
        _scan(image, f)
    state: dict[str, str] = {}

    def worst(name: str) -> int | None:
        f = funcs.get(name)
        if f is None:
            return None
        if state.get(name) == "open":  # back on the path: recursion
            f.unknown.append("recursion")
            return None
        if state.get(name) == "done":
            return f.worst
        state[name] = "open"
        deepest, known = 0, not f.unknown
        for c in f.callees:
            w = worst(c)
            if w is None:
                known = False
            else:
                deepest = max(deepest, w)
        state[name] = "done"
        f.worst = f.frame + deepest if known and f.frame is not None else None
        return f.worst

    for name in funcs:
        worst(name)
    return funcs


def function_rows(image: ElfImage, stack_usage=None) -> list[dict]:
    """Every function and object with its size; functions with frame, worst case, callees."""
    graph = call_graph(image, stack_usage)
    rows = []
    for s in sorted(image.symbols.values(), key=lambda s: (-s.size, s.name)):
        if s.kind not in ("func", "object") or s.size == 0:
            continue
        row = {
            "name": s.name,
            "kind": "function" if s.kind == "func" else "object",
            "bytes": s.size,
            "section": s.section,
        }
        f = graph.get(s.name)
        if f is not None:
            row.update(
                frame_bytes=f.frame,
                frame_from=f.frame_from,
                worst_stack_bytes=f.worst,
                callees=f.callees,
                unknown=sorted(set(f.unknown)),
            )
        rows.append(row)
    return rows


def size_diff(a: ElfImage, b: ElfImage) -> list[dict]:
    """Symbols whose size differs from A to B (added, removed, grown, shrunk), largest change first."""
    sa = {s.name: s for s in a.symbols.values() if s.kind in ("func", "object") and s.size}
    sb = {s.name: s for s in b.symbols.values() if s.kind in ("func", "object") and s.size}
    out = []
    for name in sorted(set(sa) | set(sb)):
        before, after = (sa[name].size if name in sa else 0), (sb[name].size if name in sb else 0)
        if before != after:
            kind = (sb.get(name) or sa[name]).kind
            out.append(
                {
                    "name": name,
                    "kind": "function" if kind == "func" else "object",
                    "before": before,
                    "after": after,
                    "delta": after - before,
                }
            )
    return sorted(out, key=lambda r: (-abs(r["delta"]), r["name"]))


def stack_diff(before: ElfImage, after: ElfImage) -> list[dict]:
    """Functions whose own frame or worst-case stack (deepest call chain) changed: the
    stack a pull request adds shows here even when no byte of flash moved."""
    rows = {}
    for side, image in (("before", before), ("after", after)):
        for r in function_rows(image, read_stack_usage(image.path)):
            if r["kind"] != "object":
                rows.setdefault(r["name"], {})[side] = (r["frame_bytes"], r["worst_stack_bytes"])
    out = []
    for name, sides in sorted(rows.items()):
        (f0, w0), (f1, w1) = sides.get("before", (None, None)), sides.get("after", (None, None))
        if (f0, w0) != (f1, w1):
            out.append(
                {"name": name, "frame_before": f0, "frame_after": f1, "worst_before": w0, "worst_after": w1}
            )
    return sorted(out, key=lambda r: -abs((r["worst_after"] or 0) - (r["worst_before"] or 0)))

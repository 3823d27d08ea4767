"""What was built: an ARM ELF read with pyelftools.

Loadable segments (what goes into flash and RAM), sections with their flags (for
sizes), symbols (to call functions and find buffers by name), mapping symbols ($t/$d,
to tell code from literal pools) and a symbolizer for fault messages.
"""

from __future__ import annotations

import bisect
import io
from dataclasses import dataclass
from pathlib import Path

from capstone import CS_ARCH_ARM, CS_MODE_MCLASS, CS_MODE_THUMB, Cs
from elftools.common.exceptions import ELFError
from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

from mcubench.base.errors import ElfError
from mcubench.base.files import read_input

MAX_ELF_BYTES = 64 << 20


@dataclass(frozen=True)
class Segment:
    vaddr: int
    paddr: int
    data: bytes
    memsz: int
    flags: int


@dataclass(frozen=True)
class Section:
    name: str
    addr: int
    size: int
    alloc: bool
    write: bool
    execinstr: bool
    nobits: bool


@dataclass(frozen=True)
class Symbol:
    name: str
    addr: int  # Thumb bit cleared
    size: int
    kind: str  # "func", "object", or "label" (a code label without a type)
    section: str


class ElfImage:
    """A 32-bit little-endian ARM executable, fully read into memory."""

    def __init__(self, path: Path, segments, sections, symbols, mapping, entry: int = 0):
        self.path, self.entry = path, entry
        self.segments: list[Segment] = segments
        self.sections: list[Section] = sections
        self.symbols: dict[str, Symbol] = symbols
        self._mapping = mapping  # section name -> sorted [(addr, "t"|"d"|"a")]
        # One function per address: where aliases share one (libgcc's __aeabi_uidiv, size 0,
        # and __udivsi3 with the size), the sized one, so addresses inside it are named.
        by_addr: dict[int, Symbol] = {}
        for f in sorted(
            (s for s in symbols.values() if s.kind in ("func", "label")),
            key=lambda s: (s.addr, s.kind == "func", s.size, s.name),
        ):
            by_addr[f.addr] = f
        funcs = list(by_addr.values())
        self._func_addrs = [f.addr for f in funcs]
        self._funcs = funcs

    @classmethod
    def load(cls, path) -> ElfImage:
        path = Path(path)
        raw = read_input(path, MAX_ELF_BYTES, ElfError, "firmware for a microcontroller")
        if raw[:4] != b"\x7fELF":
            raise ElfError(f"{path}: not an ELF file")
        if raw[4:5] != b"\x01" or raw[5:6] != b"\x01":
            raise ElfError(f"{path}: not a 32-bit little-endian ELF (a Cortex-M0+ needs ELFCLASS32, LSB)")
        try:
            return cls._parse(path, raw)
        except ElfError:
            raise
        except (ELFError, ValueError, KeyError, IndexError, AssertionError) as exc:
            raise ElfError(f"{path}: broken ELF ({exc})") from None
        except Exception as exc:  # pyelftools on a corrupted table: still the file's fault
            raise ElfError(f"{path}: broken ELF ({type(exc).__name__}: {exc})") from None

    @classmethod
    def _parse(cls, path: Path, raw: bytes) -> ElfImage:
        elf = ELFFile(io.BytesIO(raw))
        if elf["e_machine"] != "EM_ARM":
            raise ElfError(f"{path}: ELF for {elf['e_machine']}, not ARM (EM_ARM)")
        if elf["e_type"] != "ET_EXEC":
            raise ElfError(f"{path}: {elf['e_type']} is not a linked executable (ET_EXEC)")
        segments = []
        for seg in elf.iter_segments():
            if seg["p_type"] != "PT_LOAD" or seg["p_memsz"] == 0:
                continue
            data = seg.data()
            if seg["p_memsz"] < seg["p_filesz"]:
                raise ElfError(
                    f"{path}: segment at 0x{seg['p_vaddr']:08x} is larger in the file than in memory"
                )
            if len(data) != seg["p_filesz"]:
                raise ElfError(f"{path}: segment at 0x{seg['p_vaddr']:08x} is truncated")
            segments.append(Segment(seg["p_vaddr"], seg["p_paddr"], data, seg["p_memsz"], seg["p_flags"]))
        if not segments:
            raise ElfError(f"{path}: no loadable segments")
        sections = []
        for sec in elf.iter_sections():
            flags = sec["sh_flags"]
            if not sec.name:
                continue
            sections.append(
                Section(
                    sec.name,
                    sec["sh_addr"],
                    sec["sh_size"],
                    bool(flags & SH_FLAGS.SHF_ALLOC),
                    bool(flags & SH_FLAGS.SHF_WRITE),
                    bool(flags & SH_FLAGS.SHF_EXECINSTR),
                    sec["sh_type"] == "SHT_NOBITS",
                )
            )
        symbols, mapping = cls._symbols(elf)
        return cls(path, segments, sections, symbols, mapping, elf["e_entry"])

    @staticmethod
    def _symbols(elf):
        symbols: dict[str, Symbol] = {}
        mapping: dict[str, list] = {}
        symtab = elf.get_section_by_name(".symtab")
        if symtab is None:
            return symbols, mapping
        for sym in symtab.iter_symbols():
            shndx = sym["st_shndx"]
            if not isinstance(shndx, int):
                continue
            secname = elf.get_section(shndx).name
            name = sym.name
            if name[:2] in ("$t", "$d", "$a") and (len(name) == 2 or name[2] == "."):
                mapping.setdefault(secname, []).append((sym["st_value"], name[1]))
                continue
            kind = {"STT_FUNC": "func", "STT_OBJECT": "object"}.get(sym["st_info"]["type"])
            if kind is None and sym["st_info"]["type"] == "STT_NOTYPE" and not name.startswith(".L"):
                if elf.get_section(shndx)["sh_flags"] & SH_FLAGS.SHF_EXECINSTR:
                    kind = "label"  # an assembly entry without .type: names faults, not calls
            if kind is None or not name:
                continue
            addr = sym["st_value"] & ~1 if kind in ("func", "label") else sym["st_value"]
            prev = symbols.get(name)
            if prev is None or (sym["st_info"]["bind"] == "STB_GLOBAL" and kind != "label"):
                symbols[name] = Symbol(name, addr, sym["st_size"], kind, secname)
        for entries in mapping.values():
            entries.sort()
        return symbols, mapping

    # ----- queries -------------------------------------------------------------
    def symbol(self, name: str, kind: str | None = None) -> Symbol:
        sym = self.symbols.get(name)
        if sym is None or (kind and sym.kind != kind):
            what = {"func": "function", "object": "object"}.get(kind or "", "symbol")
            raise ElfError(f"{self.path}: no {what} named {name!r}")
        return sym

    def where(self, addr: int) -> str:
        """'func+0x1a' for an address, or '?' outside every known function."""
        i = bisect.bisect_right(self._func_addrs, addr) - 1
        if i >= 0:
            f = self._funcs[i]
            if f.size:
                end = f.addr + f.size
            else:  # an assembly function without .size reaches to the next one or its section's end
                sec = next((s for s in self.sections if s.name == f.section), None)
                end = (
                    self._func_addrs[i + 1] if i + 1 < len(self._funcs) else sec.addr + sec.size if sec else 0
                )
                end = max(end, f.addr + 2)
            if addr < end:
                return f"{f.name}+0x{addr - f.addr:x}"
        return "?"

    def function_at(self, addr: int) -> str:
        return self.where(addr).split("+")[0]

    def entry_points(self) -> list[int]:
        """Where execution can start: the ELF entry, the vector table's handlers (odd words
        after the initial SP at the start of the first loadable segment) and every function."""
        out = {self.entry & ~1} if self.entry else set()
        first = min(self.segments, key=lambda s: s.paddr)
        words = [
            int.from_bytes(first.data[i : i + 4], "little") for i in range(4, min(len(first.data), 4 * 64), 4)
        ]
        out.update(w & ~1 for w in words if w & 1)
        out.update(s.addr for s in self.symbols.values() if s.kind in ("func", "label"))
        return sorted(out)

    def code_sections(self) -> list[tuple[int, bytes, list[tuple[int, int, str]]]]:
        """Executable sections as (address, bytes, [(start, end, "t" or "a") of code runs]).

        Code runs come from the ARM mapping symbols ($t Thumb code, $a ARM-state code,
        $d data); a section without them (a stripped ELF) is decoded as Thumb throughout
        and marked "?": what is code there is decided by reachability (code_map.py).
        """
        out = []
        for sec in self.sections:
            if not (sec.execinstr and sec.alloc) or sec.size == 0:
                continue
            data = self.read_initial(sec.addr, sec.size)
            end_of_sec = sec.addr + sec.size
            marks = [(a, k) for a, k in self._mapping.get(sec.name, []) if sec.addr <= a < end_of_sec]
            if not marks:
                out.append((sec.addr, data, [(sec.addr, end_of_sec, "?")]))
                continue
            if marks[0][0] > sec.addr:
                marks.insert(0, (sec.addr, "t"))
            ends = [a for a, _ in marks[1:]] + [end_of_sec]
            runs = [(s, e, kind) for (s, kind), e in zip(marks, ends, strict=True) if kind in "ta" and e > s]
            out.append((sec.addr, data, runs))
        return out

    def disassemble(self, addr: int) -> str:
        """The instruction at addr as text ('mla r0, r0, r1, r2'), for messages."""
        try:
            code = self.read_initial(addr, 4)
        except ElfError:
            return "?"
        insn = next(Cs(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS).disasm(code, addr, 1), None)
        return f"{insn.mnemonic} {insn.op_str}".strip() if insn else "undecodable"

    def read_initial(self, addr: int, size: int) -> bytes:
        """Initial contents at a run-time address (VMA), from the loadable segments."""
        for seg in self.segments:
            if seg.vaddr <= addr and addr + size <= seg.vaddr + seg.memsz:
                off = addr - seg.vaddr
                chunk = seg.data[off : off + size]
                return chunk + bytes(size - len(chunk))
        raise ElfError(f"{self.path}: 0x{addr:08x}+{size} is not in a loadable segment")

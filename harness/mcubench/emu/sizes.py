"""Flash and RAM figures of an ELF, from section flags and symbol sizes.

flash = everything stored in flash: the vector table, code (.text), constants (.rodata) and the
initial image of .data. static RAM = .data + .bss. Peak RAM adds the measured stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VECTOR_SECTIONS = (".vectors", ".isr_vector", ".vector_table")


@dataclass
class SizeReport:
    vectors_bytes: int = 0
    text_bytes: int = 0
    rodata_bytes: int = 0
    data_bytes: int = 0
    bss_bytes: int = 0
    largest_flash: list = field(default_factory=list)
    largest_ram: list = field(default_factory=list)

    @property
    def flash_bytes(self) -> int:
        return self.vectors_bytes + self.text_bytes + self.rodata_bytes + self.data_bytes

    @property
    def ram_static_bytes(self) -> int:
        return self.data_bytes + self.bss_bytes


def sizes(image, target, top: int = 5) -> SizeReport:
    rep = SizeReport()
    sram = target.sram
    for sec in image.sections:
        if not sec.alloc or sec.size == 0:
            continue
        in_ram = sram.contains(sec.addr)
        if sec.nobits:
            if in_ram:
                rep.bss_bytes += sec.size
        elif sec.write and in_ram:
            rep.data_bytes += sec.size
        elif sec.name in VECTOR_SECTIONS:
            rep.vectors_bytes += sec.size
        elif sec.execinstr:
            rep.text_bytes += sec.size
        else:
            rep.rodata_bytes += sec.size
    syms = [s for s in image.symbols.values() if s.size > 0]
    ram = sorted((s for s in syms if sram.contains(s.addr)), key=lambda s: (-s.size, s.name))
    flash = sorted((s for s in syms if not sram.contains(s.addr)), key=lambda s: (-s.size, s.name))
    rep.largest_flash = [{"name": s.name, "bytes": s.size, "kind": s.kind} for s in flash[:top]]
    rep.largest_ram = [{"name": s.name, "bytes": s.size, "kind": s.kind} for s in ram[:top]]
    return rep


@dataclass
class FlashContents:
    """Every byte stored in flash: the sized symbols in it (name, kind, bytes; an
    initialised variable counts for its image), and per section the bytes no symbol
    covers (alignment, jump tables, literal pools outside a function)."""

    symbols: list = field(default_factory=list)
    unattributed: dict = field(default_factory=dict)


def flash_contents(image) -> FlashContents:
    """The symbols of the sections `sizes` counts as flash (every allocated section with
    contents, whatever the chip), each byte once (aliases at one address count once; a
    symbol overlapping the previous one counts from its end)."""
    out = FlashContents()
    for sec in image.sections:
        if not sec.alloc or sec.size == 0 or sec.nobits:
            continue
        end_of_section = sec.addr + sec.size
        inside = sorted(
            (sym for sym in image.symbols.values() if sym.size > 0 and sec.addr <= sym.addr < end_of_section),
            key=lambda sym: (sym.addr, -sym.size, sym.name),
        )
        covered_to = sec.addr
        covered = 0
        for sym in inside:
            end = min(sym.addr + sym.size, end_of_section)
            n = end - max(sym.addr, covered_to)
            if n > 0:
                out.symbols.append((sym.name, sym.kind, n))
                covered += n
                covered_to = end
        out.unattributed[sec.name] = sec.size - covered
    return out

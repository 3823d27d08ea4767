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

"""What `mcubench inspect` reports about an ELF on a chip: flash and RAM against the
chip's capacity, section sizes, the largest symbols, and every instruction outside
ARMv6-M with the function it sits in."""

from __future__ import annotations

from mcubench.chip.targets import Target
from mcubench.emu import memory_map
from mcubench.emu.code_map import ERR_NOT_V6M, build_code_map
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.sizes import sizes


def inspect_elf(image: ElfImage, target: Target) -> dict:
    memory_map.placements(image, target)  # refuses an ELF for another chip
    rep = sizes(image, target)
    _, violations = build_code_map(image, target.mul_cycles)
    bad = [
        {"address": v.addr, "function": image.where(v.addr), "instruction": image.disassemble(v.addr)}
        for v in violations
        if v.err == ERR_NOT_V6M
    ]
    return {
        "target": target.name,
        "flash_bytes": rep.flash_bytes,
        "flash_capacity": target.flash.size,
        "vectors_bytes": rep.vectors_bytes,
        "text_bytes": rep.text_bytes,
        "rodata_bytes": rep.rodata_bytes,
        "data_bytes": rep.data_bytes,
        "ram_static_bytes": rep.ram_static_bytes,
        "ram_capacity": target.sram.size,
        "bss_bytes": rep.bss_bytes,
        "largest_flash": rep.largest_flash,
        "largest_ram": rep.largest_ram,
        "armv6m_ok": not bad,
        "armv6m_violations": bad,
    }

"""Cycles per function from a per-block profile (self time): block start addresses
resolve to the function that contains them, and the figures add up to the measured
cycles exactly."""

from __future__ import annotations

from mcubench.emu.elf_image import ElfImage


def function_profile(image: ElfImage, blocks: dict[int, int]) -> dict[str, int]:
    """Cycles per function (self time, callees not included), largest first."""
    out: dict[str, int] = {}
    for addr, cycles in blocks.items():
        name = image.function_at(addr)
        out[name] = out.get(name, 0) + cycles
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))

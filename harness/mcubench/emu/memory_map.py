"""Place an ELF into a target's memory map, or say why it does not fit.

Only the target's regions exist. Every loadable segment must lie inside one region,
at its run-time address (VMA) and, for initialised data, at its load address (LMA)
in flash too: an ELF linked for another chip is refused here, before anything runs.
"""

from __future__ import annotations

from unicorn import UC_PROT_EXEC, UC_PROT_READ, UC_PROT_WRITE

from mcubench.base.errors import ElfError


def uc_perms(perms: str) -> int:
    return (
        (UC_PROT_READ if "r" in perms else 0)
        | (UC_PROT_WRITE if "w" in perms else 0)
        | (UC_PROT_EXEC if "x" in perms else 0)
    )


def map_regions(uc, target) -> None:
    for region in target.regions:
        uc.mem_map(region.base, region.size, uc_perms(region.perms))


def _check(image, target, addr: int, size: int, what: str) -> None:
    region = target.region_at(addr)
    if region is None or not region.contains(addr, max(size, 1)):
        raise ElfError(
            f"{image.path}: {what} at 0x{addr:08x} ({size} bytes) is outside the "
            f"{target.name} memory map; is it linked for another chip?"
        )


def placements(image, target) -> list[tuple[int, bytes]]:
    """(address, bytes) to write for the ELF's initial state: VMA images (with .bss
    zeroed) and the flash copies of initialised data."""
    writes = []
    for seg in image.segments:
        _check(image, target, seg.vaddr, seg.memsz, "segment")
        writes.append((seg.vaddr, seg.data + bytes(seg.memsz - len(seg.data))))
        if seg.paddr != seg.vaddr and seg.data:
            _check(image, target, seg.paddr, len(seg.data), "segment load image")
            writes.append((seg.paddr, seg.data))
    return writes


def load(uc, image, target) -> None:
    for addr, data in placements(image, target):
        uc.mem_write(addr, data)

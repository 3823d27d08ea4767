"""The NVIC's set/clear-enable and set/clear-pending register pairs and priorities
(ARMv6-M ARM B3.4): state only, since no device interrupt but SysTick is raised."""

from __future__ import annotations

from mcubench.chip.peripherals import Register


class Nvic:
    def __init__(self):
        self.enabled = self.pending = 0
        self.ipr = [0] * 8

    def read(self, reg: Register, now: int) -> int:
        if reg.name in ("ISER", "ICER"):
            return self.enabled
        if reg.name in ("ISPR", "ICPR"):
            return self.pending
        return self.ipr[(reg.offset - 0x300) // 4]

    def write(self, reg: Register, value: int, now: int) -> None:
        if reg.name == "ISER":
            self.enabled |= value
        elif reg.name == "ICER":
            self.enabled &= ~value
        elif reg.name == "ISPR":
            self.pending |= value
        elif reg.name == "ICPR":
            self.pending &= ~value
        else:
            self.ipr[(reg.offset - 0x300) // 4] = value & 0xC0C0_C0C0

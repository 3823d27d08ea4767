"""The RP2040 TIMER (datasheet 4.6): a 64-bit microsecond count, read the way pico-sdk's
`time_us_64()` and `busy_wait_us()` read it (TIMERAWH/TIMERAWL, or TIMELR then TIMEHR,
which latches the high half), derived from mcubench's cycle count at the chip's clock.
Alarms raise interrupts mcubench does not model: arming one is a fault that says so."""

from __future__ import annotations

from mcubench.chip.peripherals import Register
from mcubench.emu.peripheral_fault import PeripheralFault


class RP2040Timer:
    def __init__(self, clock_hz: int):
        self.clock_hz = clock_hz
        self.offset = 0  # microseconds written through TIMEHW/TIMELW
        self.latched_hi = 0
        self.pending_lo: int | None = None
        self.values: dict[str, int] = {}

    def us(self, now: int) -> int:
        """Microseconds since reset: whole 1 MHz ticks of the cycle count, plus what was written."""
        return (now * 1_000_000 // self.clock_hz + self.offset) & 0xFFFF_FFFF_FFFF_FFFF

    def read(self, reg: Register, now: int) -> int:
        t = self.us(now)
        if reg.name in ("TIMERAWL",):
            return t & 0xFFFF_FFFF
        if reg.name == "TIMERAWH":
            return t >> 32
        if reg.name == "TIMELR":  # reading the low half latches the high half (datasheet 4.6.2)
            self.latched_hi = t >> 32
            return t & 0xFFFF_FFFF
        if reg.name == "TIMEHR":
            return self.latched_hi
        return self.values.get(reg.name, reg.reset)

    def write(self, reg: Register, value: int, now: int) -> None:
        if reg.name == "TIMELW":  # the low half is held until the high half is written
            self.pending_lo = value
        elif reg.name == "TIMEHW":
            lo = self.pending_lo if self.pending_lo is not None else self.us(now) & 0xFFFF_FFFF
            self.offset += ((value << 32) | lo) - self.us(now)
            self.pending_lo = None
        elif reg.name.startswith("ALARM") or (reg.name == "INTE" and value):
            raise PeripheralFault(
                f"write of TIMER {reg.name}: timer alarms and their interrupts are not modelled"
            )
        else:
            self.values[reg.name] = value

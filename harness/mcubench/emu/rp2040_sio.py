"""The RP2040 single-cycle I/O block as one core uses it (datasheet 2.3.1)."""

from __future__ import annotations

from mcubench.chip.peripherals import Register
from mcubench.emu.peripheral_fault import PeripheralFault

# RP2040 datasheet 2.3.1.5: the divider takes 8 cycles; a result may be read on the 9th
# cycle after the last operand write (every pico-sdk sequence leaves 8 cycles between the
# write and the read). Access times here are when an instruction's last cycle ends, so a
# read is early when it ends before write + 9.
SIO_DIV_CYCLES = 8


class RP2040Sio:
    """The parts of the RP2040 SIO firmware uses on one core (datasheet 2.3.1): CPUID, the
    hardware divider (signed and unsigned, 8-cycle latency), spinlocks, FIFO status."""

    def __init__(self):
        self.dividend = self.divisor = 0
        self.quotient = self.remainder = 0
        self.ready_at = 0
        self.dirty = False
        self.locks = 0

    def _divide(self, signed: bool, now: int) -> None:
        n, d = self.dividend, self.divisor
        if signed:
            n = n - (1 << 32) if n & 0x8000_0000 else n
            d = d - (1 << 32) if d & 0x8000_0000 else d
        if d == 0:  # the datasheet's divide-by-zero results
            q, r = (-1 if n >= 0 else 1) if signed else 0xFFFF_FFFF, n
        else:
            q = abs(n) // abs(d) * (1 if (n >= 0) == (d >= 0) else -1) if signed else n // d
            r = n - q * d
        self.quotient, self.remainder = q & 0xFFFF_FFFF, r & 0xFFFF_FFFF
        self.ready_at, self.dirty = now + SIO_DIV_CYCLES + 1, True

    def read(self, reg: Register, now: int) -> int:
        name = reg.name
        if name == "CPUID":
            return 0  # core 0
        if name == "FIFO_ST":
            return 0b0010  # RDY (room in the TX FIFO), nothing to read, no errors
        if name == "SPINLOCK_ST":
            return self.locks
        if name.startswith("SPINLOCK"):
            bit = 1 << int(name[8:])
            if self.locks & bit:
                return 0  # held: the claim fails
            self.locks |= bit
            return bit
        if name in ("DIV_QUOTIENT", "DIV_REMAINDER", "DIV_CSR"):
            if name == "DIV_CSR":
                return (1 if now >= self.ready_at else 0) | (2 if self.dirty else 0)
            if now < self.ready_at:
                raise PeripheralFault(
                    f"read of SIO {name} {self.ready_at - now} cycle(s) before the divider's result is "
                    f"ready (on the 9th cycle after the last operand write: 8 cycles between, RP2040 "
                    "datasheet 2.3.1.5)"
                )
            if name == "DIV_QUOTIENT":
                self.dirty = False
                return self.quotient
            return self.remainder
        if name in ("DIV_UDIVIDEND", "DIV_SDIVIDEND"):
            return self.dividend
        if name in ("DIV_UDIVISOR", "DIV_SDIVISOR"):
            return self.divisor
        raise PeripheralFault(f"read of SIO {name} (0x{0xD000_0000 + reg.offset:08x}) is not modelled")

    def write(self, reg: Register, value: int, now: int) -> None:
        name = reg.name
        if name in ("DIV_UDIVIDEND", "DIV_SDIVIDEND"):
            self.dividend = value
            self._divide(name == "DIV_SDIVIDEND", now)
        elif name in ("DIV_UDIVISOR", "DIV_SDIVISOR"):
            self.divisor = value
            self._divide(name == "DIV_SDIVISOR", now)
        elif name == "DIV_QUOTIENT":
            self.quotient, self.ready_at, self.dirty = value, now, True
        elif name == "DIV_REMAINDER":
            self.remainder, self.ready_at, self.dirty = value, now, True
        elif name.startswith("SPINLOCK") and name != "SPINLOCK_ST":
            self.locks &= ~(1 << int(name[8:]))
        elif name == "FIFO_WR":
            raise PeripheralFault("write of SIO FIFO_WR: core 1 is not modelled")
        else:
            raise PeripheralFault(f"write of SIO {name} (0x{0xD000_0000 + reg.offset:08x}) is not modelled")

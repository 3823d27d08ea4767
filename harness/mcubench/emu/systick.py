"""SysTick (ARMv6-M ARM B3.3): a 24-bit down-counter at the core clock, derived from
mcubench's cycle count, so firmware that times itself reads exactly the cycles counted;
and when its next zero falls (machine.py raises the interrupt there)."""

from __future__ import annotations

from collections.abc import Callable

from mcubench.chip.peripherals import Peripheral, Register
from mcubench.emu.peripheral_fault import PeripheralFault

EXC_SYSTICK = 15


class SysTick:
    """SysTick counting down once per core clock while enabled (CLKSOURCE = 1)."""

    def __init__(self, p: Peripheral, plain_read: Callable[[Peripheral, Register], int]):
        self.p, self.plain_read = p, plain_read
        csr = p.register_at(0)
        self.csr = csr.reset if csr is not None else 0x4
        self.rvr, self.t0, self.v0, self.flag_seen = 0, 0, 0, 0
        self.flag = False  # COUNTFLAG carried over a re-basing write

    def enabled(self) -> bool:
        return bool(self.csr & 1)

    def value(self, now: int) -> int:
        if not self.enabled():
            return self.v0
        elapsed = now - self.t0
        if elapsed <= self.v0:
            return self.v0 - elapsed
        period = self.rvr + 1
        return self.rvr - ((elapsed - self.v0 - 1) % period)

    def _first_zero(self) -> tuple[int, int]:
        """(when the counter first reaches 0 after its last re-basing, the period)."""
        period = self.rvr + 1
        return (self.t0 + self.v0 if self.v0 > 0 else self.t0 + period), period

    def zeros(self, after: int, upto: int) -> int:
        """How many times the counter reached 0 in (after, upto]."""
        if not self.enabled() or upto <= after:
            return 0
        first, period = self._first_zero()

        def upto_count(t):
            return 0 if t < first else (t - first) // period + 1

        return upto_count(upto) - upto_count(after)

    def next_zero(self, now: int) -> int | None:
        """The cycle at which the counter next reaches 0 (an interrupt when TICKINT is set)."""
        if not self.enabled() or not self.csr & 2:
            return None
        first, period = self._first_zero()
        if now < first:
            return first
        return first + ((now - first) // period + 1) * period

    def read(self, reg: Register, now: int) -> int:
        if reg.name == "CSR":
            flag = 1 if self.flag or self.zeros(self.flag_seen, now) else 0
            self.flag, self.flag_seen = False, now  # COUNTFLAG clears when read
            return (self.csr & 0x7) | (flag << 16)
        if reg.name == "RVR":
            return self.rvr
        if reg.name == "CVR":
            return self.value(now)
        return self.plain_read(self.p, reg)

    def write(self, reg: Register, value: int, now: int) -> None:
        self.flag = self.flag or bool(self.zeros(self.flag_seen, now))
        self.flag_seen = now
        if reg.name == "CSR":
            if value & 1 and not value & 4:
                raise PeripheralFault(
                    "SysTick CSR: the external reference clock (CLKSOURCE = 0) is not modelled; "
                    "set CLKSOURCE to count the core clock"
                )
            current = self.value(now)
            self.csr = value & 0x7
            self.t0, self.v0 = now, current
        elif reg.name == "RVR":
            self.v0, self.t0 = self.value(now), now
            self.rvr = value & 0x00FF_FFFF
        elif reg.name == "CVR":  # any write clears the counter and COUNTFLAG
            self.t0, self.v0, self.flag = now, 0, False

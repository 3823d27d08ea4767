"""Peripheral registers at run time: reads, writes and their behaviour.

Peripheral address ranges are left unmapped in Unicorn, so code that never touches a
peripheral runs at full speed (no memory hook slows every load and store). An access
traps; machine.py emulates the one load or store here and resumes after it. The value a
register reads may depend on time: `now` is the cycle count at the end of the access,
from the cycle model, so SysTick reads exactly the cycles mcubench counts.

Stubs: a test or fixture can declare any address as a register with a constant, a
sequence or a callback for reads, and every write is logged (`on_read`, `writes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mcubench.chip.peripherals import Peripheral, Register


class PeripheralFault(Exception):
    """An access a real chip would fault on or that mcubench does not model: machine.py
    turns it into a FirmwareFault with the PC and backtrace."""


# RP2040 datasheet 2.3.1.5: the divider takes 8 cycles; a result may be read on the 9th
# cycle after the last operand write (every pico-sdk sequence leaves 8 cycles between the
# write and the read). Access times here are when an instruction's last cycle ends, so a
# read is early when it ends before write + 9.
SIO_DIV_CYCLES = 8
EXC_SYSTICK = 15


@dataclass
class Stub:
    """A register declared by a test: reads from `read` (constant, sequence or callable
    taking the access count), writes logged."""

    read: object = 0
    cycles: int = 2
    count: int = 0
    written: list = field(default_factory=list)

    def value(self) -> int:
        r = self.read
        if callable(r):
            v = r(self.count)
        elif isinstance(r, (list, tuple)):
            v = r[min(self.count, len(r) - 1)]
        else:
            v = r
        self.count += 1
        return int(v) & 0xFFFF_FFFF  # pyright: ignore[reportArgumentType]  # the chip file gives ints


class SysTick:
    """SysTick counting down once per core clock while enabled (CLKSOURCE = 1)."""

    def __init__(self, bus: Bus, p: Peripheral):
        self.bus, self.p = bus, p
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
        return self.bus.plain_read(self.p, reg)

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


class Bus:
    """The chip's peripherals and the test's stubs, by address."""

    def __init__(self, peripherals: tuple[Peripheral, ...]):
        self.peripherals = sorted(peripherals, key=lambda p: p.base)
        self.values: dict[tuple[str, str], int] = {}
        self.stubs: dict[int, Stub] = {}
        self.models: dict[str, SysTick | Nvic | RP2040Sio] = {}
        self.systick: SysTick | None = None
        for p in self.peripherals:
            if p.model == "systick":
                self.models[p.name] = self.systick = SysTick(self, p)
            elif p.model == "nvic":
                self.models[p.name] = Nvic()
            elif p.model == "rp2040_sio":
                self.models[p.name] = RP2040Sio()
            for r in p.registers:
                self.values[(p.name, r.name)] = r.reset

    def find(self, addr: int) -> Peripheral | None:
        for p in self.peripherals:
            if p.base <= addr < p.end:
                return p
        return None

    def claims(self, addr: int) -> bool:
        return (addr & ~3) in self.stubs or self.find(addr) is not None

    def vtor(self) -> int:
        return self.values.get(("SCB", "VTOR"), 0)

    def cycles_of(self, addr: int) -> int:
        """What one load or store to addr costs on its bus."""
        stub = self.stubs.get(addr & ~3)
        if stub is not None:
            return stub.cycles
        p = self.find(addr)
        return p.access_cycles if p else 2

    # ----- plain registers ---------------------------------------------------------
    def plain_read(self, p: Peripheral, reg: Register) -> int:
        if reg.access == "wo":
            return 0  # write-only registers read as zero
        value = self.values[(p.name, reg.name)]
        for en, rdy in reg.ready:
            value = (value & ~(1 << rdy)) | (((value >> en) & 1) << rdy)
        for src, dst, width in reg.mirror:
            mask = (1 << width) - 1
            value = (value & ~(mask << dst)) | (((value >> src) & mask) << dst)
        return value

    def plain_write(self, p: Peripheral, reg: Register, value: int) -> None:
        if reg.access == "ro":
            return
        old = self.values[(p.name, reg.name)]
        self.values[(p.name, reg.name)] = (old & ~reg.writable) | (value & reg.writable)

    # ----- accesses ------------------------------------------------------------------
    def _where(self, p: Peripheral, addr: int, reg: Register | None) -> str:
        what = reg.name if reg else f"+0x{addr - p.base:x}"
        return f"{p.name} {what} (0x{addr:08x})"

    def _register(self, kind: str, addr: int) -> tuple[Peripheral, Register]:
        p = self.find(addr)
        if p is None:
            raise PeripheralFault(f"{kind} at 0x{addr:08x}: no peripheral there")
        reg = p.register_at(addr - p.base)
        if not p.modelled or reg is None:
            why = " (this peripheral is not modelled)" if not p.modelled else " (no such register)"
            raise PeripheralFault(f"{kind} of {self._where(p, addr, reg)}{why}")
        return p, reg

    def read(self, addr: int, size: int, now: int) -> int:
        stub = self.stubs.get(addr & ~3)
        if stub is not None:
            word = stub.value()
        else:
            p, reg = self._register("read", addr)
            model = self.models.get(p.name)
            word = model.read(reg, now) if model is not None else self.plain_read(p, reg)
        shift = 8 * (addr & 3)
        return (word >> shift) & ((1 << (8 * size)) - 1)

    def write(self, addr: int, size: int, value: int, now: int) -> None:
        stub = self.stubs.get(addr & ~3)
        if stub is not None:
            stub.written.append((now, value))
            return
        p, reg = self._register("write", addr)
        shift = 8 * (addr & 3)
        if size < 4:  # a byte or halfword store merges into the register
            mask = ((1 << (8 * size)) - 1) << shift
            value = (self.plain_read(p, reg) & ~mask) | ((value << shift) & mask)
        if p.model == "scb" and reg.name == "AIRCR":
            if value >> 16 != 0x05FA:
                return  # writes without the VECTKEY are ignored (DDI 0419 B3.2.6)
            if value & 0x4:
                raise PeripheralFault("SCB AIRCR: SYSRESETREQ (the firmware asked for a system reset)")
            return
        model = self.models.get(p.name)
        if model is not None:
            model.write(reg, value, now)
        else:
            self.plain_write(p, reg, value)

    # ----- stubs -----------------------------------------------------------------------
    def on_read(self, addr: int, read, cycles: int | None = None) -> Stub:
        """Declare a register at addr: reads give `read` (a constant, a sequence whose last
        value repeats, or a function of the read count); an access costs `cycles`, by
        default what its peripheral's bus costs (2 outside any declared peripheral)."""
        p = self.find(addr)
        stub = self.stubs.setdefault(addr & ~3, Stub())
        stub.read = read
        stub.cycles = cycles if cycles is not None else p.access_cycles if p else 2
        return stub

    def writes(self, addr: int) -> list:
        """The values written to a declared register, in order."""
        stub = self.stubs.get(addr & ~3)
        if stub is None:
            stub = self.on_read(addr, 0)
        return [v for _, v in stub.written]

"""Peripheral registers at run time: the bus, which finds the register an access hits
and reads or writes it (a modelled peripheral's behaviour is in its own module).

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
from mcubench.emu.nvic import Nvic
from mcubench.emu.peripheral_fault import PeripheralFault
from mcubench.emu.rp2040_sio import RP2040Sio
from mcubench.emu.rp2040_timer import RP2040Timer
from mcubench.emu.systick import SysTick


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


class Bus:
    """The chip's peripherals and the test's stubs, by address."""

    def __init__(self, peripherals: tuple[Peripheral, ...], clock_hz: int):
        self.peripherals = sorted(peripherals, key=lambda p: p.base)
        self.values: dict[tuple[str, str], int] = {}
        self.stubs: dict[int, Stub] = {}
        self.models: dict[str, SysTick | Nvic | RP2040Sio | RP2040Timer] = {}
        self.systick: SysTick | None = None
        self.pendsv = False  # SCB ICSR.PENDSVSET written, PendSV not taken yet
        for p in self.peripherals:
            if p.model == "systick":
                self.models[p.name] = self.systick = SysTick(p, self.plain_read)
            elif p.model == "nvic":
                self.models[p.name] = Nvic()
            elif p.model == "rp2040_sio":
                self.models[p.name] = RP2040Sio()
            elif p.model == "rp2040_timer":
                self.models[p.name] = RP2040Timer(clock_hz)
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
            if p.model == "scb" and reg.name == "ICSR":
                word = (word & ~(1 << 28)) | (self.pendsv << 28)
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
        if p.model == "scb" and reg.name == "ICSR":  # PENDSVSET (28), PENDSVCLR (27)
            if value & (1 << 27):
                self.pendsv = False
            if value & (1 << 28):
                self.pendsv = True
            if value & ~((1 << 28) | (1 << 27)):
                raise PeripheralFault(
                    f"SCB ICSR: 0x{value:08x} sets bits other than PENDSVSET/PENDSVCLR (NMI, SysTick "
                    "pending) that are not modelled"
                )
            return
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

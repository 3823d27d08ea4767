"""The emulated chip: Unicorn as a Cortex-M0+ with one target's memory map.

Unicorn runs in plain UC_MODE_THUMB with the Cortex-M0 CPU model (UC_MODE_MCLASS
would turn it into a Cortex-M33 running Thumb-2). Only the target's regions are
mapped; everything else faults. The ELF's code is decoded up front and refused if it
holds anything outside ARMv6-M. Functions are called by name (AAPCS, up to four
integer arguments); each call returns cycles, instructions, peak stack and r0.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
from unicorn import (
    UC_ARCH_ARM,
    UC_ERR_READ_UNMAPPED,
    UC_ERR_WRITE_UNMAPPED,
    UC_HOOK_CODE,
    UC_HOOK_MEM_INVALID,
    UC_MODE_THUMB,
    arm_const,
)
from unicorn.arm_const import (
    UC_ARM_REG_LR,
    UC_ARM_REG_PC,
    UC_ARM_REG_R0,
    UC_ARM_REG_SP,
    UC_CPU_ARM_CORTEX_M0,
)
from unicorn.unicorn_py3.unicorn import Uc, UcError

from mcubench.base.errors import ElfError, FirmwareFault, McubenchError
from mcubench.chip.targets import Target
from mcubench.emu import deadline, faults, memory_map, mmio
from mcubench.emu.bus import Bus
from mcubench.emu.code_map import ERR_NOT_V6M, build_code_map, sp_write_points
from mcubench.emu.counter import HOOK_READ, HOOK_READ_WRITE, CounterConfig, make_counter
from mcubench.emu.cycle_table import STANDARD_ACCESS_CYCLES
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.interrupts import InterruptScheduler
from mcubench.emu.peripheral_fault import PeripheralFault
from mcubench.emu.stack_paint import StackPaint

# Return address handed to every call: unmapped on every target, below the 0xF0000000
# range an M-profile core treats as EXC_RETURN. Emulation stops when PC reaches it.
RETURN_ADDR = 0xE0F0_0000
DEFAULT_CYCLE_LIMIT = 500_000_000
# With the Python counter (--counter python, --profile) a block costs microseconds, not
# nanoseconds: a runaway loop should stop in about a minute, not twenty.
DEFAULT_CYCLE_LIMIT_PYTHON = 25_000_000
# Unicorn reserves 1 GiB of address space for translated code by default, which a CI
# container's memory limit refuses (the process then exits 1 from inside C). Firmware
# for these chips translates to a few MiB at most.
TCG_BUFFER_BYTES = 32 << 20
NOP = b"\x00\xbf"


def cortex_m0_engine() -> Uc:
    """Unicorn as a Cortex-M0 in plain Thumb mode, with a bounded translation buffer."""
    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB, cpu=UC_CPU_ARM_CORTEX_M0)
    uc.ctl_set_tcg_buffer_size(TCG_BUFFER_BYTES)
    return uc


WFI = (0xBF30).to_bytes(2, "little")


def _exactly(values, dtype, symbol: str) -> np.ndarray:
    """values as dtype (None: their own), refusing any that would wrap or lose a fraction."""
    if dtype is None:
        return np.asarray(values)
    dt = np.dtype(dtype)
    raw = np.asarray(values)
    if dt.kind not in "iu" or raw.dtype.kind not in "iuf" or raw.size == 0:
        return np.asarray(values, dtype=dt)
    info = np.iinfo(dt)
    lo, hi = raw.min(), raw.max()
    if lo < info.min or hi > info.max:
        bad = lo if lo < info.min else hi
        raise McubenchError(f"{symbol}: {bad} does not fit {dt.name} ({info.min}..{info.max})")
    if raw.dtype.kind == "f" and not np.all(np.isfinite(raw) & (raw == np.round(raw))):
        raise McubenchError(f"{symbol}: {dt.name} takes whole numbers, not {raw.dtype} fractions")
    return raw.astype(dt)


def _shift(mask: int) -> int:
    """Where a register field starts: the position of its mask's lowest bit."""
    return (mask & -mask).bit_length() - 1


def _int32(value: int) -> int:
    return value - (1 << 32) if value & 0x8000_0000 else value


@dataclass(frozen=True)
class CallResult:
    cycles: int
    instructions: int
    stack_peak_bytes: int
    return_value: int  # r0 as a C int32_t (what `int` functions return); return_u32 for unsigned
    cache_misses: int = 0
    idle_cycles: int = 0  # of `cycles`, the time asleep in WFI waiting for an interrupt

    @property
    def return_u32(self) -> int:
        return self.return_value & 0xFFFF_FFFF

    def as_dict(self) -> dict:
        return {
            "cycles": self.cycles,
            "instructions": self.instructions,
            "stack_peak_bytes": self.stack_peak_bytes,
            "return_value": self.return_value,
        }


CALL_REGISTERS = tuple(getattr(arm_const, f"UC_ARM_REG_R{i}") for i in range(13))  # r0-r12


class Machine:
    def __init__(
        self,
        image: ElfImage,
        target: Target,
        *,
        counter: str = "auto",
        cycle_limit: int | None = None,
    ):
        self.image, self.target = image, target
        self.uc = cortex_m0_engine()
        memory_map.map_regions(self.uc, target)
        memory_map.load(self.uc, image, target)
        self.code_ranges, violations = build_code_map(image, target.mul_cycles)
        bad = [v for v in violations if v.err == ERR_NOT_V6M]
        if bad:
            first = bad[0]
            funcs = sorted({image.function_at(v.addr) for v in bad})
            raise ElfError(
                f"{image.path}: not ARMv6-M (Cortex-M0+ would fault): '{image.disassemble(first.addr)}' at "
                f"0x{first.addr:08x} in {image.where(first.addr)}; {len(bad)} such "
                f"instruction(s) in {', '.join(funcs[:6])}{' ...' if len(funcs) > 6 else ''}"
            )
        for r in self.code_ranges:  # YIELD/WFE/WFI/SEV would stop Unicorn: run them as NOP
            for addr in r.nop_patches:
                self.uc.mem_write(addr, NOP)
        self.stack_top = self._initial_sp()
        self.stack_limit = self._static_ram_end()
        if self.stack_limit >= self.stack_top:
            raise ElfError(
                f"{image.path}: no room for a stack: static RAM ends at "
                f"0x{self.stack_limit:08x}, stack top 0x{self.stack_top:08x}"
            )
        self._paint = StackPaint(self.uc, self.stack_limit, self.stack_top)
        self.bad_access: tuple[int, int] | None = None
        self.uc.hook_add(UC_HOOK_MEM_INVALID, self._on_invalid)
        self.bus = Bus(
            target.peripherals, target.clock_hz
        )  # unmapped: an access traps and is emulated (mmio.py)
        if ("SCB", "VTOR") in self.bus.values:  # as the boot code leaves it (boot2 on the RP2040)
            self.bus.values[("SCB", "VTOR")] = self.vector_table()
        self._latency = target.wait_states()
        if target.flash_latency is not None:  # the register shows the wait states the chip runs with
            periph, reg, mask = target.flash_latency
            old = self.bus.values[(periph, reg)]
            self.bus.values[(periph, reg)] = (old & ~mask) | ((self._latency << _shift(mask)) & mask)
        self.interrupts = InterruptScheduler(self, DEFAULT_CYCLE_LIMIT)
        for r in self.code_ranges:  # CPSIE I may release an interrupt PRIMASK held back
            for addr in r.cpsie:
                self.uc.hook_add(UC_HOOK_CODE, self.interrupts.on_cpsie, None, begin=addr, end=addr)
            for addr in r.svc:
                self.uc.hook_add(UC_HOOK_CODE, self.interrupts.on_svc, None, begin=addr, end=addr)
            for addr in r.nop_patches:
                if self.image.read_initial(addr, 2) == WFI:
                    self.uc.hook_add(UC_HOOK_CODE, self.interrupts.on_wfi, None, begin=addr, end=addr)
        self.time = 0  # cycles of the earlier calls: the clock peripherals such as SysTick count
        self.cycle_limit = cycle_limit or DEFAULT_CYCLE_LIMIT
        self.counter = make_counter(self.uc, self._counter_config(), counter)
        if cycle_limit is None and self.counter.kind == "python":
            self.cycle_limit = DEFAULT_CYCLE_LIMIT_PYTHON
        for addr, min_off in sp_write_points(self.code_ranges):
            self.uc.hook_add(UC_HOOK_CODE, self._on_sp_written, min_off, begin=addr, end=addr)

    # ----- set-up ---------------------------------------------------------------
    def vector_table(self) -> int:
        """Where the vector table is at entry: the ELF's `.vectors` section when it has one
        in flash (a pico-sdk image puts it at 0x10000100, after the 256-byte boot2, which
        sets VTOR there before it jumps to the reset handler), else the flash base."""
        flash = self.target.flash
        for sec in self.image.sections:
            if sec.name == ".vectors" and flash.contains(sec.addr):
                return sec.addr
        return flash.base

    def _initial_sp(self) -> int:
        """SP from the vector table when the ELF has one, else top of SRAM."""
        flash, sram = self.target.flash, self.target.sram
        try:
            sp, reset = struct.unpack("<II", self.image.read_initial(self.vector_table(), 8))
        except ElfError:
            return sram.end
        if sram.base < sp <= sram.end and sp % 4 == 0 and (reset & 1) and flash.contains(reset & ~1):
            return sp
        return sram.end

    def _static_ram_end(self) -> int:
        """End of .data/.bss (and anything else allocated in SRAM): the stack's floor."""
        sram = self.target.sram
        end = sram.base
        for sec in self.image.sections:
            if sec.alloc and sec.size and sram.contains(sec.addr) and sec.addr < self.stack_top:
                end = max(end, sec.addr + sec.size)
        return end

    def _counter_config(self) -> CounterConfig:
        t = self.target
        cfg = CounterConfig(self.code_ranges, self.stack_limit, self.cycle_limit)
        ws = t.wait_states()
        cfg.ws = (t.flash.base, t.flash.end, ws)  # the firmware may change ws (flash_latency)
        if ws:
            cfg.hook_ranges.append((t.flash.base, t.flash.end, HOOK_READ))
        fi = t.flash_interface
        if fi is not None:
            prefetch = self._fetch_bit(fi.prefetch_bit, fi.prefetch)
            icache = self._fetch_bit(fi.icache_bit, bool(fi.icache_lines))
            cfg.fetch = (fi.line, prefetch, fi.icache_lines // fi.icache_ways, fi.icache_ways, icache)
            self._fetch_state = (prefetch, icache)
        for region in t.regions:
            if region.access_cycles is not None and region.access_cycles != STANDARD_ACCESS_CYCLES:
                cfg.io = (region.base, region.end, region.access_cycles - STANDARD_ACCESS_CYCLES)
                cfg.hook_ranges.append((region.base, region.end, HOOK_READ_WRITE))
            if region.cache is not None:
                c = region.cache
                cfg.cache = (region.base, region.end, c.sets, c.ways, c.line, c.miss_cycles)
                if not ws or region is not t.flash:
                    cfg.hook_ranges.append((region.base, region.end, HOOK_READ))
        return cfg

    def _on_sp_written(self, uc, address, _size, min_off):
        try:
            self.counter.check_sp(uc, address, uc.reg_read(UC_ARM_REG_SP) + min_off)
        except Exception:  # never let an exception escape a Unicorn hook
            uc.emu_stop()

    def _on_invalid(self, uc, access, address, size, value, _user):
        self.bad_access = (access, address)
        return False

    def _peripheral_access(self, error) -> int | None:
        """After a stop: when it was a load or store to a peripheral, carry it out and
        return where to resume (Thumb bit set); None when the stop stands."""
        if error is None or error.errno not in (UC_ERR_READ_UNMAPPED, UC_ERR_WRITE_UNMAPPED):
            return None
        if self.bad_access is None or self.counter.state().stop_reason:
            return None
        address = self.bad_access[1]
        if not self.bus.claims(address):
            return None
        pc = self.uc.reg_read(UC_ARM_REG_PC)
        handler = self.interrupts.due_before_access(pc)
        if handler is not None:
            self.bad_access = None
            return handler
        try:
            nxt = mmio.emulate(self, pc, address)
            self._flash_latency_written()
            self._flash_interface_written()
            if nxt is not None:
                pendsv = self.interrupts.pendsv_after(nxt)
                if pendsv is not None:
                    self.bad_access = None
                    return pendsv
        except PeripheralFault as exc:
            calls = [self.image.where(site) for site in reversed(self.counter.state().call_sites)]
            raise FirmwareFault(str(exc), pc, self.image.where(pc), None, calls) from None
        if nxt is None:
            return None
        self.bad_access = None
        return nxt | 1

    def store_register(self, addr: int, value: int) -> None:
        """A 32-bit store to a peripheral register from outside the firmware, as start-up
        code the measured image leaves out would make it (FLASH_ACR: wait states,
        prefetch, cache); honoured or refused as the firmware's own store would be."""
        try:
            self.bus.write(addr, 4, value, self.time)
            self._flash_latency_written()
            self._flash_interface_written()
        except PeripheralFault as exc:
            raise McubenchError(str(exc)) from None

    @property
    def flash_wait_states(self) -> int:
        """The flash wait states the chip runs with now (the clock's, or the firmware's)."""
        return self._latency

    def _fetch_bit(
        self, where: tuple[str, str, int] | None, default: bool, values: dict | None = None
    ) -> bool:
        """An enable bit of the flash interface: its register's value (the reset value
        before the bus exists), or `default` when the chip has no such bit."""
        if where is None:
            return default
        periph, reg, bit = where
        if values is not None:
            return bool(values[(periph, reg)] >> bit & 1)
        p = next(p for p in self.target.peripherals if p.name == periph)
        r = next(r for r in p.registers if r.name == reg)
        return bool(r.reset >> bit & 1)

    def _flash_interface_written(self) -> None:
        """Prefetch and instruction cache as the firmware set them (FLASH_ACR PRFTEN, ICEN,
        ICRST on STM32; the chip file names the bits)."""
        fi = self.target.flash_interface
        if fi is None:
            return
        values = self.bus.values
        prefetch = self._fetch_bit(fi.prefetch_bit, fi.prefetch, values)
        icache = self._fetch_bit(fi.icache_bit, bool(fi.icache_lines), values) and bool(fi.icache_lines)
        flush = self._fetch_bit(fi.icache_reset_bit, False, values)
        if (prefetch, icache) != self._fetch_state or flush:
            self._fetch_state = (prefetch, icache)
            self.counter.set_fetch(prefetch, icache, flush)

    def _flash_latency_written(self) -> None:
        """Honour the wait states the firmware sets (FLASH_ACR LATENCY and the like); fewer
        than the chip needs at its clock is refused: the flash would return wrong data."""
        t = self.target
        if t.flash_latency is None:
            return
        periph, reg, mask = t.flash_latency
        ws = (self.bus.values[(periph, reg)] & mask) >> _shift(mask)
        if ws == self._latency:
            return
        need = t.wait_states()
        if ws < need:
            raise PeripheralFault(
                f"{periph}.{reg}: {ws} flash wait state(s) at {t.clock_hz / 1e6:g} MHz, but {t.name} needs "
                f"{need} at that clock (chip file's flash_wait_states): the flash would return wrong data"
            )
        self._latency = ws
        self.counter.set_wait_states(ws)

    # ----- memory -----------------------------------------------------------------
    def read(self, addr: int, size: int) -> bytes:
        return bytes(self.uc.mem_read(addr, size))

    def write(self, addr: int, data: bytes) -> None:
        self.uc.mem_write(addr, bytes(data))

    def read_array(self, symbol: str, dtype="<i2", count: int | None = None) -> np.ndarray:
        sym = self.image.symbol(symbol, "object")
        dt = np.dtype(dtype)
        n = sym.size // dt.itemsize if count is None else count
        return np.frombuffer(self.read(sym.addr, n * dt.itemsize), dtype=dt).copy()

    def write_array(self, symbol: str, values, dtype: str | None = "<i2") -> None:
        """Write values into the buffer `symbol` as `dtype`; a value the type cannot hold
        is an error (numpy would wrap 70000 to 4464 as int16)."""
        sym = self.image.symbol(symbol, "object")
        data = _exactly(values, dtype, symbol).tobytes()
        if len(data) > sym.size:
            raise McubenchError(f"{len(data)} bytes do not fit {symbol} ({sym.size} bytes)")
        self.write(sym.addr, data)

    # ----- calls ------------------------------------------------------------------
    def call(self, function, *args: int, cycle_limit: int | None = None) -> CallResult:
        """Call a function (name or address) with up to four integer arguments."""
        if len(args) > 4:
            raise McubenchError("at most four integer arguments (r0-r3)")
        addr = self.image.symbol(function, "func").addr if isinstance(function, str) else function
        uc = self.uc
        self._paint.paint()
        # Every call starts from the same registers, whatever ran before it (an --init
        # call, another benchmark call): r0-r12 zero but for the arguments.
        for reg in CALL_REGISTERS:
            uc.reg_write(reg, 0)
        for reg, value in zip(CALL_REGISTERS, args):
            uc.reg_write(reg, value & 0xFFFFFFFF)
        uc.reg_write(UC_ARM_REG_SP, self.stack_top)
        uc.reg_write(UC_ARM_REG_LR, RETURN_ADDR | 1)
        limit = cycle_limit or self.cycle_limit
        self.counter.reset(self.stack_top, limit)
        self.bad_access = None
        self.interrupts.start_call(limit)
        start, error = addr | 1, None
        while start is not None:
            self.interrupts.arm()
            error = None
            try:
                uc.emu_start(start, RETURN_ADDR, timeout=deadline.remaining_us())
            except UcError as exc:
                error = exc
            start = self._peripheral_access(error)
            if start is None:
                start = self.interrupts.event(error)
        hook_error, self.interrupts.hook_error = self.interrupts.hook_error, None
        if hook_error is not None:
            raise hook_error
        state = self.counter.state()
        self.time += state.cycles
        pc = uc.reg_read(UC_ARM_REG_PC)
        if pc != RETURN_ADDR and not state.stop_reason and error is None and deadline.expired():
            where = self.image.where(pc)
            raise deadline.WallClockTimeout(
                f"wall-clock timeout (--timeout) in {where} after {state.cycles:,} cycles"
            )
        if state.stop_reason or error is not None or pc != RETURN_ADDR:
            raise faults.translate(self, state, error, pc)
        low = min(state.min_sp, self._paint.lowest_touched() & ~3)
        return CallResult(
            state.cycles,
            state.instructions,
            self.stack_top - low,
            _int32(uc.reg_read(UC_ARM_REG_R0)),
            state.cache_misses,
            self.interrupts.state.idle,
        )

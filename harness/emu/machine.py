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
from unicorn import UC_ARCH_ARM, UC_HOOK_CODE, UC_HOOK_MEM_INVALID, UC_MODE_THUMB, Uc, UcError
from unicorn.arm_const import (
    UC_ARM_REG_LR,
    UC_ARM_REG_PC,
    UC_ARM_REG_R0,
    UC_ARM_REG_R1,
    UC_ARM_REG_R2,
    UC_ARM_REG_R3,
    UC_ARM_REG_SP,
    UC_CPU_ARM_CORTEX_M0,
)

from mcubench.base.errors import ElfError, McubenchError
from mcubench.chip.targets import Target
from mcubench.emu import deadline, faults, memory_map
from mcubench.emu.code_map import ERR_NOT_V6M, build_code_map, sp_write_points
from mcubench.emu.counter import HOOK_READ, HOOK_READ_WRITE, CounterConfig, make_counter
from mcubench.emu.cycle_table import STANDARD_ACCESS_CYCLES
from mcubench.emu.elf_image import ElfImage

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
STACK_PAINT = 0xA5
NOP = b"\x00\xbf"


def cortex_m0_engine() -> Uc:
    """Unicorn as a Cortex-M0 in plain Thumb mode, with a bounded translation buffer."""
    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB, cpu=UC_CPU_ARM_CORTEX_M0)
    uc.ctl_set_tcg_buffer_size(TCG_BUFFER_BYTES)
    return uc


def _int32(value: int) -> int:
    return value - (1 << 32) if value & 0x8000_0000 else value


@dataclass(frozen=True)
class CallResult:
    cycles: int
    instructions: int
    stack_peak_bytes: int
    return_value: int  # r0 as a C int32_t (what `int` functions return); return_u32 for unsigned
    cache_misses: int = 0

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
        self.bad_access: tuple[int, int] | None = None
        self.uc.hook_add(UC_HOOK_MEM_INVALID, self._on_invalid)
        self.cycle_limit = cycle_limit or DEFAULT_CYCLE_LIMIT
        self.counter = make_counter(self.uc, self._counter_config(), counter)
        if cycle_limit is None and self.counter.kind == "python":
            self.cycle_limit = DEFAULT_CYCLE_LIMIT_PYTHON
        for addr, min_off in sp_write_points(self.code_ranges):
            self.uc.hook_add(UC_HOOK_CODE, self._on_sp_written, min_off, begin=addr, end=addr)

    # ----- set-up ---------------------------------------------------------------
    def _initial_sp(self) -> int:
        """SP from the vector table when the ELF has one at the flash base, else top of SRAM."""
        flash, sram = self.target.flash, self.target.sram
        try:
            sp, reset = struct.unpack("<II", self.image.read_initial(flash.base, 8))
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
        if ws:
            cfg.ws = (t.flash.base, t.flash.end, ws)
            cfg.hook_ranges.append((t.flash.base, t.flash.end, HOOK_READ))
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

    def write_array(self, symbol: str, values, dtype="<i2") -> None:
        sym = self.image.symbol(symbol, "object")
        data = np.asarray(values, dtype=dtype).tobytes()
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
        paint_len = self.stack_top - self.stack_limit
        uc.mem_write(self.stack_limit, bytes([STACK_PAINT]) * paint_len)
        for reg, value in zip((UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3), args):
            uc.reg_write(reg, value & 0xFFFFFFFF)
        uc.reg_write(UC_ARM_REG_SP, self.stack_top)
        uc.reg_write(UC_ARM_REG_LR, RETURN_ADDR | 1)
        self.counter.reset(self.stack_top, cycle_limit or self.cycle_limit)
        self.bad_access = None
        error = None
        try:
            uc.emu_start(addr | 1, RETURN_ADDR, timeout=deadline.remaining_us())
        except UcError as exc:
            error = exc
        state = self.counter.state()
        pc = uc.reg_read(UC_ARM_REG_PC)
        if pc != RETURN_ADDR and not state.stop_reason and error is None and deadline.expired():
            where = self.image.where(pc)
            raise deadline.WallClockTimeout(
                f"wall-clock timeout (--timeout) in {where} after {state.cycles:,} cycles"
            )
        if state.stop_reason or error is not None or pc != RETURN_ADDR:
            raise faults.translate(self, state, error, pc)
        painted = np.frombuffer(self.read(self.stack_limit, paint_len), dtype=np.uint8)
        touched = np.flatnonzero(painted != STACK_PAINT)
        lowest = self.stack_limit + int(touched[0]) if touched.size else self.stack_top
        low = min(state.min_sp, lowest & ~3)
        return CallResult(
            state.cycles,
            state.instructions,
            self.stack_top - low,
            _int32(uc.reg_read(UC_ARM_REG_R0)),
            state.cache_misses,
        )

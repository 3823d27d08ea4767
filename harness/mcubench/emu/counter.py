"""Cycle counters: the native hook (C, through ctypes) and its pure-Python twin.

Both walk the same per-halfword records (code_map.py) once per basic block and add the
run-time extras of the cycle model:
  - B<cond>: +1 when the next block starts at the branch target (taken);
  - flash wait states: +ws per 32-bit fetch word of a block, +ws per data access;
  - XIP cache: +miss_cycles per missed 8-byte line (fetch and data reads), LRU;
  - single-cycle I/O (RP2040 SIO): access_cycles - 2 per load/store;
  - SP: the lowest SP a block reaches is checked before it runs (peak, overflow);
  - a shadow call stack (BL/BLX push, returns pop) for backtraces.
Both must give identical numbers; tests/emu/test_counter_parity.py runs them side by side.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from unicorn import UC_HOOK_BLOCK, UC_HOOK_MEM_READ, UC_HOOK_MEM_WRITE, UC_MEM_READ
from unicorn.arm_const import UC_ARM_REG_CPSR, UC_ARM_REG_PC, UC_ARM_REG_SP
from unicorn.unicorn_py3 import unicorn as ucmod

from mcubench.base.errors import McubenchError
from mcubench.emu import native
from mcubench.emu.code_map import ERR_OK, FLOW_CALL, FLOW_COND, FLOW_INDIRECT, FLOW_NONE, MAX_RANGES, MULTI

STOP_NONE, STOP_NOT_CODE, STOP_NOT_V6M, STOP_TRAP = 0, 1, 2, 3
STOP_OUTSIDE_CODE, STOP_STACK_OVERFLOW, STOP_CYCLE_LIMIT = 4, 5, 6
SHADOW = 64


@dataclass
class CounterConfig:
    ranges: list  # code_map.CodeRange
    stack_limit: int
    cycle_limit: int
    ws: tuple[int, int, int] = (0, 0, 0)  # base, end, wait states
    io: tuple[int, int, int] = (0, 0, 0)  # base, end, cycles delta per access
    cache: tuple | None = None  # base, end, sets, ways, line, miss_cycles
    # the flash interface: (line bytes, prefetch on, icache sets, icache ways, icache on),
    # the geometry whether or not the cache is on; None: a wait state per fetched 32-bit word
    fetch: tuple[int, bool, int, int, bool] | None = None
    hook_ranges: list = field(default_factory=list)  # (begin, end, types) for data hooks


@dataclass
class CounterState:
    cycles: int
    instructions: int
    cache_misses: int
    min_sp: int
    min_sp_pc: int
    stop_reason: int
    stop_pc: int
    stop_value: int
    call_sites: list  # outermost first


class _Ctx(ctypes.Structure):
    _fields_ = [
        ("reg_read", ctypes.c_void_p),
        ("emu_stop", ctypes.c_void_p),
        ("sp_regid", ctypes.c_int32),
        ("n_ranges", ctypes.c_uint32),
        ("ranges", (ctypes.c_uint32 * 4) * MAX_RANGES),  # base, count, recs pointer (8 bytes)
        ("cycle_limit", ctypes.c_int64),
        ("stack_limit", ctypes.c_uint32),
        ("ws_base", ctypes.c_uint32),
        ("ws_end", ctypes.c_uint32),
        ("ws_cycles", ctypes.c_uint32),
        ("io_base", ctypes.c_uint32),
        ("io_end", ctypes.c_uint32),
        ("io_delta", ctypes.c_int32),
        ("cache_base", ctypes.c_uint32),
        ("cache_end", ctypes.c_uint32),
        ("cache_sets", ctypes.c_uint32),
        ("cache_ways", ctypes.c_uint32),
        ("cache_line_shift", ctypes.c_uint32),
        ("cache_miss_cycles", ctypes.c_uint32),
        ("cache_tags", ctypes.c_void_p),
        ("cache_stamps", ctypes.c_void_p),
        ("cycles", ctypes.c_int64),
        ("insns", ctypes.c_int64),
        ("cache_misses", ctypes.c_int64),
        ("min_sp", ctypes.c_uint32),
        ("min_sp_pc", ctypes.c_uint32),
        ("prev_flow", ctypes.c_uint32),
        ("prev_target", ctypes.c_uint32),
        ("prev_end", ctypes.c_uint32),
        ("prev_last_pc", ctypes.c_uint32),
        ("depth", ctypes.c_uint32),
        ("stamp", ctypes.c_uint32),
        ("stop_reason", ctypes.c_uint32),
        ("stop_pc", ctypes.c_uint32),
        ("stop_value", ctypes.c_uint32),
        ("prev_cond", ctypes.c_uint32),
        ("ret_addr", ctypes.c_uint32 * SHADOW),
        ("call_site", ctypes.c_uint32 * SHADOW),
        ("cpsr_regid", ctypes.c_int32),
        ("pc_regid", ctypes.c_int32),
        ("blocks", ctypes.c_void_p),
        ("sp_known", ctypes.c_uint32),
        ("cache_epoch", ctypes.c_uint64),
        ("fi_on", ctypes.c_uint32),
        ("fi_line_shift", ctypes.c_uint32),
        ("fi_prefetch", ctypes.c_uint32),
        ("fi_cur", ctypes.c_uint32),
        ("fi_ic_sets", ctypes.c_uint32),
        ("fi_ic_ways", ctypes.c_uint32),
        ("fi_ic_tags", ctypes.c_void_p),
        ("fi_ic_stamps", ctypes.c_void_p),
        ("fi_ic_stamp", ctypes.c_uint32),
        ("fi_skip_addr", ctypes.c_uint32),
        ("fi_skip_lo", ctypes.c_uint32),
        ("fi_skip_hi", ctypes.c_uint32),
    ]


def check_layout(lib) -> None:
    """The ctypes mirror against the C struct, field by field (name and offset) and size."""
    lib.mcubench_ctx_field_name.restype = ctypes.c_char_p
    names = [lib.mcubench_ctx_field_name(i).decode() for i in range(lib.mcubench_ctx_fields())]
    c_offsets = [lib.mcubench_ctx_field_offset(i) for i in range(lib.mcubench_ctx_fields())]
    py = [(field[0], getattr(_Ctx, field[0]).offset) for field in _Ctx._fields_]
    if list(zip(names, c_offsets)) != py or ctypes.sizeof(_Ctx) != lib.mcubench_ctx_size():
        wrong = next(
            (
                f"{a} at {x} in C, {b} at {y} here"
                for (a, x), (b, y) in zip(zip(names, c_offsets), py)
                if (a, x) != (b, y)
            ),
            f"size {lib.mcubench_ctx_size()} in C, {ctypes.sizeof(_Ctx)} here",
        )
        raise RuntimeError(f"native hook struct layout mismatch: {wrong}")


def _uclib():
    return ucmod.uclib


def _rest(ranges, pc: int, end: int) -> tuple[int, int]:
    """Static cycles and instruction count of [pc, end): the part of the current block
    that has been charged but not run yet. ranges: [(base, end, records)]."""
    for base, rend, recs in ranges:  # noqa: B007 (the range found is used after the loop)
        if base <= pc < rend:
            break
    else:
        return 0, 0
    cycles = n = 0
    i = (pc - base) >> 1
    while base + 2 * i < end and i < len(recs):
        rec = recs[i]
        cycles += int(rec[0])
        n += 1
        i += max(int(rec[2]) >> 1, 1)
    return cycles, n


def _fetched_lines(cfg: CounterConfig, pc: int, end: int) -> tuple[int, int]:
    """The flash lines of [pc, end), first and last (0, 0: none, or not in flash)."""
    base, wend, ws = cfg.ws
    if cfg.fetch is None or not ws or not base <= pc < wend or pc >= end:
        return 0, 0
    shift = cfg.fetch[0].bit_length() - 1
    return pc >> shift, (end - 1) >> shift


def _fetch_ws(ws: tuple[int, int, int], pc: int, end: int) -> int:
    base, wend, cycles = ws
    if not cycles or not base <= pc < wend or pc >= end:
        return 0
    return cycles * (((end + 3) >> 2) - (pc >> 2))


def _lru_access(tags: list, stamps: list, line: int, stamp: int) -> bool:
    """As lru_access in cycle_hook.c: whether line was in the set (now its most recent)."""
    victim = 0
    for w in range(len(tags)):
        if tags[w] == line + 1:
            stamps[w] = stamp
            return True
        if stamps[w] < stamps[victim]:
            victim = w
    tags[victim], stamps[victim] = line + 1, stamp
    return False


def _reads_hooked(cfg: CounterConfig, addr: int) -> bool:
    """Whether a data-read hook already covers addr (a second would count twice)."""
    return any(b <= addr < e and types & UC_HOOK_MEM_READ for b, e, types in cfg.hook_ranges)


class NativeCounter:
    """Counts with the C hooks; Python is not entered while the firmware runs."""

    kind = "native"

    def __init__(self, uc, lib, config: CounterConfig):
        check_layout(lib)
        if len(config.ranges) > MAX_RANGES:
            raise RuntimeError(f"more than {MAX_RANGES} code ranges")
        self._uc, self._lib, self._cfg = uc, lib, config
        uclib = _uclib()
        ctx = self._ctx = _Ctx()
        ctx.reg_read = ctypes.cast(uclib.uc_reg_read, ctypes.c_void_p).value
        ctx.emu_stop = ctypes.cast(uclib.uc_emu_stop, ctypes.c_void_p).value
        ctx.sp_regid, ctx.cpsr_regid, ctx.pc_regid = UC_ARM_REG_SP, UC_ARM_REG_CPSR, UC_ARM_REG_PC
        self._records = [np.ascontiguousarray(r.records) for r in config.ranges]
        self._ranges = [
            (r.base, r.base + 2 * len(recs), recs) for r, recs in zip(config.ranges, self._records)
        ]
        ctx.n_ranges = len(config.ranges)
        for i, (r, recs) in enumerate(zip(config.ranges, self._records)):
            ptr = recs.ctypes.data
            ctx.ranges[i][:] = [r.base, len(recs), ptr & 0xFFFFFFFF, ptr >> 32]
        ctx.cycle_limit, ctx.stack_limit = config.cycle_limit, config.stack_limit
        ctx.ws_base, ctx.ws_end, ctx.ws_cycles = config.ws
        ctx.io_base, ctx.io_end, ctx.io_delta = config.io
        if config.cache:
            base, end, sets, ways, line, miss = config.cache
            self._tags = np.zeros(sets * ways, dtype=np.uint32)
            self._stamps = np.zeros(sets * ways, dtype=np.uint32)
            ctx.cache_base, ctx.cache_end, ctx.cache_sets, ctx.cache_ways = base, end, sets, ways
            ctx.cache_line_shift, ctx.cache_miss_cycles = line.bit_length() - 1, miss
            ctx.cache_tags, ctx.cache_stamps = self._tags.ctypes.data, self._stamps.ctypes.data
        ctx.cache_epoch = 1  # a block summary's 0 never matches
        if config.fetch is not None:
            line, prefetch, ic_sets, ic_ways, ic_on = config.fetch
            ctx.fi_on, ctx.fi_line_shift, ctx.fi_prefetch = 1, line.bit_length() - 1, int(prefetch)
            self._ic_tags = np.zeros(max(ic_sets, 1) * ic_ways, dtype=np.uint32)
            self._ic_stamps = np.zeros(max(ic_sets, 1) * ic_ways, dtype=np.uint32)
            ctx.fi_ic_sets, ctx.fi_ic_ways = ic_sets if ic_on else 0, ic_ways
            ctx.fi_ic_tags, ctx.fi_ic_stamps = self._ic_tags.ctypes.data, self._ic_stamps.ctypes.data
        self._blocks = np.zeros(lib.mcubench_blocks_bytes(), dtype=np.uint8)
        ctx.blocks = self._blocks.ctypes.data
        self._hooks = []
        block_fn = ctypes.cast(lib.mcubench_block_hook, ctypes.c_void_p)
        mem_fn = ctypes.cast(lib.mcubench_mem_hook, ctypes.c_void_p)
        self._add_hook(uclib, UC_HOOK_BLOCK, block_fn, 1, 0)
        for begin, end, types in config.hook_ranges:
            self._add_hook(uclib, types, mem_fn, begin, end - 1)

    def _add_hook(self, uclib, htype, fn, begin, end):
        handle = ctypes.c_size_t()
        err = uclib.uc_hook_add(
            self._uc._uch,
            ctypes.byref(handle),
            htype,
            fn,
            ctypes.cast(ctypes.pointer(self._ctx), ctypes.c_void_p),
            begin,
            end,
        )
        if err:
            raise RuntimeError(f"uc_hook_add failed ({err})")
        self._hooks.append(handle)

    def reset(self, sp_top: int, cycle_limit: int) -> None:
        c = self._ctx
        c.cycles = c.insns = c.cache_misses = 0
        c.min_sp, c.min_sp_pc = sp_top, 0
        c.prev_flow = FLOW_NONE
        c.depth = c.stop_reason = c.stop_pc = c.stop_value = 0
        c.cycle_limit = cycle_limit
        c.sp_known = 0

    def cycles_after(self, pc: int) -> int:
        """The cycle count once the instructions before `pc` in the current block have run
        (the block was charged whole when it started)."""
        c = self._ctx
        return c.cycles - _rest(self._ranges, pc, c.prev_end)[0]

    def resume(self, pc: int, extra: int = 0) -> None:
        """Emulation stops mid-block and goes on at `pc` (a trapped peripheral access): take
        back what the rest of the block was charged, since its new block will be charged
        again, and add `extra` cycles (the access's bus cost)."""
        c = self._ctx
        cycles, n = _rest(self._ranges, pc, c.prev_end)
        if self._cfg.fetch is None:
            c.cycles += extra - cycles - _fetch_ws(self._cfg.ws, pc, c.prev_end)
        else:  # the lines stay fetched: the block restarting at pc does not fetch them again
            c.cycles += extra - cycles
            c.fi_skip_addr, c.fi_skip_lo, c.fi_skip_hi = pc, *_fetched_lines(self._cfg, pc, c.prev_end)
        c.insns -= n
        c.prev_flow = FLOW_NONE
        c.sp_known = 0

    def add(self, cycles: int) -> None:
        """Charge cycles outside any block (exception entry and return); the next block
        starts afresh (no branch of the previous one is pending)."""
        c = self._ctx
        c.cycles += cycles
        c.prev_flow = FLOW_NONE
        c.sp_known = 0

    def set_limit(self, cycle_limit: int) -> None:
        self._ctx.cycle_limit = cycle_limit

    def sleep(self, cycles: int) -> None:
        """Time passes with the core asleep (WFI until an interrupt)."""
        self._ctx.cycles += cycles

    def clear_stop(self) -> None:
        self._ctx.stop_reason = STOP_NONE
        self._ctx.sp_known = 0

    def check_sp(self, uc, pc: int, low: int) -> None:
        """The SP check of a block entry, for an SP written mid-block (Machine's hook)."""
        c = self._ctx
        c.sp_known = 0
        if low < c.min_sp:
            c.min_sp, c.min_sp_pc = max(low, 0), pc
        if low < c.stack_limit and not c.stop_reason:
            c.stop_reason, c.stop_pc, c.stop_value = STOP_STACK_OVERFLOW, pc, c.stack_limit - low
            uc.emu_stop()

    def set_fetch(self, prefetch: bool, icache: bool, flush: bool = False) -> None:
        """The firmware switched the flash interface's prefetch or instruction cache."""
        c, (line, _, ic_sets, ic_ways, _) = self._ctx, self._cfg.fetch or (4, False, 0, 1, False)
        self._cfg.fetch = (line, prefetch, ic_sets, ic_ways, icache)
        c.fi_prefetch, c.fi_ic_sets = int(prefetch), ic_sets if icache else 0
        if flush:
            self._ic_tags[:] = 0
            self._ic_stamps[:] = 0

    def set_wait_states(self, ws: int) -> None:
        """The firmware changed the flash wait states (FLASH_ACR LATENCY and the like)."""
        base, end, _ = self._cfg.ws
        self._cfg.ws = (base, end, ws)
        self._ctx.ws_cycles = ws
        if ws and not _reads_hooked(self._cfg, base):
            self._cfg.hook_ranges.append((base, end, UC_HOOK_MEM_READ))
            mem_fn = ctypes.cast(self._lib.mcubench_mem_hook, ctypes.c_void_p)
            self._add_hook(_uclib(), UC_HOOK_MEM_READ, mem_fn, base, end - 1)
            self._uc.ctl_flush_tb()  # code translated before the hook would not call it

    def block_profile(self) -> dict[int, int]:
        raise McubenchError("a block profile needs the Python counter (--counter python, as --profile picks)")

    def state(self) -> CounterState:
        c = self._ctx
        return CounterState(
            c.cycles,
            c.insns,
            c.cache_misses,
            c.min_sp,
            c.min_sp_pc,
            c.stop_reason,
            c.stop_pc,
            c.stop_value,
            list(c.call_site[: c.depth]),
        )


class _Stop(Exception):
    pass


class PythonCounter:
    """The same accounting as cycle_hook.c in Python hooks (~1 us per block)."""

    kind = "python"

    def __init__(self, uc, config: CounterConfig):
        self._uc, self._cfg = uc, config
        self._ranges = [(r.base, r.end, r.records.tolist()) for r in config.ranges]
        self._blocks: dict = {}
        if config.cache:
            base, end, sets, ways, line, miss = config.cache
            self._tags = [[0] * ways for _ in range(sets)]
            self._stamps = [[0] * ways for _ in range(sets)]
            self._line_shift = line.bit_length() - 1
        self._stamp = 0
        line, _, ic_sets, ic_ways, ic_on = config.fetch or (4, False, 0, 1, False)
        self._fi_shift = line.bit_length() - 1
        self._ic = [[0] * ic_ways for _ in range(ic_sets)], [[0] * ic_ways for _ in range(ic_sets)]
        self._ic_on, self._ic_stamp, self._fi_cur = ic_on and bool(ic_sets), 0, 0
        self._fi_skip: tuple[int, int, int] | None = None  # (block start, first line, last line)
        self.reset(0, config.cycle_limit)
        uc.hook_add(UC_HOOK_BLOCK, self._on_block)
        for begin, end, types in config.hook_ranges:
            uc.hook_add(types, self._on_mem, begin=begin, end=end - 1)

    def reset(self, sp_top: int, cycle_limit: int) -> None:
        self.cycles = self.insns = self.cache_misses = 0
        self.min_sp, self.min_sp_pc = sp_top, 0
        self.prev = (FLOW_NONE, 0, 0, 0, 0)
        self.shadow: list[tuple[int, int]] = []
        self.stop = (STOP_NONE, 0, 0)
        self.cycle_limit = cycle_limit
        self.profile: dict[int, int] = {}  # block start -> cycles (see block_profile)
        self._mark, self._current = 0, None

    def set_wait_states(self, ws: int) -> None:
        """The firmware changed the flash wait states (FLASH_ACR LATENCY and the like)."""
        base, end, _ = self._cfg.ws
        self._cfg.ws = (base, end, ws)
        if ws and not _reads_hooked(self._cfg, base):
            self._cfg.hook_ranges.append((base, end, UC_HOOK_MEM_READ))
            self._uc.hook_add(UC_HOOK_MEM_READ, self._on_mem, begin=base, end=end - 1)
            self._uc.ctl_flush_tb()  # code translated before the hook would not call it

    def block_profile(self) -> dict[int, int]:
        """Cycles per basic block (by start address) of the last call: each block is charged
        its instructions, its taken branch, and the wait states, SIO cycles and cache
        misses of the accesses it made. The values add up to the call's cycles."""
        self._charge()
        return dict(self.profile)

    def _charge(self) -> None:
        if self._current is not None:
            self.profile[self._current] = self.profile.get(self._current, 0) + self.cycles - self._mark
        self._mark = self.cycles

    def state(self) -> CounterState:
        return CounterState(
            self.cycles,
            self.insns,
            self.cache_misses,
            self.min_sp,
            self.min_sp_pc,
            *self.stop,
            [site for _, site in self.shadow],
        )

    def _block_info(self, addr: int, size: int):
        """Static summary of a block: (cycles, n, min_off, last_flow, target, last_pc) or an error."""
        for base, end, recs in self._ranges:  # noqa: B007 (the range found is used after the loop)
            if base <= addr < end:
                break
        else:
            return (STOP_OUTSIDE_CODE, addr)
        i, stop = (addr - base) >> 1, ((addr - base) >> 1) + (size >> 1)
        if stop > len(recs):
            return (STOP_OUTSIDE_CODE, addr)
        cycles = n = off = min_off = 0
        dynamic = False
        last, last_pc = recs[i], addr
        while i < stop:
            rec = recs[i]  # cycles, flow, size, err, sp_delta, sp_dynamic, extra, target
            if rec[3] != ERR_OK:
                return (rec[3], base + 2 * i)
            cycles += rec[0]
            n += 1
            dynamic = dynamic or bool(rec[5])
            if not dynamic:
                off += rec[4]
                min_off = min(min_off, off)
            last, last_pc = rec, base + 2 * i
            i += rec[2] >> 1
        return (cycles, n, min_off, last[1], last[7], last_pc, last[6] & 0xF)

    def _cache(self, addr: int) -> int:
        assert self._cfg.cache is not None  # only a cached region's reads come here
        base, end, sets, ways, line, miss = self._cfg.cache
        ln = addr >> self._line_shift
        s = ln & (sets - 1)
        self._stamp = (self._stamp + 1) & 0xFFFFFFFF
        if _lru_access(self._tags[s], self._stamps[s], ln, self._stamp):
            return 0
        self.cache_misses += 1
        return miss

    def _fetch(self, addr: int, size: int, ws: int, skip) -> int:
        """As fi_fetch in cycle_hook.c."""
        prefetch, shift, cost = self._cfg.fetch[1], self._fi_shift, 0  # pyright: ignore[reportOptionalSubscript]
        for line in range(addr >> shift, ((addr + size - 1) >> shift) + 1):
            if skip and skip[1] <= line <= skip[2]:
                continue
            hit = line + 1 == self._fi_cur or (prefetch and self._fi_cur and line == self._fi_cur)
            if self._ic_on and self._icache(line):
                hit = True
            if not hit:
                cost += ws
            self._fi_cur = line + 1
        return cost

    def _icache(self, line: int) -> bool:
        tags_all, stamps_all = self._ic
        s = line & (len(tags_all) - 1)
        self._ic_stamp = (self._ic_stamp + 1) & 0xFFFFFFFF
        return _lru_access(tags_all[s], stamps_all[s], line, self._ic_stamp)

    def set_fetch(self, prefetch: bool, icache: bool, flush: bool = False) -> None:
        """As NativeCounter.set_fetch."""
        line, _, ic_sets, ic_ways, _ = self._cfg.fetch or (4, False, 0, 1, False)
        self._cfg.fetch = (line, prefetch, ic_sets, ic_ways, icache)
        self._ic_on = icache and bool(ic_sets)
        if flush:
            self._ic = [[0] * ic_ways for _ in range(ic_sets)], [[0] * ic_ways for _ in range(ic_sets)]

    def _multi(self, pc: int) -> bool:
        for base, end, recs in self._ranges:
            if base <= pc < end:
                return bool(recs[(pc - base) >> 1][6] & MULTI)
        return False

    def cycles_after(self, pc: int) -> int:
        """The cycle count once the instructions before `pc` in the current block have run."""
        return self.cycles - _rest(self._ranges, pc, self.prev[2])[0]

    def resume(self, pc: int, extra: int = 0) -> None:
        """As NativeCounter.resume."""
        cycles, n = _rest(self._ranges, pc, self.prev[2])
        if self._cfg.fetch is None:
            self.cycles += extra - cycles - _fetch_ws(self._cfg.ws, pc, self.prev[2])
        else:  # as NativeCounter.resume
            self.cycles += extra - cycles
            lo, hi = _fetched_lines(self._cfg, pc, self.prev[2])
            self._fi_skip = (pc, lo, hi) if hi else None
        self.insns -= n
        self.prev = (FLOW_NONE, 0, self.prev[2], self.prev[3], 0)

    def add(self, cycles: int) -> None:
        """As NativeCounter.add."""
        self.cycles += cycles
        self.prev = (FLOW_NONE, 0, self.prev[2], self.prev[3], 0)

    def set_limit(self, cycle_limit: int) -> None:
        self.cycle_limit = cycle_limit

    def sleep(self, cycles: int) -> None:
        """As NativeCounter.sleep."""
        self.cycles += cycles

    def clear_stop(self) -> None:
        self.stop = (STOP_NONE, 0, 0)

    def check_sp(self, uc, pc: int, low: int) -> None:
        """The SP check of a block entry, for an SP written mid-block (Machine's hook)."""
        if low < self.min_sp:
            self.min_sp, self.min_sp_pc = max(low, 0), pc
        if low < self._cfg.stack_limit and not self.stop[0]:
            self._halt(uc, STOP_STACK_OVERFLOW, pc, self._cfg.stack_limit - low)

    def _halt(self, uc, reason, pc, value=0):
        self.stop = (reason, pc, value)
        uc.emu_stop()

    def _on_block(self, uc, addr, size, _user):
        try:
            self._block(uc, addr, size)
        except Exception as exc:  # never let an exception escape a Unicorn hook
            self._halt(uc, STOP_OUTSIDE_CODE, addr, 0)
            self.error = exc

    def _block(self, uc, addr, size):
        if self.stop[0]:
            return
        flow, target, prev_end, prev_last, cond = self.prev
        if flow == FLOW_COND and addr == target and (addr != prev_end or cond_passed(uc, cond)):
            self.cycles += 1
        self._charge()  # everything so far (its taken branch too) belongs to the previous block
        self._current = addr
        if flow == FLOW_CALL and len(self.shadow) < SHADOW:
            self.shadow.append((prev_end, prev_last))
        elif flow == FLOW_INDIRECT:
            for i in range(len(self.shadow), 0, -1):
                if self.shadow[i - 1][0] == addr:
                    del self.shadow[i - 1 :]
                    break
        info = self._blocks.get((addr, size))
        if info is None:
            info = self._blocks[(addr, size)] = self._block_info(addr, size)
        if len(info) == 2:
            self._halt(uc, info[0], info[1])
            return
        cycles, n, min_off, last_flow, last_target, last_pc, last_cond = info
        self.cycles += cycles
        self.insns += n
        ws_base, ws_end, ws = self._cfg.ws
        skip, self._fi_skip = self._fi_skip if self._fi_skip and self._fi_skip[0] == addr else None, None
        if ws and ws_base <= addr < ws_end:
            if self._cfg.fetch is None:
                self.cycles += ws * (((addr + size + 3) >> 2) - (addr >> 2))
            else:
                self.cycles += self._fetch(addr, size, ws, skip)
        cache = self._cfg.cache
        if cache and cache[0] <= addr < cache[1]:
            shift = self._line_shift
            for line in range(addr >> shift, ((addr + size - 1) >> shift) + 1):
                self.cycles += self._cache(line << shift)
        low = uc.reg_read(UC_ARM_REG_SP) + min_off
        if low < self.min_sp:
            self.min_sp, self.min_sp_pc = max(low, 0), addr
        self.prev = (last_flow, last_target, addr + size, last_pc, last_cond)
        if low < self._cfg.stack_limit:
            self._halt(uc, STOP_STACK_OVERFLOW, addr, self._cfg.stack_limit - low)
        elif self.cycles > self.cycle_limit:
            self._halt(uc, STOP_CYCLE_LIMIT, addr)

    def _on_mem(self, uc, access, addr, size, value, _user):
        try:
            io_base, io_end, io_delta = self._cfg.io
            if io_base <= addr < io_end and not self._multi(uc.reg_read(UC_ARM_REG_PC)):
                self.cycles += io_delta  # single loads and stores only, not LDM/STM
            ws_base, ws_end, ws = self._cfg.ws
            if ws_base <= addr < ws_end:
                self.cycles += ws
            cache = self._cfg.cache
            if access == UC_MEM_READ and cache and cache[0] <= addr < cache[1]:
                self.cycles += self._cache(addr)
        except Exception as exc:  # never let an exception escape a Unicorn hook
            self.error = exc


def cond_passed(uc, cond: int) -> bool:
    """Whether a B<cond>'s condition held (ARM ARM A7.3, NZCV in xPSR[31:28]): needed only
    when its target is also its fall-through, so the next block cannot tell."""
    psr = uc.reg_read(UC_ARM_REG_CPSR)
    n, z, c, v = (psr >> 31) & 1, (psr >> 30) & 1, (psr >> 29) & 1, (psr >> 28) & 1
    return bool(
        (
            z,
            not z,
            c,
            not c,
            n,
            not n,
            v,
            not v,
            c and not z,
            not c or z,
            n == v,
            n != v,
            not z and n == v,
            z or n != v,
            True,
            True,
        )[cond]
    )


class CycleCounter(Protocol):
    """What Machine asks of a counter; NativeCounter and PythonCounter both give it."""

    kind: str

    def reset(self, sp_top: int, cycle_limit: int) -> None: ...
    def cycles_after(self, pc: int) -> int: ...
    def resume(self, pc: int, extra: int = 0) -> None: ...
    def add(self, cycles: int) -> None: ...
    def set_limit(self, cycle_limit: int) -> None: ...
    def sleep(self, cycles: int) -> None: ...
    def clear_stop(self) -> None: ...
    def check_sp(self, uc, pc: int, low: int) -> None: ...
    def state(self) -> CounterState: ...
    def block_profile(self) -> dict[int, int]: ...
    def set_wait_states(self, ws: int) -> None: ...
    def set_fetch(self, prefetch: bool, icache: bool, flush: bool = False) -> None: ...


def make_counter(uc, config: CounterConfig, kind: str = "auto") -> CycleCounter:
    """A NativeCounter when the C hook builds (kind 'auto' or 'native'), else a PythonCounter."""
    if kind in ("auto", "native"):
        lib = native.load()
        if lib is not None:
            return NativeCounter(uc, lib, config)
        if kind == "native":
            raise RuntimeError("the native cycle hook could not be built (no C compiler?)")
    return PythonCounter(uc, config)


HOOK_READ_WRITE = UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE
HOOK_READ = UC_HOOK_MEM_READ

"""The interrupt scheduler: when SysTick's interrupt is due, taking it at a block
boundary (exception entry 15 cycles, return 10: ARM DDI 0484C), PRIMASK holding it back
until CPSIE I, WFI sleeping until it comes, and a handler slower than its period
reported as a livelock. As QEMU keeps its NVIC in armv7m_nvic.c and rp2040js its
system peripherals in ppb.ts, this is apart from the core (machine.py), which asks it
where to resume after every stop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from unicorn import UC_ERR_FETCH_UNMAPPED
from unicorn.arm_const import UC_ARM_REG_PC

from mcubench.base.errors import FirmwareFault
from mcubench.emu import exceptions, faults
from mcubench.emu.counter import STOP_CYCLE_LIMIT
from mcubench.emu.cycle_table import EXCEPTION_ENTRY_CYCLES, EXCEPTION_EXIT_CYCLES
from mcubench.emu.exceptions import EXC_PENDSV, EXC_SVCALL
from mcubench.emu.systick import EXC_SYSTICK

LIVELOCK_INTERRUPTS = 1000


@dataclass
class InterruptState:
    limit: int  # the call's real cycle limit
    due: int | None = None  # when the armed interrupt is raised (cycles since the machine started)
    serviced: int = -1
    depth: int = 0  # handlers running
    masked_pending: bool = False
    hold: int | None = None
    held_due: int | None = None
    back_to_back: int = 0  # interrupts due again before their handler returned, in a row
    idle: int = 0  # cycles asleep in WFI


class InterruptScheduler:
    """One per Machine (`m`: its core, counter, bus and clock); `state` is one call's."""

    def __init__(self, m: Any, limit: int):
        self.m = m
        self.state = InterruptState(limit)
        self.hook_error: Exception | None = None  # raised in a hook, re-raised after the run

    def start_call(self, limit: int) -> None:
        self.state = InterruptState(limit)

    def due_before_access(self, pc: int) -> int | None:
        """Before a trapped peripheral access at pc: when the interrupt is due first (after
        a WFI, say), take it and return where to resume; else None."""
        irq, m = self.state, self.m
        if irq.due is None or irq.depth or exceptions.masked(m.uc):
            return None
        before = m.counter.cycles_after(pc)
        if m.time + before < irq.due:
            return None
        m.counter.resume(pc)
        return self.take(pc, before)

    def arm(self) -> None:
        """Stop the run where SysTick next raises its interrupt (TICKINT), if it can be taken."""
        irq, tick = self.state, self.m.bus.systick
        irq.due = None
        if irq.hold is not None:  # let the current block run first (see event)
            self.m.counter.set_limit(irq.hold)
            irq.hold = None
            irq.due = irq.held_due
            return
        limit = irq.limit
        if tick is not None and irq.depth == 0 and not irq.masked_pending:
            due = tick.next_zero(max(irq.serviced, self.m.time + self.m.counter.state().cycles - 1))
            if due is not None:
                irq.due = due
                limit = min(limit, max(due - self.m.time - 1, 0))
        self.m.counter.set_limit(limit)

    def event(self, error) -> int | None:
        """After a stop: take a due interrupt, or return from a handler; where to resume."""
        irq, uc = self.state, self.m.uc
        state = self.m.counter.state()
        if error is not None and irq.depth and error.errno == UC_ERR_FETCH_UNMAPPED:
            if exceptions.is_return(uc.reg_read(UC_ARM_REG_PC)):
                resume = exceptions.leave(uc)
                self.m.counter.add(EXCEPTION_EXIT_CYCLES)
                irq.depth -= 1
                now = self.m.time + self.m.counter.state().cycles
                due = self.m.bus.systick.next_zero(irq.serviced) if self.m.bus.systick else None
                irq.back_to_back = irq.back_to_back + 1 if due is not None and due <= now else 0
                if irq.back_to_back > LIVELOCK_INTERRUPTS and self.m.bus.systick is not None:
                    raise FirmwareFault(
                        "interrupt livelock: SysTick fires again before its handler returns "
                        f"({LIVELOCK_INTERRUPTS} times in a row; the period is "
                        f"{self.m.bus.systick.rvr + 1} cycles)",
                        resume,
                        self.m.image.where(resume),
                    )
                pendsv = self.pendsv_after(resume)  # a PendSV the handler set follows it
                return pendsv if pendsv is not None else resume | 1
            return None
        if state.stop_reason != STOP_CYCLE_LIMIT or irq.due is None or state.cycles > irq.limit:
            return None
        pc = state.stop_pc  # the block the counter stopped before
        before = self.m.counter.cycles_after(pc)
        self.m.counter.clear_stop()
        # The block at pc was charged when it started and has not run; it starts (and is
        # charged) again when emulation resumes at pc, so take its charge back first.
        self.m.counter.resume(pc)
        if self.m.time + before < irq.due:  # not yet: run this block, stop before the next
            irq.hold, irq.held_due = state.cycles, irq.due
            return pc | 1
        if exceptions.masked(uc):
            irq.masked_pending, irq.held_due = True, irq.due
            return pc | 1
        return self.take(pc, before)

    def enter(self, number: int, return_pc: int) -> int:
        """Stack the frame and enter exception `number`'s handler (15 cycles); where to go."""
        m, uc = self.m, self.m.uc
        handler, sp = exceptions.enter(uc, number, return_pc, m.bus.vtor() or m.target.flash.base)
        m.counter.check_sp(uc, return_pc, sp)
        if m.counter.state().stop_reason:
            raise faults.translate(m, m.counter.state(), None, return_pc)
        m.counter.add(EXCEPTION_ENTRY_CYCLES)
        self.state.depth += 1
        return handler | 1

    def take(self, pc: int, before: int) -> int:
        """Enter the SysTick handler, to return to pc (nothing of pc's instruction has run)."""
        self.state.serviced = self.m.time + before
        return self.enter(EXC_SYSTICK, pc)

    def on_svc(self, uc, address, _size, _user):
        """SVC: the SVCall exception, its handler entered in place of the instruction (its
        1 cycle is charged with its block, then the 15 of entry; the frame returns past it)."""
        try:
            uc.reg_write(UC_ARM_REG_PC, self.enter(EXC_SVCALL, address + 2))
        except Exception as exc:  # never let an exception escape a Unicorn hook
            self.hook_error = exc
            uc.emu_stop()

    def pendsv_after(self, pc: int) -> int | None:
        """After a store that set ICSR.PENDSVSET: take PendSV at pc (the next instruction)
        unless PRIMASK or a running handler holds it back (it then follows the handler's
        return); where to resume, or None."""
        m = self.m
        if not m.bus.pendsv or self.state.depth or exceptions.masked(m.uc):
            return None
        m.bus.pendsv = False
        return self.enter(EXC_PENDSV, pc)

    def on_wfi(self, uc, address, _size, _user):
        """WFI with an interrupt on its way: sleep until it comes (the time counts as idle).
        With none that could wake the core, WFI costs its 2 cycles and execution goes on."""
        try:
            irq = self.state
            if irq.due is None or irq.depth or exceptions.masked(uc):
                return
            now = self.m.time + self.m.counter.cycles_after(address + 2)
            if irq.due > now:
                self.m.counter.sleep(irq.due - now)
                irq.idle += irq.due - now
        except Exception:  # never let an exception escape a Unicorn hook
            uc.emu_stop()

    def on_cpsie(self, uc, address, _size, _user):
        """CPSIE I with an interrupt held back by PRIMASK: stop at the next block to take it."""
        try:
            irq = self.state
            if irq.masked_pending:
                irq.masked_pending, irq.due = False, irq.held_due
                self.m.counter.set_limit(self.m.counter.state().cycles)
        except Exception:  # never let an exception escape a Unicorn hook
            uc.emu_stop()

"""The RP2040 TIMER from the cycle count (1 us = 125 cycles at 125 MHz), read as pico-sdk
reads it, counted by hand from ARM DDI 0484C table 3.1; the bootrom's named fault."""

from __future__ import annotations

import pytest
from systick_firmware import COUNTERS

from mcubench.base.errors import FirmwareFault
from mcubench.chip.targets import load_target

# Between the end of the first TIMERAWL read and the end of the second: LDR 2 + the loop
# (SUBS 1 + BNE 2 taken, 1 the last time: 3N - 1) + LDR 2 = 3N + 3 = 3,750 cycles, 30 us
# at 125 MHz exactly: the difference is 30 whatever the phase of the first read.
N = 1249
SPAN = f"""
    ldr r1, =0x40054028   @ TIMERAWL
    ldr r2, [r1]
    ldr r3, ={N}
1:  subs r3, #1
    bne 1b
    ldr r0, [r1]
    subs r0, r0, r2
    bx lr
    .ltorg
"""
LATCH = """
    ldr r1, =0x40054000
    ldr r0, [r1, #0x0C]   @ TIMELR latches the high half into TIMEHR
    ldr r0, [r1, #0x08]   @ TIMEHR
    bx lr
    .ltorg
"""
SET_NEAR_WRAP = """
    ldr r1, =0x40054000
    ldr r0, =0xFFFFFFF0
    str r0, [r1, #0x04]   @ TIMELW, held until TIMEHW is written
    movs r0, #0
    str r0, [r1, #0x00]   @ TIMEHW: the count is now 2^32 - 16 us
    bx lr
    .ltorg
"""
RAW_LO = "ldr r1, =0x40054028\nldr r0, [r1]\nbx lr\n.ltorg"
ALARM = "ldr r1, =0x40054010\nstr r0, [r1]\nbx lr\n.ltorg"
ROM_LOOKUP = "movs r1, #0x18\nldrh r0, [r1]\nbx lr"  # pico-sdk's rom_func_lookup reads 0x18


@pytest.mark.parametrize("counter", COUNTERS)
def test_timer_microseconds_follow_the_cycle_count(asm_machine, counter):
    m = asm_machine({"f": SPAN}, target="rp2040", counter=counter)
    assert [m.call("f").return_value for _ in range(3)] == [30, 30, 30]


@pytest.mark.parametrize("counter", COUNTERS)
def test_timer_counts_across_calls_and_at_another_clock(asm_machine, counter):
    m = asm_machine({"lo": RAW_LO, "f": SPAN}, target="rp2040", counter=counter)
    t0 = m.call("lo").return_value
    spent = m.call("f").cycles + m.call("lo").cycles
    t1 = m.call("lo").return_value
    assert t1 - t0 in (spent // 125, spent // 125 + 1)
    slow = load_target("rp2040").with_clock(62_500_000)  # 1 us = 62.5 cycles: 3,750 cycles = 60 us
    m2 = asm_machine({"f": SPAN}, target_obj=slow, counter=counter)
    assert m2.call("f").return_value == 60


def test_the_high_half_latches_and_alarms_are_refused(asm_machine):
    m = asm_machine({"latch": LATCH, "alarm": ALARM, "set": SET_NEAR_WRAP, "f": SPAN}, target="rp2040")
    assert m.call("latch").return_value == 0  # 2^32 us (71 minutes) have not passed
    m.call("set")
    assert m.call("latch").return_value == 0
    m.call("f")  # 30 us: past the wrap of the low half
    assert m.call("latch").return_value == 1
    with pytest.raises(
        FirmwareFault, match="TIMER ALARM0: timer alarms and their interrupts are not modelled"
    ):
        m.call("alarm", 1000)


def test_a_bootrom_function_lookup_is_a_named_fault(asm_machine):
    m = asm_machine({"f": ROM_LOOKUP}, target="rp2040")
    with pytest.raises(FirmwareFault, match=r"BOOTROM TABLE_LOOKUP_FN \(0x00000018\)"):
        m.call("f")

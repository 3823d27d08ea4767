"""Flash wait states the firmware chooses (FLASH_ACR LATENCY on the PY32F003): honoured
when at least what the clock needs, refused with the register's name when fewer (the
flash would return wrong data on the chip). Cycles counted by hand: one wait state per
32-bit word fetched from flash and per data read from flash (the chip file's model)."""

from __future__ import annotations

import pytest
from systick_firmware import COUNTERS

from mcubench.base.errors import FirmwareFault
from mcubench.chip.targets import load_target

SET_LATENCY = """
    ldr r1, =0x40022000   @ FLASH_ACR
    str r0, [r1]
    ldr r0, [r1]          @ what the register now holds
    bx lr
    .ltorg
"""
# 64 NOPs, a literal load from flash, BX: one block of 132 bytes = 33 words from flash
WORK = ".balign 4\n" + "nop\n" * 64 + "ldr r0, =0x12345678\nbx lr\n.ltorg\n"
WORK_CYCLES = 64 + 2 + 2  # NOP 1 each, LDR 2, BX 2 (ARM DDI 0484C table 3.1)
WORK_FETCH_WORDS, WORK_FLASH_READS = 33, 1


@pytest.mark.parametrize("counter", COUNTERS)
def test_a_latency_the_firmware_sets_is_honoured(asm_machine, counter):
    m = asm_machine({"f": WORK, "set_latency": SET_LATENCY}, counter=counter)
    assert m.call("set_latency", 0).return_value == 0  # 24 MHz: the chip runs with 0
    assert m.call("f").cycles == WORK_CYCLES
    assert m.call("set_latency", 1).return_value == 1  # more than needed: allowed, and slower
    assert m.call("f").cycles == WORK_CYCLES + WORK_FETCH_WORDS + WORK_FLASH_READS
    m.call("set_latency", 0)
    assert m.call("f").cycles == WORK_CYCLES


@pytest.mark.parametrize("counter", COUNTERS)
def test_too_few_wait_states_for_the_clock_are_refused(asm_machine, counter):
    fast = load_target("py32f003").with_clock(32_000_000)
    m = asm_machine({"f": WORK, "set_latency": SET_LATENCY}, target_obj=fast, counter=counter)
    assert m.call("set_latency", 1).return_value == 1  # what 32 MHz needs: its reset value here
    assert m.call("f").cycles == WORK_CYCLES + WORK_FETCH_WORDS + WORK_FLASH_READS
    with pytest.raises(
        FirmwareFault, match=r"FLASH\.ACR: 0 flash wait state\(s\) at 32 MHz, but py32f003 needs 1"
    ):
        m.call("set_latency", 0)

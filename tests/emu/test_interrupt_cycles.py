"""What an interrupt costs, counted by hand from the TRM (ARM DDI 0484C table 3.1), not by
SysTick: firmware that times itself with SysTick reads mcubench's own count and cannot
see a block charged twice. A fixed loop runs with and without SysTick interrupts; the
difference must be exactly entry 15 + the handler + return 10 per interrupt."""

from __future__ import annotations

import pytest
from systick_firmware import COUNTERS, HANDLER, TICKS, VECTORS

PASSES = 200
# One 24-cycle pass: 21 NOPs, SUBS, BNE taken (ARM DDI 0484C: 1 each, B<cond> 2 taken).
LOOP = f"""
    push {{r4, lr}}        @ 1 + 2
    ldr r1, =0xE000E010   @ 2
    ldr r2, =999          @ 2
    str r2, [r1, #4]      @ 2   RVR: a zero every 1,000 cycles
    str r2, [r1, #8]      @ 2   CVR: clear
    str r0, [r1]          @ 2   CSR = r0: 5 counts, 7 also interrupts (TICKINT)
    ldr r4, ={PASSES}     @ 2
1:  {"nop; " * 21}
    subs r4, #1           @ 1
    bne 1b                @ 2 taken, 1 the last time
    movs r0, #5           @ 1
    str r0, [r1]          @ 2   TICKINT off
    ldr r0, =ticks        @ 2
    ldr r0, [r0]          @ 2
    pop {{r4, pc}}         @ 3 + 2
    .ltorg
"""
LOOP_CYCLES = (3 + 2 + 2 + 2 + 2 + 2 + 2) + 24 * PASSES - 1 + (1 + 2 + 2 + 2 + 5)
LOOP_INSNS = 7 + 23 * PASSES + 5
# HANDLER: LDR literal 2, LDR 2, ADDS 1, STR 2, BX 2
HANDLER_CYCLES, HANDLER_INSNS = 2 + 2 + 1 + 2 + 2, 5
ENTRY, EXIT = 15, 10  # ARM DDI 0484C 3.3 (zero wait states), written out: not read from the model


@pytest.mark.parametrize("counter", COUNTERS)
def test_an_interrupted_loop_costs_entry_handler_and_return_per_interrupt_and_nothing_more(
    asm_machine, counter
):
    m = asm_machine({"f": LOOP, "SysTick_Handler": HANDLER}, counter=counter, data=TICKS + VECTORS)
    quiet = m.call("f", 5)
    assert (quiet.cycles, quiet.instructions) == (LOOP_CYCLES, LOOP_INSNS) == (4_826, 4_612)
    ticks_before = quiet.return_value
    busy = m.call("f", 7)
    ticks = busy.return_value - ticks_before
    # the counter is enabled 13 cycles in and runs 4,826 + 4 x 34 cycles: zeros at 1,000 .. 4,000
    assert ticks == 4
    assert busy.cycles == LOOP_CYCLES + ticks * (ENTRY + HANDLER_CYCLES + EXIT)
    assert busy.instructions == LOOP_INSNS + ticks * HANDLER_INSNS


@pytest.mark.parametrize("counter", COUNTERS)
@pytest.mark.parametrize("period", [97, 240, 1000, 1013])
def test_interrupts_landing_anywhere_in_a_block_are_charged_once(asm_machine, counter, period):
    """The zero falls at every phase of the 24-cycle block (a period that is no multiple of
    it): each interrupt still adds exactly its 34 cycles and 5 instructions."""
    code = LOOP.replace("ldr r2, =999", f"ldr r2, ={period - 1}")
    m = asm_machine({"f": code, "SysTick_Handler": HANDLER}, counter=counter, data=TICKS + VECTORS)
    quiet = m.call("f", 5)
    busy = m.call("f", 7)
    ticks = busy.return_value - quiet.return_value
    assert ticks >= LOOP_CYCLES // period - 1
    assert busy.cycles - quiet.cycles == ticks * (ENTRY + HANDLER_CYCLES + EXIT)
    assert busy.instructions - quiet.instructions == ticks * HANDLER_INSNS


@pytest.mark.parametrize("counter", COUNTERS)
def test_the_rp2040_charges_an_interrupt_once_too(asm_machine, counter):
    """On the RP2040 (code through the XIP cache) with a warm cache: the same difference."""
    m = asm_machine(
        {"f": LOOP, "SysTick_Handler": HANDLER}, target="rp2040", counter=counter, data=TICKS + VECTORS
    )
    m.call("f", 7)  # warm the cache with the handler too
    quiet, busy = m.call("f", 5), m.call("f", 7)
    ticks = busy.return_value - quiet.return_value
    assert quiet.cycles == LOOP_CYCLES and ticks == 4
    assert busy.cycles - quiet.cycles == ticks * (ENTRY + HANDLER_CYCLES + EXIT)


@pytest.mark.parametrize("counter", COUNTERS)
def test_a_fault_after_many_interrupts_has_a_backtrace_without_stale_frames(asm_machine, counter):
    """An interrupt due inside a block that ends in a call once re-ran the block with its
    call already recorded: a stale frame per interrupt, and a later fault listed the
    same call site up to 63 times."""
    funcs = {
        "f": """
            push {r4, lr}
            ldr r1, =0xE000E010
            movs r2, #96
            str r2, [r1, #4]      @ a zero every 97 cycles
            str r2, [r1, #8]
            movs r2, #7
            str r2, [r1]
            ldr r4, =300
        1:  nop; nop; nop; nop; nop; nop; nop; nop; nop; nop; nop; nop; nop; nop; nop; nop
            bl g                  @ the interrupts land mostly in this block, which ends in a call
            subs r4, #1
            bne 1b
            bl h
            pop {r4, pc}
            .ltorg
        """,
        "g": "nop\nnop\nnop\nbx lr",
        "h": "ldr r0, =0x30000000\nldr r0, [r0]\nbx lr\n.ltorg",
        "SysTick_Handler": HANDLER,
    }
    from mcubench.base.errors import FirmwareFault

    m = asm_machine(funcs, counter=counter, data=TICKS + VECTORS)
    with pytest.raises(FirmwareFault) as info:
        m.call("f")
    assert m.read_array("ticks", "<u4")[0] > 50
    assert len(info.value.backtrace) == 1 and info.value.backtrace[0].startswith("f+")

"""SVC and PendSV as the core takes them (ARMv6-M ARM B1.5): SVCall (exception 11) in
place of the SVC instruction, PendSV (14) after the store that sets ICSR.PENDSVSET, or
after the running handler returns when a handler sets it (what RTOS start-up and context
switches do). Counted by hand from ARM DDI 0484C table 3.1: entry 15, return 10."""

from __future__ import annotations

import pytest
from systick_firmware import COUNTERS

from mcubench.base.errors import FirmwareFault

ENTRY, EXIT = 15, 10
VECTORS = (
    '\n.section .vectors,"a"\n.word 0x20001000\n'
    + ".word 0\n" * 10
    + ".word SVC_Handler + 1\n"
    + ".word 0\n" * 2
    + ".word PendSV_Handler + 1\n"
    + ".word 0\n"
)
HITS = "\n.data\n.global hits\n.type hits, %object\nhits: .word 0\n.size hits, 4\n"
COUNT = "ldr r1, =hits\nldr r2, [r1]\nadds r2, #{n}\nstr r2, [r1]\nbx lr\n.ltorg"  # 2+2+1+2+2 = 9
COUNT_CYCLES = 9
PEND = "ldr r1, =0xE000ED04\nldr r2, =0x10000000\nstr r2, [r1]\n"  # ICSR.PENDSVSET: 2+2+2
READ_HITS = "ldr r0, =hits\nldr r0, [r0]\nbx lr\n.ltorg"


def build(asm_machine, counter, svc_handler, **functions):
    funcs = {
        **functions,
        "SVC_Handler": svc_handler,
        "PendSV_Handler": COUNT.format(n=1),
        "hits_of": READ_HITS,
    }
    return asm_machine(funcs, counter=counter, data=HITS + VECTORS)


@pytest.mark.parametrize("counter", COUNTERS)
def test_svc_enters_its_handler_and_returns_past_itself(asm_machine, counter):
    m = build(asm_machine, counter, COUNT.format(n=10), f="movs r0, #1\nsvc #0\nadds r0, #1\nbx lr")
    r = m.call("f")
    # MOVS 1, SVC 1, entry, the handler, return, ADDS 1, BX 2
    assert r.cycles == 1 + 1 + ENTRY + COUNT_CYCLES + EXIT + 1 + 2 == 39
    assert r.return_value == 2 and r.instructions == 9  # r0 came back from the frame
    assert m.call("hits_of").return_value == 10


@pytest.mark.parametrize("counter", COUNTERS)
def test_pendsv_set_by_thread_code_is_taken_after_the_store(asm_machine, counter):
    m = build(asm_machine, counter, COUNT.format(n=10), f=PEND + "movs r0, #5\nbx lr\n.ltorg")
    r = m.call("f")
    assert r.cycles == 6 + ENTRY + COUNT_CYCLES + EXIT + 1 + 2
    assert (r.return_value, m.call("hits_of").return_value) == (5, 1)


@pytest.mark.parametrize("counter", COUNTERS)
def test_pendsv_set_in_a_handler_follows_its_return(asm_machine, counter):
    m = build(asm_machine, counter, PEND + "bx lr\n.ltorg", f="movs r0, #1\nsvc #0\nadds r0, #1\nbx lr")
    r = m.call("f")
    svc_handler = 6 + 2
    assert r.cycles == 1 + 1 + ENTRY + svc_handler + EXIT + ENTRY + COUNT_CYCLES + EXIT + 1 + 2
    assert (r.return_value, m.call("hits_of").return_value) == (2, 1)


def test_icsr_bits_not_modelled_are_a_fault(asm_machine):
    m = build(
        asm_machine,
        "auto",
        COUNT.format(n=10),
        f="ldr r1, =0xE000ED04\nldr r2, =0x80000000\nstr r2, [r1]\nbx lr\n.ltorg",
    )
    with pytest.raises(FirmwareFault, match="SCB ICSR: 0x80000000 sets bits other than PENDSVSET"):
        m.call("f")


SYSTICK_VECTORS = (
    '\n.section .boot2,"ax"\n.space 256\n'  # what pico-sdk's boot2 occupies
    '\n.section .vectors,"a"\n.word 0x20001000\n.word 0\n' + ".word 0\n" * 13 + ".word SysTick_Handler + 1\n"
)
READ_VTOR = "ldr r0, =0xE000ED08\nldr r0, [r0]\nbx lr\n.ltorg"
TICK = """
    ldr r1, =0xE000E010
    ldr r2, =99
    str r2, [r1, #4]      @ RVR: every 100 cycles
    str r2, [r1, #8]
    movs r0, #7
    str r0, [r1]          @ ENABLE | TICKINT | CLKSOURCE
    ldr r3, =100
1:  subs r3, #1
    bne 1b
    movs r0, #5
    str r0, [r1]
    ldr r0, =hits
    ldr r0, [r0]
    bx lr
    .ltorg
"""


@pytest.mark.parametrize("counter", COUNTERS)
def test_an_rp2040_image_with_boot2_has_its_vectors_at_0x10000100(asm_machine, counter):
    """pico-sdk's boot2 sets VTOR to the table right after itself: VTOR reads 0x10000100
    at entry and SysTick's handler comes from that table, not from the flash base."""
    m = asm_machine(
        {"vtor": READ_VTOR, "f": TICK, "SysTick_Handler": COUNT.format(n=1)},
        target="rp2040",
        counter=counter,
        data=HITS + SYSTICK_VECTORS,
    )
    assert m.vector_table() == 0x1000_0100
    assert m.call("vtor").return_value == 0x1000_0100
    assert m.call("f").return_value >= 2  # interrupts taken through the table at 0x10000100

"""Peripherals as data: SysTick from the cycle model (and its interrupt), SCB/NVIC, the
RP2040 SIO, the PY32F003 clock registers, named faults and test stubs."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from systick_firmware import COUNTERS, HANDLER, TICKS, VECTORS

from mcubench.base.errors import ConfigError, FirmwareFault
from mcubench.chip.targets import load_target
from mcubench.emu.cycle_table import EXCEPTION_ENTRY_CYCLES, EXCEPTION_EXIT_CYCLES

HAL = Path(__file__).resolve().parents[1] / "firmware" / "hal_systick.c"
BX = 2

SYSTICK_SPAN = """
    ldr r1, =0xE000E010
    ldr r0, =0xFFFFFF
    str r0, [r1, #4]      @ RVR
    movs r0, #5
    str r0, [r1, #0]      @ CSR: ENABLE | CLKSOURCE
    ldr r2, [r1, #8]      @ CVR, t0
    movs r3, #3
    muls r3, r3, r3
    ldr r0, =0x20000000
    ldr r0, [r0]
    adds r3, r3, r0
    ldr r0, [r1, #8]      @ CVR, t1
    subs r0, r2, r0
    bx lr
    .ltorg
"""


@pytest.mark.parametrize("counter", COUNTERS)
@pytest.mark.parametrize("target", ["py32f003", "rp2040"])
def test_systick_reads_exactly_the_cycles_mcubench_counts(asm_machine, counter, target):
    m = asm_machine({"f": SYSTICK_SPAN}, target=target, counter=counter)
    m.call("f")  # warm the RP2040's XIP cache
    r = m.call("f")
    # between the two CVR loads: movs 1, muls 1, ldr literal 2, ldr 2, adds 1, ldr (CVR) 2
    assert r.return_value == 1 + 1 + 2 + 2 + 1 + 2
    # the whole function: 2+2 literal loads, 2 str, 1 movs, 2 str, 2 ldr, then the span, 1 subs, bx
    assert r.cycles == 2 + 2 + 2 + 1 + 2 + 2 + 9 + 1 + BX


@pytest.mark.parametrize("counter", COUNTERS)
def test_countflag_reload_and_interrupt_entry_and_exit(asm_machine, counter):
    funcs = {
        "f": """
            push {r4, lr}
            ldr r1, =0xE000E010
            movs r0, #99
            str r0, [r1, #4]      @ RVR = 99: a period of 100 cycles
            str r0, [r1, #8]      @ CVR write: clear
            movs r0, #7
            str r0, [r1, #0]      @ ENABLE | TICKINT | CLKSOURCE
            movs r4, #100
        1:  subs r4, #1
            bne 1b                @ 100 x (1 + 2) - 1 = 299 cycles
            movs r0, #5
            str r0, [r1, #0]      @ TICKINT off
            ldr r0, [r1, #0]      @ COUNTFLAG (bit 16) set: the counter wrapped
            ldr r2, [r1, #0]      @ ... and cleared by that read
            lsrs r0, r0, #16
            lsrs r2, r2, #16
            lsls r2, r2, #1
            orrs r0, r2
            ldr r2, =ticks
            ldr r2, [r2]
            lsls r2, r2, #4
            orrs r0, r2           @ ticks * 16 + flag2 * 2 + flag1
            pop {r4, pc}
            .ltorg
        """,
        "SysTick_Handler": HANDLER,
    }
    m = asm_machine(funcs, target="py32f003", counter=counter, data=TICKS + VECTORS)
    r = m.call("f")
    ticks = r.return_value >> 4
    assert r.return_value & 3 == 1  # set once, then clear
    # zeros every 100 cycles from the enable: the loop (299) and three handlers (3 x 34) pass
    # the fourth at 400 before TICKINT goes off
    handler = EXCEPTION_ENTRY_CYCLES + (2 + 2 + 1 + 2 + BX) + EXCEPTION_EXIT_CYCLES
    assert handler == 34 and ticks == 4
    again = m.call("f")  # the machine's clock runs on; the count per call is the same
    assert again.cycles == r.cycles and again.stack_peak_bytes == r.stack_peak_bytes == 8 + 32


@pytest.mark.parametrize("counter", COUNTERS)
@pytest.mark.parametrize("target,define", [("py32f003", "CHIP_PY32F003"), ("rp2040", "CHIP_RP2040")])
def test_a_hal_style_firmware_from_its_reset_vector_times_itself_as_mcubench_counts(
    mcu, counter, target, define
):
    runs = []
    for n in (4, 9):
        fw = mcu.build(str(HAL), target, defines=[define, f"ITERATIONS={n}"], opt="-O1", counter=counter)
        flash = load_target(target).flash.base
        reset = struct.unpack("<I", fw.image.read_initial(flash + 4, 4))[0]
        r = fw.call(reset & ~1)
        runs.append((r.cycles, *(int(fw.read(s, "<u4")[0]) for s in ("measured", "ticks", "check"))))
    (c4, s4, t4, check), (c9, s9, t9, _) = runs
    assert c9 - c4 == s9 - s4 > 10_000  # SysTick agrees with the cycle count, interrupts included
    assert t4 == s4 // 1000 or t4 == s4 // 1000 + 1  # a tick every 1,000 cycles of the timed loop
    assert t9 > t4 >= 8
    assert check == (0x500 if target == "py32f003" else 14 * 16 + 2)  # HSION|HSIRDY; 100 / 7 on the SIO


@pytest.mark.parametrize("counter", COUNTERS)
def test_primask_holds_the_interrupt_until_cpsie(asm_machine, counter):
    funcs = {
        "f": """
            ldr r1, =0xE000E010
            movs r0, #99
            str r0, [r1, #4]      @ period 100
            str r0, [r1, #8]
            cpsid i
            movs r0, #7
            str r0, [r1, #0]
            movs r2, #80
        1:  subs r2, #1
            bne 1b                @ 239 cycles with interrupts masked: two zeros, one pending
            ldr r3, =ticks
            ldr r0, [r3]          @ still 0
            cpsie i
            nop
            nop
            movs r2, #5
            str r2, [r1, #0]      @ TICKINT off
            ldr r2, [r3]
            lsls r2, r2, #8
            orrs r0, r2
            bx lr
            .ltorg
        """,
        "SysTick_Handler": HANDLER,
    }
    r = asm_machine(funcs, counter=counter, data=TICKS + VECTORS).call("f")
    assert r.return_value & 0xFF == 0 and r.return_value >> 8 == 1  # none while masked, one after


def test_vtor_is_honoured(asm_machine):
    funcs = {
        "f": """
            ldr r0, =table
            ldr r1, =0xE000ED08
            str r0, [r1]          @ VTOR: the table in SRAM
            ldr r1, =0xE000E010
            movs r0, #99
            str r0, [r1, #4]
            str r0, [r1, #8]
            movs r0, #7
            str r0, [r1]
            movs r2, #60
        1:  subs r2, #1
            bne 1b
            movs r0, #5
            str r0, [r1]
            ldr r0, =which
            ldr r0, [r0]
            bx lr
            .ltorg
        """,
        "flash_handler": "ldr r0, =which\nmovs r1, #1\nstr r1, [r0]\nbx lr\n.ltorg",
        "sram_handler": "ldr r0, =which\nmovs r1, #2\nstr r1, [r0]\nbx lr\n.ltorg",
    }
    data = (
        "\n.data\n.balign 128\n.global table\ntable: .word 0x20001000\n"
        + ".word 0\n" * 14
        + ".word sram_handler + 1\n.global which\nwhich: .word 0\n"
        + '\n.section .vectors,"a"\n.word 0x20001000\n'
        + ".word 0\n" * 14
        + ".word flash_handler + 1\n"
    )
    assert asm_machine(funcs, data=data).call("f").return_value == 2


@pytest.mark.parametrize(
    "a,b,signed,q,r",
    [
        (100, 7, False, 14, 2),
        (-100, 7, True, -14, -2),
        (100, -7, True, -14, 2),
        (0xFFFF_FFFF, 16, False, 0x0FFF_FFFF, 15),
        (5, 0, False, 0xFFFF_FFFF, 5),
        (-5, 0, True, 1, -5),
    ],
)
def test_the_rp2040_divider(asm_machine, a, b, signed, q, r):
    off = 0x68 if signed else 0x60
    code = f"""
        ldr r3, =0xD0000000
        ldr r0, ={a & 0xFFFFFFFF}
        str r0, [r3, #{off}]
        ldr r0, ={b & 0xFFFFFFFF}
        str r0, [r3, #{off + 4}]
        b 1f
    1:  b 1f
    1:  b 1f
    1:  b 1f
    1:  ldr r1, [r3, #0x74]   @ remainder
        ldr r2, ={0x20000000}
        str r1, [r2]
        ldr r0, [r3, #0x70]   @ quotient
        bx lr
        .ltorg
    """
    m = asm_machine({"div": code}, target="rp2040")
    m.call("div")
    res = m.call("div")
    rem = struct.unpack("<i", m.read(0x2000_0000, 4))[0]
    assert res.return_value == (q if q < 1 << 31 else q - (1 << 32))
    assert rem == r


def test_reading_the_divider_too_early_is_a_fault_that_says_so(asm_machine):
    code = (
        "ldr r3, =0xD0000000\nmovs r0, #9\nstr r0, [r3, #0x60]\nstr r0, [r3, #0x64]\n"
        "ldr r0, [r3, #0x70]\nbx lr\n.ltorg"
    )
    with pytest.raises(
        FirmwareFault, match=r"read of SIO DIV_QUOTIENT 8 cycle\(s\) before the divider's result"
    ):
        asm_machine({"f": code}, target="rp2040").call("f")


@pytest.mark.parametrize("gap,early", [(8, None), (7, 1), (6, 2)])
def test_the_divider_result_is_readable_on_the_ninth_cycle_after_the_write(asm_machine, gap, early):
    """pico-sdk's contract: 8 cycles between the last operand write and the result read
    (its sequences use four 2-cycle branches). NOPs (1 cycle each) set the gap exactly."""
    code = (
        "ldr r3, =0xD0000000\nmovs r0, #100\nstr r0, [r3, #0x60]\nmovs r0, #7\nstr r0, [r3, #0x64]\n"
        + "nop\n" * gap
        + "ldr r0, [r3, #0x70]\nbx lr\n.ltorg"
    )
    m = asm_machine({"f": code}, target="rp2040")
    if early is None:
        assert m.call("f").return_value == 14
    else:
        with pytest.raises(FirmwareFault, match=rf"DIV_QUOTIENT {early} cycle\(s\) before .* 9th cycle"):
            m.call("f")


def test_spinlocks_fifo_status_and_cpuid(asm_machine):
    code = """
        ldr r3, =0xD0000000
        ldr r0, [r3, #0]          @ CPUID 0
        ldr r1, =0xD0000104
        ldr r2, [r1]              @ claim lock 1: reads its bit
        lsls r2, r2, #4
        orrs r0, r2
        ldr r2, [r1]              @ held: 0
        lsls r2, r2, #8
        orrs r0, r2
        ldr r2, [r3, #0x5C]       @ SPINLOCK_ST
        lsls r2, r2, #12
        orrs r0, r2
        str r2, [r1]              @ release
        ldr r2, [r3, #0x5C]
        lsls r2, r2, #16
        orrs r0, r2
        ldr r2, [r3, #0x50]       @ FIFO_ST: RDY
        lsls r2, r2, #20
        orrs r0, r2
        bx lr
        .ltorg
    """
    assert asm_machine({"f": code}, target="rp2040").call("f").return_value == (2 << 4) | (2 << 12) | (
        2 << 20
    )


@pytest.mark.parametrize(
    "target,addr,store,pattern",
    [
        (
            "py32f003",
            0x4001_2440,
            False,
            r"read of ADC DR \(0x40012440\) \(this peripheral is not modelled\)",
        ),
        ("py32f003", 0x5000_0014, True, r"write of GPIOA ODR \(0x50000014\)"),
        ("py32f003", 0x4002_1044, False, r"read of RCC \+0x44 \(0x40021044\) \(no such register\)"),
        ("rp2040", 0xD000_0010, True, r"write of SIO GPIO_OUT \(0xd0000010\) is not modelled"),
        ("rp2040", 0xD000_0054, True, r"write of SIO FIFO_WR: core 1 is not modelled"),
    ],
)
def test_unmodelled_registers_are_faults_that_name_them(asm_machine, target, addr, store, pattern):
    op = "str r0, [r1]" if store else "ldr r0, [r1]"
    code = f"ldr r1, ={addr}\nmovs r0, #1\n{op}\nbx lr\n.ltorg"
    with pytest.raises(FirmwareFault, match=pattern + r".*at pc=0x[0-9a-f]+ \(f\+0x4\)"):
        asm_machine({"f": code}, target=target).call("f")


def test_the_py32_clock_registers_behave_as_systeminit_expects(asm_machine):
    code = """
        ldr r1, =0x40021000
        ldr r0, [r1, #8]
        movs r2, #1
        orrs r0, r2
        str r0, [r1, #8]          @ CFGR.SW = HSE
        ldr r0, [r1, #8]          @ SWS follows: (1 << 3) | 1
        ldr r2, =0x40022000
        movs r3, #1
        str r3, [r2]              @ FLASH ACR LATENCY = 1
        ldr r3, [r2]
        lsls r3, r3, #8
        orrs r0, r3
        bx lr
        .ltorg
    """
    assert asm_machine({"f": code}).call("f").return_value == 0x109


def test_stubs_feed_reads_log_writes_and_cost_the_bus(mcu):
    src = """
    #include <stdint.h>
    #define ADC_DR (*(volatile uint32_t *)0x40012440)
    #define USART_DR (*(volatile uint32_t *)0x40013804)
    int16_t out[8];
    int sample(void) {
        for (int i = 0; i < 8; i++) { out[i] = (int16_t)ADC_DR; USART_DR = i; }
        return out[7];
    }
    int one(void) { return ADC_DR; }
    """
    fw = mcu.build(src, "py32f003", opt="-O1")
    audio = np.arange(-4, 4) * 1000
    fw.on_read(0x4001_2440, lambda k: int(audio[k % 8]) & 0xFFFF)
    fw.on_read(0x4001_3804, 0)
    fw.call("sample")
    assert fw.read("out", "<i2").tolist() == audio.tolist()
    assert fw.writes(0x4001_3804) == list(range(8))
    fw.on_read(0x4001_2440, 7)  # APB: 3 cycles a load, from the target file
    r3 = fw.call("one")
    fw.on_read(0x4001_2440, 7, cycles=5)
    assert fw.call("one").cycles == r3.cycles + 2 and r3.return_value == 7
    with pytest.raises(Exception, match="is memory of py32f003, not a register"):
        fw.on_read(0x2000_0000, 1)


def test_a_clock_beyond_the_chips_limit_is_an_error():
    assert load_target("py32f003").with_clock(32_000_000).wait_states() == 1
    with pytest.raises(ConfigError, match="cannot run at 48000000 Hz .at most 32000000 Hz"):
        load_target("py32f003").with_clock(48_000_000)


def test_an_interrupt_that_outruns_its_handler_is_a_livelock_fault_not_a_hang(asm_machine):
    funcs = {
        "f": "ldr r1, =0xE000E010\nmovs r0, #9\nstr r0, [r1, #4]\nstr r0, [r1, #8]\nmovs r0, #7\n"
        "str r0, [r1]\n1: b 1b\n.ltorg",
        "SysTick_Handler": "ldr r0, =0x20000000\nldr r1, [r0]\nadds r1, #1\nstr r1, [r0]\nbx lr\n.ltorg",
    }
    with pytest.raises(
        FirmwareFault, match="interrupt livelock: SysTick fires again before its handler returns"
    ):
        asm_machine(funcs, data=VECTORS).call("f")


@pytest.mark.parametrize("counter", COUNTERS)
def test_wfi_sleeps_until_the_interrupt_and_counts_the_time_as_idle(asm_machine, counter):
    funcs = {
        "f": """
            ldr r1, =0xE000E010
            ldr r0, =999
            str r0, [r1, #4]      @ period 1,000
            str r0, [r1, #8]
            movs r0, #7
            str r0, [r1]
            wfi                   @ asleep until the first zero
            movs r0, #5
            str r0, [r1]
            ldr r0, =ticks
            ldr r0, [r0]
            bx lr
            .ltorg
        """,
        "SysTick_Handler": HANDLER,
    }
    r = asm_machine(funcs, counter=counter, data=TICKS + VECTORS).call("f")
    assert r.return_value == 1
    # enabled at t; the zero at t + 1,000: the WFI's own 2 cycles are work, the rest asleep
    assert 1_000 - 10 < r.idle_cycles < 1_000 and r.cycles > 1_000 + 34

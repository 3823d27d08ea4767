"""The flash interface as chip data (line width, prefetch, instruction cache, the
firmware's enable bits), counted by hand on the STM32G030 at 64 MHz (2 wait states, 8-byte
lines): a line costs the wait states unless it is the line last read, the one the prefetch
buffer read after it, or in the instruction cache. Both counters must agree on every chip
file that declares one."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from systick_firmware import COUNTERS
from test_chip_files import PROGRAM, chip  # noqa: F401 (chip: the fixture)

from mcubench.base.errors import ConfigError
from mcubench.chip.targets import load_target
from mcubench.emu import native

WS = 2
SET_ACR = "ldr r1, =0x40022000\nstr r0, [r1]\nbx lr\n.ltorg\n.balign 8"  # FLASH_ACR = r0; g starts a line
ACR_PLAIN, ACR_PREFETCH, ACR_ICACHE = 0x002, 0x102, 0x202  # LATENCY 2; PRFTEN bit 8; ICEN bit 9
# g: line G0 (MOVS + 3 NOPs), a loop of two lines A (4 NOPs) and B (2 NOPs, SUBS, BNE),
# BX in line C. Static cycles (ARM DDI 0484C): 1 + 3 + 10 x (6 + 1 + 2) - 1 + 2 = 95.
LOOP = """
    movs r3, #10
    nop; nop; nop
1:  nop; nop; nop; nop
    nop; nop
    subs r3, #1
    bne 1b
    bx lr
"""
LOOP_CYCLES = 95
# The TB from g runs to the first BNE (lines G0, A, B); 9 more passes (A, B); BX (C).
FETCHES = {
    # no buffer but the last line: every line a fresh read, the loop 2 a pass
    ACR_PLAIN: WS * (3 + 2 * 9 + 1),
    # prefetch: only the jumps back to A miss (B follows A, C follows B)
    ACR_PREFETCH: WS * (1 + 9),
    # instruction cache: the four lines once each, the loop from the cache
    ACR_ICACHE: WS * 4,
}


@pytest.mark.parametrize("counter", COUNTERS)
@pytest.mark.parametrize("acr", list(FETCHES))
def test_wait_states_per_line_as_the_interface_serves_them(asm_machine, counter, acr):
    m = asm_machine({"set_acr": SET_ACR, "g": LOOP}, target="stm32g030", counter=counter)
    m.call("set_acr", acr)
    assert m.call("g").cycles == LOOP_CYCLES + FETCHES[acr]
    again = m.call("g").cycles
    # a second call: only the cache keeps g's lines across the other call's fetches
    assert again == LOOP_CYCLES + (0 if acr == ACR_ICACHE else FETCHES[acr])


@pytest.mark.parametrize("counter", COUNTERS)
def test_the_reset_state_and_a_cache_reset(asm_machine, counter):
    """FLASH_ACR resets to 0x600 (ICEN on, PRFTEN off); ICRST empties the cache."""
    m = asm_machine({"set_acr": SET_ACR, "g": LOOP}, target="stm32g030", counter=counter)
    assert m.call("g").cycles == LOOP_CYCLES + FETCHES[ACR_ICACHE]
    assert m.call("g").cycles == LOOP_CYCLES
    m.call("set_acr", 0x802)  # ICEN off, ICRST: the cache is emptied
    m.call("set_acr", ACR_ICACHE)
    assert m.call("g").cycles == LOOP_CYCLES + FETCHES[ACR_ICACHE]


@pytest.mark.parametrize("counter", COUNTERS)
def test_at_24_mhz_there_is_nothing_to_hide(asm_machine, counter):
    slow = load_target("stm32g030").with_clock(24_000_000)
    m = asm_machine({"set_acr": SET_ACR, "g": LOOP}, target_obj=slow, counter=counter)
    m.call("set_acr", 0x000)
    assert m.call("g").cycles == LOOP_CYCLES


FLASH_INTERFACE = "\n[flash_interface]\nline = {line}\nprefetch = {prefetch}\n{icache}"


@pytest.mark.skipif(native.load() is None, reason="no host C compiler for the native hook")
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ws=st.integers(0, 5),
    line=st.sampled_from([4, 8, 16, 32]),
    prefetch=st.booleans(),
    lines=st.sampled_from([0, 1, 4, 16]),
    ways=st.sampled_from([1, 2, 4]),
)
def test_both_counters_agree_on_every_flash_interface(chip, asm_machine, ws, line, prefetch, lines, ways):  # noqa: F811
    icache = f"icache = true\nicache_lines = {lines * ways}\nicache_ways = {ways}\n" if lines else ""
    extra = FLASH_INTERFACE.format(line=line, prefetch=str(prefetch).lower(), icache=icache)
    target = chip(ws=ws, flash_extra="", sram_extra=extra)
    runs = {}
    for kind in ("native", "python"):
        m = asm_machine({**PROGRAM, "g": LOOP}, target_obj=target, counter=kind)
        runs[kind] = (m.call("f"), m.call("g"), m.call("f"), m.call("g"))
    assert runs["native"] == runs["python"]
    assert all(r.cycles >= LOOP_CYCLES for r in runs["native"][1::2])


@pytest.mark.parametrize("counter", COUNTERS)
def test_a_cache_off_at_reset_works_once_the_firmware_enables_it(chip, asm_machine, counter):  # noqa: F811
    """FLASH_ACR reset 0 (ICEN off): the same loop pays for every line until ICEN is set,
    then costs the cache's 4 lines once and nothing the next time."""
    text = (Path(__file__).resolve().parents[2] / "firmware/targets/stm32g030/target.toml").read_text()
    text = text.replace('name = "stm32g030"', 'name = "chip"').replace("reset = 0x0000_0600", "reset = 0")
    target = chip(text=text)
    m = asm_machine({"set_acr": SET_ACR, "g": LOOP}, target_obj=target, counter=counter)
    assert m.call("g").cycles == LOOP_CYCLES + FETCHES[ACR_PLAIN]
    m.call("set_acr", ACR_ICACHE)
    assert m.call("g").cycles == LOOP_CYCLES + FETCHES[ACR_ICACHE]
    assert m.call("g").cycles == LOOP_CYCLES


G030 = Path(__file__).resolve().parents[2] / "firmware/targets/stm32g030/target.toml"


@pytest.mark.parametrize(
    "old,new,pattern",
    [
        (
            'prefetch = "FLASH.ACR:8"',
            'prefetch = "FLASH.NOPE:8"',
            "'FLASH.NOPE:8' is not PERIPHERAL.REGISTER:BIT",
        ),
        (
            'prefetch = "FLASH.ACR:8"',
            'prefetch = "FLASH.ACR:32"',
            "'FLASH.ACR:32' is not PERIPHERAL.REGISTER:BIT",
        ),
        ("icache_lines = 16\n", "", "an icache needs icache_lines"),
        ("icache_ways = 2", "icache_ways = 3", "icache_lines / icache_ways must be a power of two"),
        ("line = 8", "line = 6", "line"),
        (
            'flash_latency = { register = "FLASH.ACR"',
            'flash_latency = { register = "RCC.ACR"',
            "'RCC.ACR' is not",
        ),
    ],
)
def test_a_malformed_flash_interface_is_one_line_naming_the_key(chip, old, new, pattern):  # noqa: F811
    text = G030.read_text().replace('name = "stm32g030"', 'name = "chip"')
    assert old in text
    with pytest.raises(ConfigError, match=pattern) as info:
        chip(text=text.replace(old, new))
    assert "chip.toml" in str(info.value) and "\n" not in str(info.value)

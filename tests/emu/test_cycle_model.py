"""Exact cycle counts per instruction class (ARM DDI 0484C table 3.1), from assembled
snippets run on the emulator. Every count includes the final `bx lr` (2 cycles)."""

import dataclasses

import pytest

from mcubench.chip.targets import load_target
from mcubench.emu.cycle_table import TABLE, Cls, cycles

BX = 2  # the return instruction closing every snippet


def run(asm_machine, code, *args, target="py32f003", **kw):
    m = asm_machine({"f": code}, target=target, **kw)
    return m.call("f", *args)


@pytest.mark.parametrize(
    "code,expected",
    [
        ("movs r0, #1\nadds r0, #2\nsubs r0, r0, #1\nlsls r0, r0, #3\nands r0, r0\nbx lr", 5 + BX),
        ("mov r1, r8\nmov r8, r1\nadd r1, r1\nrev r0, r1\nsxth r0, r0\nuxtb r0, r0\nbx lr", 6 + BX),
        ("adr r0, 1f\nadd r0, sp, #4\nsub sp, #8\nadd sp, #8\n.align 2\n1: bx lr", 4 + BX),
    ],
)
def test_data_processing_is_one_cycle(asm_machine, code, expected):
    assert run(asm_machine, code).cycles == expected


def test_loads_and_stores_take_two_cycles(asm_machine):
    code = (
        "ldr r1, =0x20000100\nstr r0, [r1]\nstrh r0, [r1, #4]\nstrb r0, [r1, #6]\n"
        "ldr r2, [r1]\nldrh r2, [r1, #4]\nldrb r2, [r1, #6]\nmovs r3, #0\nldrsh r2, [r1, r3]\n"
        "ldrsb r2, [r1, r3]\nbx lr\n.ltorg"
    )
    # 1 literal load + 3 stores + 5 loads = 9 x 2, plus movs 1
    assert run(asm_machine, code).cycles == 9 * 2 + 1 + BX


@pytest.mark.parametrize("mul_cycles", [1, 32])
def test_muls_takes_the_targets_multiplier_cycles(asm_machine, mul_cycles):
    target = dataclasses.replace(load_target("py32f003"), mul_cycles=mul_cycles)
    r = run(asm_machine, "movs r1, #3\nmuls r0, r1\nmuls r0, r1\nbx lr", 5, target_obj=target)
    assert r.cycles == 1 + 2 * mul_cycles + BX
    assert r.return_value == 45


def test_push_pop_ldm_stm_cost_one_plus_n(asm_machine):
    code = (
        "push {r4, r5, r6, r7}\nldr r1, =0x20000100\nstm r1!, {r4, r5, r6}\nsubs r1, #12\n"
        "ldm r1!, {r2, r3}\npop {r4, r5, r6, r7}\nbx lr\n.ltorg"
    )
    assert run(asm_machine, code).cycles == 5 + 2 + 4 + 1 + 3 + 5 + BX


def test_pop_with_pc_costs_three_plus_n(asm_machine):
    # push {r4, lr} = 1+2; pop {r4, pc} = 3+2 returns
    assert run(asm_machine, "push {r4, lr}\nmovs r0, #7\npop {r4, pc}").cycles == 3 + 1 + 5


def test_conditional_branch_taken_two_not_taken_one(asm_machine):
    # r0 iterations: each `bne` taken except the last
    loop = "movs r1, #0\n1: adds r1, #1\ncmp r1, r0\nbne 1b\nbx lr"
    for n in (1, 2, 10):
        taken, not_taken = n - 1, 1
        expected = 1 + n * 2 + 2 * taken + 1 * not_taken + BX
        assert run(asm_machine, loop, n).cycles == expected


def test_unconditional_branch_bl_bx_blx(asm_machine):
    m = asm_machine(
        {
            "f": "push {r4, lr}\nb 1f\nnop\n1: bl g\nldr r1, =g+1\nblx r1\npop {r4, pc}\n.ltorg",
            "g": "bx lr",
        }
    )
    # push 3, b 2, bl 3, g: bx 2, ldr 2, blx 2, g: bx 2, pop 5
    assert m.call("f").cycles == 3 + 2 + 3 + 2 + 2 + 2 + 2 + 5


def test_mov_and_add_to_pc_take_two(asm_machine):
    code = "mov r0, pc\nadds r0, #5\nmov pc, r0\nnop\nnop\nmovs r1, #4\nadd pc, r1\nnop\nnop\nnop\nbx lr"
    # f+0 mov r0,pc (r0=f+4) 1; adds (f+9) 1; mov pc 2 -> f+8: nop 1; movs 1;
    # f+12 add pc,r1 (pc reads f+16, +4 = f+20: bx lr) 2
    r = run(asm_machine, code)
    assert (r.instructions, r.cycles) == (7, 1 + 1 + 2 + 1 + 1 + 2 + BX)


def test_system_instructions_take_three(asm_machine):
    code = "mrs r0, primask\nmsr primask, r0\ndmb\ndsb\nisb\nbx lr"
    assert run(asm_machine, code).cycles == 5 * 3 + BX


def test_sio_access_is_single_cycle_on_rp2040(asm_machine):
    code = "ldr r1, =0xd0000000\nldr r0, [r1]\nstr r0, [r1, #0x60]\nbx lr\n.ltorg"  # CPUID, DIV_UDIVIDEND
    m = asm_machine({"f": code}, target="rp2040")
    m.call("f")  # warm the XIP cache
    assert m.call("f").cycles == 2 + 1 + 1 + BX


def test_flash_wait_states_apply_above_24_mhz(asm_machine):
    code = "movs r0, #1\nmovs r0, #2\nmovs r0, #3\nbx lr"
    at24 = run(asm_machine, code).cycles
    fast = load_target("py32f003").with_clock(32_000_000)
    at48 = run(asm_machine, code, target_obj=fast).cycles
    assert at24 == 3 + BX
    # one wait state per 32-bit fetch word: the 8-byte block spans 2 words
    assert at48 == at24 + 2


def test_xip_cache_misses_cost_once_per_line(asm_machine):
    m = asm_machine({"f": "movs r0, #1\nmovs r0, #2\nmovs r0, #3\nbx lr"}, target="rp2040")
    cold, warm = m.call("f"), m.call("f")
    miss = load_target("rp2040").flash.cache.miss_cycles
    assert warm.cycles == 3 + BX and warm.cache_misses == 0
    assert cold.cycles == warm.cycles + cold.cache_misses * miss and cold.cache_misses >= 1


def test_table_has_a_row_per_class():
    assert set(TABLE) == set(Cls)
    assert cycles(Cls.POP_PC, 5) == 8 and cycles(Cls.PUSH, 5) == 6 and cycles(Cls.MUL, mul_cycles=32) == 32


# ----- defects found by an independent cross-check ------------------------------


@pytest.mark.parametrize("counter", ["native", "python"])
@pytest.mark.parametrize(
    "setup,cond,taken",
    [
        ("movs r0, #0", "beq", True),
        ("movs r0, #1", "beq", False),
        ("movs r0, #1", "bne", True),
        ("movs r0, #0\ncmp r0, #1", "blt", True),
        ("movs r0, #2\ncmp r0, #1", "blt", False),
        ("movs r0, #2\ncmp r0, #1", "bhi", True),
        ("movs r0, #1\ncmp r0, #1", "bhi", False),
        ("movs r0, #1\ncmp r0, #1", "bge", True),
    ],
)
def test_a_branch_to_the_next_instruction_is_taken_only_when_its_condition_holds(
    asm_machine, counter, setup, cond, taken
):
    # target == fall-through: the next block starts there either way; the flags decide
    code = f"{setup}\n{cond} 1f\n1:\nbx lr"
    fixed = len(setup.splitlines())
    assert run(asm_machine, code, counter=counter).cycles == fixed + (2 if taken else 1) + BX


@pytest.mark.parametrize("counter", ["native", "python"])
def test_ldm_stm_to_the_sio_are_one_plus_n_and_single_accesses_one(asm_machine, counter):
    code = (
        "ldr r1, =0xd0000060\nldm r1!, {r2, r3}\nsubs r1, #8\nstm r1!, {r2, r3}\nldr r0, [r1]\nbx lr\n.ltorg"
    )
    m = asm_machine({"f": code}, target="rp2040", counter=counter)
    m.call("f")  # warm the XIP cache
    # literal load 2; LDM 1+2; SUBS 1; STM 1+2; LDR from the SIO 1
    assert m.call("f").cycles == 2 + 3 + 1 + 3 + 1 + BX


@pytest.mark.parametrize("counter", ["native", "python"])
@pytest.mark.parametrize("hint,cost", [("yield", 1), ("sev", 1), ("nop", 1), ("wfe", 2), ("wfi", 2)])
def test_hints_run_and_cost_what_the_trm_says(asm_machine, counter, hint, cost):
    r = run(asm_machine, f"{hint}\nmovs r0, #5\nbx lr", counter=counter)
    assert r.cycles == cost + 1 + BX and r.return_value == 5

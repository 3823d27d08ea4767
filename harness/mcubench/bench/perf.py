"""How fast the emulator runs with and without cycle accounting.

One DSP-heavy workload (the Q15 FIR, many blocks per call) is run three ways on the
same image: (a) bare Unicorn, no hooks; (b) full cycle accounting with the native
hook; (c) the same accounting in Python hooks. Simulated MIPS = instructions / wall
time (best of several runs, since the machine is shared). The ratios b/a and b/c come
from one run of this command.
"""

from __future__ import annotations

import time

from unicorn.arm_const import UC_ARM_REG_LR, UC_ARM_REG_SP

from mcubench.base.paths import FIRMWARE_DIR
from mcubench.build.compile import BuildSpec, build
from mcubench.chip.targets import load_target
from mcubench.emu import memory_map
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.machine import RETURN_ADDR, Machine, cortex_m0_engine

REPEATS = 25
PYTHON_REPEATS = 3  # the Python hooks run ~30x slower: fewer rounds include them


def _interleaved_best(modes: dict, repeats: int, rounds: dict) -> dict:
    """Best wall time of each mode, the modes run in turn within every round."""
    best = dict.fromkeys(modes, float("inf"))
    for r in range(repeats):
        for name, fn in modes.items():
            if r >= rounds.get(name, repeats):
                continue
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def measure_speed(target_name: str = "py32f003", blocks: int = 16, repeats: int = REPEATS) -> dict:
    target = load_target(target_name)
    spec = BuildSpec("perf_fir", (FIRMWARE_DIR / "bench" / "fir_q15.c",), defines=(f"FIR_REPEAT={blocks}",))
    image = ElfImage.load(build(spec, target).elf)
    entry = image.symbol("bench_run", "func").addr

    bare = cortex_m0_engine()
    memory_map.map_regions(bare, target)
    memory_map.load(bare, image, target)

    def run_bare():
        bare.reg_write(UC_ARM_REG_SP, target.sram.end)
        bare.reg_write(UC_ARM_REG_LR, RETURN_ADDR | 1)
        bare.emu_start(entry | 1, RETURN_ADDR)

    native = Machine(image, target, counter="native")
    python = Machine(image, target, counter="python")
    result = native.call("bench_run")
    insns = result.instructions
    modes = {
        "mips_no_hooks": run_bare,
        "mips_native": lambda: native.call("bench_run"),
        "mips_python": lambda: python.call("bench_run"),
    }
    best = _interleaved_best(modes, repeats, {"mips_python": min(PYTHON_REPEATS, repeats)})
    mips = {k: insns / t / 1e6 for k, t in best.items()}
    return {
        "target": target.name,
        "workload": f"fir_q15 x{blocks} blocks",
        "instructions": insns,
        "cycles": result.cycles,
        **mips,
        "ratio_native_to_no_hooks": mips["mips_native"] / mips["mips_no_hooks"],
        "ratio_native_to_python": mips["mips_native"] / mips["mips_python"],
    }

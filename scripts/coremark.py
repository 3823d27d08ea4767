#!/usr/bin/env python3
"""CoreMark on the emulated chips, for checking a chip file's memory system against a
published CoreMark/MHz. EEMBC's sources come from your checkout (never copied here):

    COREMARK_ROOT=/path/to/coremark .venv/bin/python scripts/coremark.py \\
        [--target T ...] [--iterations N] [--opt -O2] [--clock T=HZ ...] [--acr T=VALUE ...] \\
        [--json-file results/studies/coremark.json]

The port (firmware/bench/coremark_port) is mcubench's: data on the stack, one context,
and the timed part measured by mcubench between the two marks start_time() and
stop_time() store (CoreMark's own "10 seconds" check fails by design: it is the one
error line accepted). A run counts only when CoreMark validates its list, matrix and
state CRCs for the 2K performance seeds. CoreMark/MHz = iterations x 10^6 / cycles.
`--acr stm32g030=0x302` writes that value to the flash interface's control register
(FLASH_ACR) first, as start-up code would (LATENCY, PRFTEN, ICEN).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from mcubench.base.errors import McubenchError
from mcubench.base.paths import FIRMWARE_DIR
from mcubench.build.compile import BuildSpec, build
from mcubench.chip.targets import load_target
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.machine import Machine
from mcubench.results.document import header

PORT = FIRMWARE_DIR / "bench" / "coremark_port"
SOURCES = ("core_list_join.c", "core_main.c", "core_matrix.c", "core_state.c", "core_util.c")
MARK = 0x5FFF0000
ACR = {"stm32g030": 0x40022000, "stm32c011": 0x40022000, "stm32l010": 0x40022000, "atsamd21g18": 0x41004004}
ACCEPTED_ERROR = "ERROR! Must execute for at least 10 secs for a valid result!"


def coremark_root() -> Path:
    root = os.environ.get("COREMARK_ROOT")
    if not root or not (Path(root) / "core_main.c").is_file():
        raise McubenchError(
            "set COREMARK_ROOT to a checkout of https://github.com/eembc/coremark (core_main.c not found)"
        )
    return Path(root)


def run(target_name: str, iterations: int, opt: str, clock: int | None, acr: int | None) -> dict:
    root = coremark_root()
    target = load_target(target_name)
    if clock:
        target = target.with_clock(clock)
    spec = BuildSpec(
        f"coremark_{opt.strip('-')}_{iterations}",
        tuple(root / s for s in SOURCES) + (PORT / "core_portme.c",),
        opt=opt,
        defines=(f"ITERATIONS={iterations}", f'COMPILER_FLAGS="{opt}"'),
        include_dirs=(PORT, root),
        bench_main=False,
    )
    machine = Machine(ElfImage.load(build(spec, target).elf), target)
    marks = machine.bus.on_read(MARK, 0, cycles=2)
    if acr is not None:  # as start-up code would set it
        machine.store_register(ACR[target_name], acr)
    machine.call("main", cycle_limit=4_000_000_000)
    log = machine.read(machine.image.symbol("coremark_log", "object").addr, 1024).split(b"\0")[0].decode()
    errors = [ln for ln in log.splitlines() if "ERROR" in ln and ln.strip() != ACCEPTED_ERROR]
    if errors or "2K performance run parameters" not in log or "crcfinal" not in log:
        raise McubenchError(f"{target_name}: CoreMark did not validate: {errors or log[:200]}")
    (t0, v0), (t1, v1) = marks.written
    assert (v0, v1) == (1, 2)
    cycles = t1 - t0
    return {
        "target": target_name,
        "clock_hz": target.clock_hz,
        "wait_states": machine.flash_wait_states,
        "flash_acr": acr,
        "opt": opt,
        "iterations": iterations,
        "cycles": cycles,
        "coremark_per_mhz": round(iterations * 1e6 / cycles, 3),
        "crcfinal": next(ln.split(":")[1].strip() for ln in log.splitlines() if "crcfinal" in ln),
    }


def _pairs(items: list[str], convert) -> dict:
    out = {}
    for item in items:
        name, _, value = item.partition("=")
        out[name] = convert(value)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", action="append", default=[])
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--opt", default="-O2")
    ap.add_argument("--clock", action="append", default=[], metavar="T=HZ")
    ap.add_argument("--acr", action="append", default=[], metavar="T=VALUE")
    ap.add_argument("--json-file")
    args = ap.parse_args()
    targets = args.target or ["py32f003", "rp2040", "stm32g030", "stm32c011", "stm32l010", "atsamd21g18"]
    clocks, acrs = _pairs(args.clock, int), _pairs(args.acr, lambda v: int(v, 0))
    rows = []
    try:
        for t in targets:
            row = run(t, args.iterations, args.opt, clocks.get(t), acrs.get(t))
            rows.append(row)
            print(
                f"{t:12} {row['clock_hz'] / 1e6:5g} MHz  ws {row['wait_states']}  "
                f"{row['cycles']:>11,} cycles  {row['coremark_per_mhz']:.3f} CoreMark/MHz"
            )
    except McubenchError as exc:
        print(f"coremark: {exc}", file=sys.stderr)
        return 2
    if args.json_file:
        doc = {**header(), "command": "scripts/coremark.py " + " ".join(sys.argv[1:]), "runs": rows}
        Path(args.json_file).write_text(json.dumps(doc, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

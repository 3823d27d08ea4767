"""`mcubench model FILE.tflite --target T [--run]`: will this model fit the chip?

Without --run, the static answer: operators with their MACs and weights, the weights
against flash, the planned activation arena plus streaming state against SRAM (code,
stack and runtime not counted). With --run, the measured one: C generated for the
model, built for the chip and run operator by operator, each operator's cycles and
output held to TFLite Micro's host interpreter, and flash (weights + code), arena,
static RAM and peak stack from the ELF and the run. Exit 1 when it does not fit or an
operator's output differs from TFLite Micro's. With --compare-kernels, each weighted
layer timed with our kernels and the libraries whose checkouts the environment names
(cli/compare_kernels_command.py).
"""

from __future__ import annotations

from pathlib import Path

from mcubench.base.errors import ConfigError, FirmwareFault
from mcubench.bench.model_run import read_steps, run
from mcubench.build.compile import DoesNotFit
from mcubench.chip.targets import load_target
from mcubench.cli.compare_kernels_command import compare_command
from mcubench.cli.output import print_json
from mcubench.tflite.codegen import read_model


def run_model(args) -> int:
    target = load_target(args.target)
    if args.compare_kernels:
        if args.run or args.input or args.weights_in_sram:
            raise ConfigError(
                "--compare-kernels times each layer on its own: not with --run, --input or --weights-in-sram"
            )
        return compare_command(args, target)
    if args.run:
        return _run(args, target)
    if args.input:
        raise ConfigError("--input needs --run")
    m = read_model(args.model)
    ram = m.arena_bytes + m.state_bytes
    fits = m.weight_bytes <= target.flash.size and ram <= target.sram.size
    doc = {
        "model": str(m.path),
        "target": target.name,
        "ops": [
            {
                "index": o.index,
                "op": o.name,
                "output_shape": list(m.tensors[o.outputs[0]].shape) if o.outputs else [],
                "macs": o.macs,
                "weight_bytes": o.weight_bytes,
            }
            for o in m.ops
        ],
        "macs": m.macs,
        "weight_bytes": m.weight_bytes,
        "arena_bytes": m.arena_bytes,
        "state_bytes": m.state_bytes,
        "flash_capacity": target.flash.size,
        "sram_capacity": target.sram.size,
        "fits": fits,
        "counted": "weights, activation arena, streaming state (not code, stack or runtime structures)",
    }
    if args.json:
        print_json(doc)
        return 0 if fits else 1
    print(f"{m.path.name}: {len(m.ops)} operators, {m.subgraphs} subgraph(s), {m.macs:,} MACs per invocation")
    for o in m.ops:
        shape = "x".join(map(str, doc["ops"][o.index]["output_shape"])) or "-"
        print(f"  {o.index:3} {o.name:22} -> {shape:14} {o.macs:>9,} MACs  {o.weight_bytes:>7,} B weights")
    print(f"weights  {m.weight_bytes:>9,} B of {target.flash.size:,} B flash ({target.name})")
    print(
        f"arena    {m.arena_bytes:>9,} B activations (lifetime-planned) + {m.state_bytes:,} B streaming state"
    )
    print(f"         {ram:>9,} B of {target.sram.size:,} B SRAM")
    verdict = "fits" if fits else "does not fit"
    print(f"{verdict} {target.name} (weights, arena and state only: --run measures code and stack too)")
    return 0 if fits else 1


def _run(args, target) -> int:
    if args.steps is not None and args.steps < 1:
        raise ConfigError(f"--steps {args.steps}: at least 1")
    x = read_steps(args.model, args.input, args.steps) if args.input else None
    try:
        r = run(
            args.model, target, x, seed=args.seed, steps=args.steps or 1, weights_in_sram=args.weights_in_sram
        )
    except FirmwareFault as exc:  # a stack that outgrows the RAM left is "does not fit" too
        if exc.kind != "stack overflow":
            raise
        if args.json:
            print_json(
                {
                    "model": str(args.model),
                    "target": target.name,
                    "fits": False,
                    "over": {"stack": exc.detail},
                }
            )
        else:
            print(f"does not fit {target.name}: the stack overflows the RAM left {exc.detail} (at run time)")
        return 1
    except DoesNotFit as exc:  # the linker says by how much: that is the answer
        if args.json:
            print_json(
                {
                    "model": str(args.model),
                    "target": target.name,
                    "fits": False,
                    "over": {exc.region: exc.over_bytes},
                }
            )
        else:
            over = f"{exc.over_bytes:,} B over {exc.region}"
            print(f"does not fit {target.name}: the firmware is {over} (at link time)")
        return 1
    ram = r.ram_static_bytes + r.stack_peak_bytes
    fits_flash, fits_ram = r.flash_bytes <= target.flash.size, ram <= target.sram.size
    doc = {
        "model": str(args.model),
        "target": r.target,
        "weights_in": "sram" if args.weights_in_sram else "flash",
        "ops": [
            {
                "index": o.index,
                "op": o.name,
                "cycles": o.cycles,
                "macs": o.macs,
                "cycles_per_mac": round(o.cycles / o.macs, 2) if o.macs else None,
                "bit_exact": o.bit_exact,
                "first_difference": o.first_diff,
            }
            for o in r.ops
        ],
        "steps": r.steps,
        "cycles": r.cycles,
        "worst_step_cycles": r.worst_step_cycles,
        "clock_hz": target.clock_hz,
        "ms_at_clock": round(r.cycles / target.clock_hz * 1e3, 3),
        "bit_exact": r.bit_exact,
        "flash_bytes": r.flash_bytes,
        "weight_bytes": r.weight_bytes,
        "code_bytes": r.code_bytes,
        "flash_breakdown": r.flash_breakdown,
        "arena_bytes": r.arena_bytes,
        "state_bytes": r.state_bytes,
        "ram_static_bytes": r.ram_static_bytes,
        "stack_peak_bytes": r.stack_peak_bytes,
        "ram_peak_bytes": ram,
        "flash_capacity": target.flash.size,
        "sram_capacity": target.sram.size,
        "fits": fits_flash and fits_ram,
    }
    ok = doc["fits"] and r.bit_exact
    if args.json:
        print_json(doc)
        return 0 if ok else 1
    steps = f", {r.steps} steps" if r.steps > 1 else ""
    print(
        f"{Path(args.model).name} on {r.target}: {len(r.ops)} operators{steps}, checked against TFLite Micro"
    )
    print(f"  {'op':>3} {'operator':22} {'cycles':>11} {'MACs':>9} {'cyc/MAC':>8}  TFLM")
    for o in doc["ops"]:
        cpm = f"{o['cycles_per_mac']:8.1f}" if o["cycles_per_mac"] else f"{'-':>8}"
        check = "equal" if o["bit_exact"] else _difference(o["first_difference"])
        print(f"  {o['index']:3} {o['op']:22} {o['cycles']:>11,} {o['macs']:>9,} {cpm}  {check}")
    per = "per step (mean)" if r.steps > 1 else "per inference"
    mhz = f"{doc['ms_at_clock']} ms at {target.clock_hz / 1e6:g} MHz"
    print(f"cycles   {r.cycles:>11,} {per} ({mhz})")
    if r.steps > 1:
        print(f"         {r.worst_step_cycles:>11,} in the slowest step")
    parts = ", ".join(f"{n:,} {what}" for what, n in r.flash_breakdown.items() if n)
    print(f"flash    {r.flash_bytes:>11,} B of {target.flash.size:,} ({parts})")
    parts = f"{r.arena_bytes:,} arena + {r.state_bytes:,} state in {r.ram_static_bytes:,} static"
    print(f"RAM      {ram:>11,} B of {target.sram.size:,} ({parts}, {r.stack_peak_bytes:,} stack)")
    if doc["fits"]:
        spare = f"{target.flash.size - r.flash_bytes:,} B flash and {target.sram.size - ram:,} B RAM"
        print(f"fits {r.target}: {spare} to spare")
    else:
        over = [f"flash by {r.flash_bytes - target.flash.size:,} B"] if not fits_flash else []
        over += [f"RAM by {ram - target.sram.size:,} B"] if not fits_ram else []
        print(f"does not fit {r.target}: over {' and '.join(over)}")
    if not r.bit_exact:
        first = next(o for o in r.ops if not o.bit_exact)
        print(
            f"NOT bit-exact: operator {first.index} ({first.name}) is the first to differ from TFLite Micro"
        )
    return 0 if ok else 1


def _difference(d: dict) -> str:
    where = f"step {d['step']}, " if d["step"] else ""
    ulps = f", up to {d['ulps']} ulps" if "ulps" in d else ""
    return f"differs: {where}element {d['element']} ({d['got']} vs {d['tflm']}, {d['count']} in all{ulps})"

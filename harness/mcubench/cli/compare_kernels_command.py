"""`mcubench model FILE.tflite --target T --compare-kernels`: each weighted layer's cycles
with our kernels, CMSIS-NN and TFLite Micro's reference kernels (those whose checkouts
the environment names), cycles per MAC against the M0+'s 6-cycle limit, and whether each
output equals TFLite Micro's host interpreter. Exit 1 when any output differs."""

from __future__ import annotations

from pathlib import Path

from mcubench.bench.kernel_compare import (
    CMSIS_ENV,
    FLATBUFFERS_ENV,
    LIMIT_CYCLES_PER_MAC,
    OURS,
    TFLM_ENV,
    checkouts,
    compare,
)
from mcubench.cli.output import print_json


def compare_command(args, target) -> int:
    co = checkouts()
    rows = compare(args.model, target, co, seed=args.seed)
    exact = all(all(r.bit_exact.values()) for r in rows)
    # a library that could not time every layer (TFLite Micro's SVDF without flatbuffers'
    # headers) has no total: a sum over fewer layers would compare unlike with like
    totals = {
        lib: sum(r.cycles[lib] for r in rows) if all(lib in r.cycles for r in rows) else None
        for lib in co.libraries
    }
    missing = [v for v, root in ((CMSIS_ENV, co.cmsis_nn), (TFLM_ENV, co.tflm)) if root is None]
    if co.tflm is not None and co.flatbuffers is None and any(r.op == "SVDF" for r in rows):
        missing.append(FLATBUFFERS_ENV)
    if args.json:
        print_json(
            {
                "model": str(args.model),
                "target": target.name,
                "weights_in": "sram",
                "libraries": list(co.libraries),
                "limit_cycles_per_mac": LIMIT_CYCLES_PER_MAC,
                "layers": [r.as_dict() for r in rows],
                "total_cycles": totals,
                "bit_exact": exact,
                "not_compared": missing,
            }
        )
        return 0 if exact else 1
    libs = co.libraries
    print(
        f"{Path(args.model).name} on {target.name}: cycles per MAC, weights in SRAM "
        f"(limit {LIMIT_CYCLES_PER_MAC})"
    )
    print(f"  {'op':>3} {'layer':28} {'MACs':>10} " + " ".join(f"{lib:>13}" for lib in libs) + "  best")
    for r in rows:
        cells = []
        for lib in libs:
            if lib not in r.cycles:
                cells.append(f"{'-':>12} ")
                continue
            mark = "" if r.bit_exact[lib] else "!"
            cells.append(f"{r.cycles[lib] / r.macs:>12.2f}{mark or ' '}")
        best = min(r.cycles, key=lambda lib: r.cycles[lib])
        print(f"  {r.index:>3} {r.shape:28} {r.macs:>10,} " + " ".join(cells) + f"  {best}")
    total_cells = " ".join(f"{t:>13,}" if t is not None else f"{'-':>13}" for t in totals.values())
    print(f"  {'':3} {'all layers (cycles)':28} {'':>10} " + total_cells)
    ours = totals[OURS] or 1
    ratios = [f"{lib} {t / ours:.2f}x" for lib, t in list(totals.items())[1:] if t is not None]
    if ratios:
        print(f"cycles against ours: {', '.join(ratios)}")
    if missing:
        print(f"not compared: set {' and '.join(missing)} to a checkout to add those libraries")
    if not exact:
        print("NOT bit-exact: '!' marks an output that differs from TFLite Micro's host interpreter")
    return 0 if exact else 1

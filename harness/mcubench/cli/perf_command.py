"""`mcubench perf`: emulation speed with and without cycle accounting, ratios from one run."""

from __future__ import annotations

from mcubench.bench.perf import measure_speed
from mcubench.cli.output import print_json


def run_perf(args) -> int:
    out = measure_speed(args.target, args.blocks)
    if args.json:
        print_json(out)
        return 0
    print(
        f"workload  {out['workload']} on {out['target']}: {out['instructions']:,} instructions, "
        f"{out['cycles']:,} cycles"
    )
    print(f"(a) Unicorn, no hooks          {out['mips_no_hooks']:7.1f} MIPS")
    print(
        f"(b) cycle accounting, native   {out['mips_native']:7.1f} MIPS   "
        f"b/a = {out['ratio_native_to_no_hooks']:.2f}"
        "  (goal >= 0.5)"
    )
    print(
        f"(c) cycle accounting, Python   {out['mips_python']:7.1f} MIPS   "
        f"b/c = {out['ratio_native_to_python']:.1f}"
        "  (goal >= 20)"
    )
    return 0

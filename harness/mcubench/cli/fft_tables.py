"""`mcubench fft-tables`: flash, RAM and cycles of each real FFT variant, as JSON,
Markdown and a PNG."""

from __future__ import annotations

import sys
from pathlib import Path

from mcubench.base.errors import McubenchError
from mcubench.base.files import write_atomic, write_json
from mcubench.base.project import current
from mcubench.bench.fft_costs import SIZES, TARGETS, VARIANTS, run_all
from mcubench.build import cmsis
from mcubench.cli.output import print_json
from mcubench.report.charts import fft_chart
from mcubench.report.tables import fft_table
from mcubench.results.document import header


def run_fft_tables(args) -> int:
    variants = args.variant or list(VARIANTS)
    for v in variants:
        if v not in VARIANTS:
            raise McubenchError(f"unknown FFT variant {v!r}; valid: {', '.join(VARIANTS)}")
    rows = run_all(variants, args.n or SIZES, args.target or TARGETS, args.jobs)
    doc = {**header(), "cmsis_dsp_version": cmsis.VERSION, "rows": rows}
    out = Path(args.out) if args.out else current().require("fft-tables (without --out)").results_dir
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "fft-tables.json", doc)
    md = fft_table(rows)
    write_atomic(out / "fft-tables.md", "### Real FFT on the Cortex-M0+: flash, RAM, cycles\n\n" + md + "\n")
    fft_chart(rows, out / "fft-tables.png", VARIANTS, SIZES)
    if args.json:
        print_json(doc)
    else:
        print(md)
    print(f"wrote {out / 'fft-tables.json'}, fft-tables.md, fft-tables.png", file=sys.stderr)
    errors = [r for r in rows if r["status"] == "error"]
    if errors:
        print(
            f"mcubench: {len(errors)} FFT build(s) ended in an error: {errors[0].get('error')}",
            file=sys.stderr,
        )
    return 2 if errors else 0

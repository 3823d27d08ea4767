"""`mcubench check`, `compare`, `baseline` and `report`: what a pull request sees."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mcubench.base.files import write_atomic, write_json
from mcubench.base.paths import RESULTS_DIR
from mcubench.bench.measure import logmel_picture
from mcubench.bench.suite import load_suite, select
from mcubench.cli.run import exit_code, run_to_document
from mcubench.report import gate
from mcubench.report.charts import all_charts
from mcubench.results.io import load_results

LOGMEL_BENCH = "frontend_py32_1k"  # the front end whose picture `report` draws

BASELINE = RESULTS_DIR / "baseline.json"
LATEST = RESULTS_DIR / "latest.json"


def run_check(args) -> int:
    results = load_results(args.results or LATEST)
    baseline_path = Path(args.baseline) if args.baseline else BASELINE
    baseline = load_results(baseline_path) if baseline_path.exists() or args.baseline else None
    verdict = gate.check(results, baseline, args.tolerance, allow_missing=args.allow_missing)
    text = gate.check_markdown(verdict, args.tolerance)
    if baseline is None:
        text += f"\n(no baseline at {baseline_path}: budgets only)\n"
    print(text, end="")
    if args.markdown:
        write_atomic(Path(args.markdown), text)
    return verdict.exit_code


def run_compare(args) -> int:
    result = gate.compare(load_results(args.a), load_results(args.b))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(gate.compare_text(result))
    return 0


def run_baseline(args) -> int:
    if not args.write:
        print(
            f"mcubench baseline --write runs the whole suite and overwrites {BASELINE}; "
            "do it on purpose, on main.",
            file=sys.stderr,
        )
        return 2
    doc, stopped = run_to_document(load_suite(), [])
    if stopped is not None:
        raise stopped  # never a partial baseline
    write_json(BASELINE, doc)
    errors = [e for e in doc["results"] if e["status"] == "error"]
    print(f"wrote {BASELINE} ({len(doc['results'])} results, {len(errors)} error(s))")
    return 2 if exit_code(doc) == 2 else 0


def run_report(args) -> int:
    doc = load_results(args.results or LATEST)
    logmel = logmel_picture(select(load_suite(), [LOGMEL_BENCH])[0])
    for path in all_charts(doc, Path(args.out) if args.out else RESULTS_DIR, logmel):
        print(f"wrote {path}")
    return 0

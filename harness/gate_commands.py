"""`mcubench check`, `compare`, `baseline` and `report`: what a pull request sees."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import gate
from .results import RESULTS_DIR, write_atomic, write_json

BASELINE = RESULTS_DIR / "baseline.json"
LATEST = RESULTS_DIR / "latest.json"


def run_check(args) -> int:
    results = gate.load_results(args.results or LATEST)
    baseline_path = Path(args.baseline) if args.baseline else BASELINE
    baseline = gate.load_results(baseline_path) if baseline_path.exists() or args.baseline else None
    verdict = gate.check(results, baseline, args.tolerance)
    text = gate.check_markdown(verdict, args.tolerance)
    if baseline is None:
        text += f"\n(no baseline at {baseline_path}: budgets only)\n"
    print(text, end="")
    if args.markdown:
        write_atomic(Path(args.markdown), text)
    return verdict.exit_code


def run_compare(args) -> int:
    result = gate.compare(gate.load_results(args.a), gate.load_results(args.b))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(gate.compare_text(result))
    return 0


def run_baseline(args) -> int:
    if not args.write:
        print(f"mcubench baseline --write runs the whole suite and overwrites {BASELINE}; "
              "do it on purpose, on main.", file=sys.stderr)
        return 2
    from .results import document
    from .runner import run_suite
    from .suite import load_suite

    doc = document(run_suite(load_suite(), [], progress=sys.stderr))
    write_json(BASELINE, doc)
    errors = [e for e in doc["results"] if e["status"] == "error"]
    print(f"wrote {BASELINE} ({len(doc['results'])} results, {len(errors)} error(s))")
    return 2 if errors else 0


def run_report(args) -> int:
    from .plots import all_charts

    doc = gate.load_results(args.results or LATEST)
    for path in all_charts(doc, Path(args.out) if args.out else RESULTS_DIR):
        print(f"wrote {path}")
    return 0

"""`mcubench check`, `compare`, `baseline` and `report`: what a pull request sees."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mcubench.base.errors import ConfigError
from mcubench.base.files import write_atomic, write_json
from mcubench.base.project import current
from mcubench.bench.measure import logmel_picture
from mcubench.bench.suite import load_suite
from mcubench.cli.output import print_json
from mcubench.cli.run import exit_code, run_to_document
from mcubench.report import gate
from mcubench.report.charts import all_charts
from mcubench.results.io import load_results


def _results(what: str) -> Path:
    return current().require(f"{what} without a file argument").results_dir


def baseline_path() -> Path:
    return _results("the baseline") / "baseline.json"


def latest_path() -> Path:
    return _results("the latest results") / "latest.json"


def run_check(args) -> int:
    results = load_results(args.results or latest_path())
    if args.no_baseline and args.baseline:
        raise ConfigError("--baseline and --no-baseline exclude each other")
    path = Path(args.baseline) if args.baseline else None if args.no_baseline else baseline_path()
    baseline = load_results(path) if path and (path.exists() or args.baseline) else None
    tol = gate.tolerances(args.tolerance)
    verdict = gate.check(
        results,
        baseline,
        tol,
        allow_missing=args.allow_missing,
        strict_toolchain=args.strict_toolchain,
        suite_budgets=_suite_budgets(),
        allow_changed=args.allow_changed,
    )
    text = gate.check_markdown(verdict, tol)
    if args.github_benchmark:
        write_json(Path(args.github_benchmark), gate.github_benchmark(results))
    if baseline is None:
        text += f"\n({f'no baseline at {path}' if path else 'no baseline'}: budgets only)\n"
    if args.json:
        print_json(
            {
                "passed": verdict.exit_code == 0,
                "exit_code": verdict.exit_code,
                "failures": verdict.failures,
                "regressions": verdict.regressions,
                "notes": verdict.notes,
                "tolerance_pct": tol,
                "baseline": str(path) if baseline is not None else None,
            }
        )
    else:
        print(text, end="")
    if args.markdown:
        write_atomic(Path(args.markdown), text)
    if verdict.exit_code == 2:  # exit 2 always says why on stderr
        print(f"mcubench: {verdict.errors} benchmark(s) in the results ended in an error", file=sys.stderr)
    return verdict.exit_code


def _suite_budgets() -> dict | None:
    """{(bench, target): budgets} from the project's suite, which the gate holds results
    to (never the budgets a results file says it had); None outside a project."""
    project = current()
    if project.root is None or not project.suite_dir.is_dir():
        return None
    return {(b.name, t): b.budgets.get(t, {}) for b in load_suite() for t in b.targets}


def run_compare(args) -> int:
    result = gate.compare(load_results(args.a), load_results(args.b))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(gate.compare_text(result))
    return 0


def run_baseline(args) -> int:
    target = baseline_path()
    if not args.write:
        print(
            f"mcubench baseline --write runs the whole suite and overwrites {target}; "
            "do it on purpose, on main.",
            file=sys.stderr,
        )
        return 2
    doc, stopped = run_to_document(load_suite(), [])
    if stopped is not None:
        raise stopped  # never a partial baseline
    write_json(target, doc)
    errors = [e for e in doc["results"] if e["status"] == "error"]
    print(f"wrote {target} ({len(doc['results'])} results, {len(errors)} error(s))")
    for e in errors:
        print(f"mcubench: {e['bench']} on {e['target']}: {e['error']}", file=sys.stderr)
    return 2 if exit_code(doc) == 2 else 0


def run_report(args) -> int:
    doc = load_results(args.results or latest_path())
    out = Path(args.out) if args.out else _results("report (without --out)")
    base_path = Path(args.baseline) if args.baseline else None
    if base_path is None and current().root is not None and baseline_path().exists():
        base_path = baseline_path()
    baseline = load_results(base_path) if base_path else None
    for path in all_charts(doc, out, _logmel_of(doc), baseline):
        print(f"wrote {path}")
    return 0


def _logmel_of(doc: dict) -> dict | None:
    """The log-mel picture of the first front-end benchmark in the results passed, run from
    the project's suite; None when the results hold none (or the suite no longer has it)."""
    names = {e["bench"]: e["target"] for e in doc["results"] if e["status"] != "error"}
    project = current()
    if project.root is None or not project.suite_dir.is_dir():
        return None
    for bench in load_suite():
        if bench.name in names and bench.frontend and bench.input and bench.output:
            return logmel_picture(bench, names[bench.name])
    return None

"""`mcubench run`: build and run the suite, write latest.json/.md (and JUnit), print
the table. Exit 0 when every budget holds, 1 when one does not, 2 on any error."""

from __future__ import annotations

import sys
from pathlib import Path

from mcubench.base.errors import ConfigError, Interrupted
from mcubench.base.files import check_writable, write_atomic, write_json
from mcubench.base.project import current
from mcubench.bench.schedule import run_suite
from mcubench.bench.suite import load_suite, select
from mcubench.chip.targets import load_target
from mcubench.cli.output import print_json
from mcubench.report import tables
from mcubench.report.artifacts import write_artifacts
from mcubench.results.document import document


def run_to_document(benches, targets, jobs=None) -> tuple[dict, Interrupted | None]:
    """Run the benchmarks, write the files they asked for; the results document (partial
    when the run was interrupted) and the interruption, if any."""
    try:
        outcomes, stopped = run_suite(benches, targets, jobs, progress=sys.stderr), None
    except Interrupted as exc:
        outcomes, stopped = exc.finished, exc
    write_artifacts(outcomes)
    return document([m.entry for m in outcomes], partial=stopped is not None), stopped


def exit_code(doc: dict) -> int:
    statuses = {e["status"] for e in doc["results"]}
    return 2 if "error" in statuses else 1 if "fail" in statuses else 0


def run_suite_command(args) -> int:
    for t in args.target:
        load_target(t)  # unknown target: one line listing the valid ones
    explicit = args.json_file and args.markdown and args.suite
    project = current() if explicit else current().require("run")
    json_path = check_writable(
        Path(args.json_file) if args.json_file else project.results_dir / "latest.json"
    )
    md_path = check_writable(Path(args.markdown) if args.markdown else project.results_dir / "latest.md")
    junit_path = check_writable(Path(args.junit)) if args.junit else None
    benches = select(load_suite(Path(args.suite) if args.suite else None), args.bench)
    if not any(not args.target or t in args.target for b in benches for t in b.targets):
        raise ConfigError(f"no benchmark runs on {', '.join(args.target)}")
    doc, stopped = run_to_document(benches, args.target, args.jobs)
    write_json(json_path, doc)
    write_atomic(md_path, tables.markdown(doc))
    if junit_path:
        write_atomic(junit_path, tables.junit(doc))
    if stopped is not None:
        print(
            f"\nmcubench: {stopped}: {len(doc['results'])} finished result(s) written to {json_path} "
            "(marked partial)",
            file=sys.stderr,
        )
        return stopped.exit_code
    if args.json:
        print_json(doc)
    else:
        print(tables.table(doc, color=sys.stdout.isatty()))
    for e in doc["results"]:
        if e["status"] == "error":
            print(f"mcubench: {e['bench']} on {e['target']}: {e['error']}", file=sys.stderr)
    return exit_code(doc)

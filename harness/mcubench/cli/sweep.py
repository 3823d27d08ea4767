"""`mcubench sweep SWEEP.toml`: run every point of a design-space sweep on the local
process pool or a Dask cluster (--cluster tcp://HOST:8786), then write the ranked
results (JSON), the Pareto picture (PNG) and the winner as a benchmark file (TOML)."""

from __future__ import annotations

import sys
from concurrent.futures import Executor
from pathlib import Path

from mcubench.base.errors import ConfigError
from mcubench.base.files import write_atomic, write_json
from mcubench.base.project import current
from mcubench.bench import pool
from mcubench.bench.sweep_file import load_sweep
from mcubench.bench.sweep_results import document, winner_toml
from mcubench.bench.sweep_run import run_sweep
from mcubench.cli.output import print_json
from mcubench.report.sweep_chart import sweep_chart

COLUMNS = (
    ("cycles_per_frame", "cycles/hop"),
    ("cpu_load_pct", "CPU %"),
    ("ram_peak_bytes", "RAM B"),
    ("flash_bytes", "flash B"),
    ("accuracy_float", "acc float"),
    ("accuracy_int8", "acc int8"),
    ("bit_exact", "exact"),
)


def cluster_executor(address: str):
    """A concurrent.futures executor on a running Dask scheduler."""
    try:
        from distributed import Client
    except ImportError:
        raise ConfigError("--cluster needs Dask distributed: pip install 'mcubench[cluster]'") from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise ConfigError(
            f"--cluster {address}: no Dask scheduler answers ({type(exc).__name__}: {exc})"
        ) from None
    workers = len(client.scheduler_info().get("workers", {}))
    print(f"cluster {address}: {workers} worker(s)", file=sys.stderr)
    return _ClosingExecutor(client)


class _ClosingExecutor(Executor):
    """The client's executor, closing the client when it is shut down."""

    def __init__(self, client):
        self.client, self.executor = client, client.get_executor()

    def submit(self, fn, /, *args, **kwargs):
        return self.executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.executor.shutdown(wait=wait)
        self.client.close()


def _cell(v) -> str:
    if v is None:
        return ""
    return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)


def table(doc: dict) -> str:
    axes = list(doc["axes"])
    head = ["#", *axes, *(label for _, label in COLUMNS), "fits", "status"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in doc["points"]:
        f = r["figures"]
        cells = [str(r["index"]), *(str(r["point"][a]) for a in axes)]
        cells += [_cell(f.get(k)) for k, _ in COLUMNS]
        status = r["status"] if r["status"] != "error" else f"error: {r['error']}"
        cells += ["yes" if r["fits"] else "no", status]
        mark = " **winner**" if r["index"] == doc["winner"] else ""
        lines.append("| " + " | ".join(cells) + mark + " |")
    return "\n".join(lines)


def run_sweep_command(args) -> int:
    sweep = load_sweep(Path(args.sweep))
    executor = (
        cluster_executor(args.cluster)
        if args.cluster
        else pool.local_executor(pool.worker_count(args.jobs, len(sweep.points)))
    )

    def progress(record, done, total):
        label = ", ".join(f"{k}={v}" for k, v in record["point"].items())
        state = record["status"] if record["status"] != "error" else "error: " + record["error"]
        print(f"[{done}/{total}] {label}: {state}", file=sys.stderr, flush=True)

    outcome = run_sweep(sweep, executor, fresh=args.fresh, on_done=progress)
    complete = len(outcome.records) == len(sweep.points)
    doc = document(sweep, outcome.records, complete)
    out = (
        Path(args.json_file)
        if args.json_file
        else current().require("sweep (without --json-file)").results_dir / f"sweep_{sweep.name}.json"
    )
    write_json(out, doc)
    written = [out, sweep_chart(doc, out.with_suffix(".png"))]
    by_index = {r["index"]: r for r in outcome.records}
    several = len({p.target for p in sweep.points}) > 1
    for target, index in doc["winners"].items():  # one winner file per chip
        toml = out.with_name(out.stem + (f"_winner_{target}.toml" if several else "_winner.toml"))
        write_atomic(toml, winner_toml(sweep, by_index[index]))
        written.append(toml)
    if args.json:
        print_json(doc)
    else:
        print(table(doc))
    ran = max(outcome.ran, 1)
    print(
        f"{len(outcome.records)} of {len(sweep.points)} points ({outcome.cached} cached, {outcome.ran} run) "
        f"in {outcome.wall_seconds:.1f} s; {outcome.point_seconds:.1f} s inside the points "
        f"({1000 * outcome.point_seconds / ran:.0f} ms a point)",
        file=sys.stderr,
    )
    print("wrote " + ", ".join(str(p) for p in written), file=sys.stderr)
    if outcome.interrupted:
        why = outcome.timeout or "interrupted"
        print(f"mcubench: {why}; the finished points are kept (run again to resume)", file=sys.stderr)
        return 2 if outcome.timeout else 130
    measured = [r for r in outcome.records if r["status"] != "error"]
    if measured and not any(sweep.objective in r["figures"] for r in measured):
        print(
            f"mcubench: {sweep.path}: no point has the objective {sweep.objective!r} "
            "(accuracies need a model): no winner",
            file=sys.stderr,
        )
        return 2
    errors = [r for r in outcome.records if r["status"] == "error"]
    if errors:
        print(
            f"mcubench: {len(errors)} point(s) ended in an error, the first: {errors[0]['error']}",
            file=sys.stderr,
        )
    return 2 if errors else 0

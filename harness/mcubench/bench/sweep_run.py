"""Run a sweep's points on any concurrent.futures executor: the local process pool, or
a Dask cluster through `Client.get_executor()`; one code path for both.

A point is a benchmark run (build, emulate, judge) plus the accuracies of its model on
the test clips, reduced to a record of figures. Records are cached by a content hash
(the point's benchmark tables, target, the bytes of its source files, mcubench's
version), one JSON file each, written as each point finishes: an interrupted sweep
resumes where it stopped and a finished one reruns nothing. A point that errors is
recorded with its one-line error (and the worker's host) and is not cached, so it runs
again next time; the others go on. Ctrl-C cancels what has not started and keeps what
finished.
"""

from __future__ import annotations

import hashlib
import json
import socket
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from mcubench import __version__
from mcubench.apps.app import get_app
from mcubench.base import project
from mcubench.base.errors import McubenchError
from mcubench.base.files import write_atomic
from mcubench.base.project import Project
from mcubench.bench import pool
from mcubench.bench.app_bench import bench_app
from mcubench.bench.measure import measure
from mcubench.bench.model_references import model_accuracies
from mcubench.bench.suite import load_benchmark
from mcubench.bench.sweep_file import ACCURACY_FIGURES, ENTRY_FIGURES, Point, Sweep
from mcubench.chip.targets import load_target
from mcubench.emu import deadline


@dataclass(frozen=True)
class Job:
    """Everything a worker needs for one point (it is pickled to the worker)."""

    key: str
    index: int
    values: dict
    base: Path
    data: dict
    target: str
    accuracy_per_class: int
    project: Project


def _digest_files(paths) -> list:
    return [[str(p), hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None] for p in paths]


def point_key(sweep: Sweep, point: Point) -> str:
    """The content hash a point's record is cached under."""
    bench = point.bench
    assert bench is not None  # set when the sweep file loads
    sources = list(bench.sources)
    if bench.app:
        sources += list(get_app(bench.app).sources)
    what = {
        "data": point.data,
        "target": point.target,
        "accuracy_per_class": sweep.accuracy_per_class,
        "version": __version__,
        "sources": _digest_files(sorted(set(sources))),
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()[:24]


def _fits(entry, target, extra: dict) -> bool:
    t = load_target(target)
    return (
        entry.ram_peak_bytes is not None
        and entry.ram_peak_bytes <= t.sram.size
        and entry.flash_bytes is not None
        and entry.flash_bytes <= t.flash.size
        and extra.get("deadline_misses", 0) == 0
        and (entry.cpu_load_pct is None or entry.cpu_load_pct <= 100)
    )


def _head(job: Job) -> dict:
    """What every record of a point starts with, whatever became of it."""
    return {"index": job.index, "key": job.key, "point": job.values, "target": job.target}


def evaluate(job: Job) -> dict:
    """One point, in whatever process runs it. Never raises: an error is a record."""
    project.use(job.project)
    record = _head(job)
    start = time.perf_counter()
    try:
        bench = load_benchmark(job.base, job.data)
        entry = measure(bench, job.target).entry
        figures = {k: getattr(entry, k) for k in ENTRY_FIGURES}
        extra = entry.extra or {}
        figures["deadline_misses"] = extra.get("deadline_misses", 0)
        for key in ACCURACY_FIGURES:
            if key in extra:
                figures[key] = extra[key]
        if bench.app and (model := bench_app(bench).model):
            figures.update(model_accuracies(model, job.accuracy_per_class))
        record.update(
            status=entry.status,
            error=entry.error,
            violations=list(entry.violations),
            fits=entry.error is None and _fits(entry, job.target, figures),
            figures=figures,
        )
    except McubenchError as exc:
        record.update(status="error", error=str(exc), fits=False, figures={})
    except Exception as exc:  # an internal error in one point must not lose the others
        record.update(
            status="error", error=f"internal error: {type(exc).__name__}: {exc}", fits=False, figures={}
        )
    if record["status"] == "error":
        record["host"] = socket.gethostname()
    record["seconds"] = round(time.perf_counter() - start, 3)  # timing: kept out of the results
    return record


def _read_cached(path: Path) -> dict | None:
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # missing or torn: run the point again
    return record if isinstance(record, dict) and record.get("status") not in (None, "error") else None


def cache_folder(sweep: Sweep) -> Path:
    return project.current().build_dir / "sweeps" / sweep.name


@dataclass
class Outcome:
    records: list
    cached: int
    ran: int
    interrupted: bool = False
    timeout: str | None = None  # the --timeout message, when that is what stopped it
    point_seconds: float = 0.0  # time inside the points that ran
    wall_seconds: float = 0.0


def run_sweep(sweep: Sweep, executor: Executor, fresh: bool = False, on_done=None) -> Outcome:
    """Every point: cached records are read, the rest run on `executor` (which this
    shuts down). Ctrl-C or SIGTERM: pending points are cancelled, finished ones kept."""
    folder = cache_folder(sweep)
    records, jobs = [], []
    for point in sweep.points:
        key = point_key(sweep, point)
        cached = None if fresh else _read_cached(folder / f"{key}.json")
        if cached is not None:
            cached.update(index=point.index, point=point.values, target=point.target)
            records.append(cached)
            continue
        jobs.append(
            Job(
                key,
                point.index,
                point.values,
                sweep.base,
                point.data,
                point.target,
                sweep.accuracy_per_class,
                project.current(),
            )
        )
    outcome = Outcome(records, cached=len(records), ran=0)
    start = time.perf_counter()
    pending: dict = {}
    try:
        _run(sweep, executor, jobs, pending, outcome, folder, on_done)
    except KeyboardInterrupt:  # the held stop signal, raised at the end
        outcome.interrupted = True
    except deadline.WallClockTimeout as exc:  # --timeout: exit 2, as for run
        outcome.interrupted, outcome.timeout = True, str(exc)
    outcome.wall_seconds = time.perf_counter() - start
    return outcome


def _error(job: Job, message: str) -> dict:
    return {**_head(job), "status": "error", "error": message, "fits": False, "figures": {}}


def _run(sweep, executor, jobs, pending, outcome, folder, on_done) -> None:
    def keep(job: Job, record: dict) -> None:
        outcome.point_seconds += record.pop("seconds", 0.0)
        if record["status"] != "error":
            write_atomic(folder / f"{job.key}.json", json.dumps(record, sort_keys=True))
        outcome.records.append(record)
        outcome.ran += 1
        if on_done is not None:
            on_done(record, len(outcome.records), len(sweep.points))

    lost: list = []  # points a dead local worker took down with it
    with pool.signals_held() as held:
        try:
            for job, fut in pool.submit_and_wait(executor, evaluate, jobs, held, pending, lost.append):
                try:
                    record = fut.result()
                except BrokenProcessPool:
                    lost.append(job)
                    continue
                except Exception as exc:  # a cluster's own failure (a lost worker, ...)
                    record = _error(job, f"{type(exc).__name__}: {exc}")
                keep(job, record)
        finally:
            outcome.interrupted = bool(held) or bool(pending)
            for fut in pending:
                fut.cancel()
            _shutdown(executor)
        # as `run` does: each point a dead worker took down runs again in a pool of its own,
        # so only a point that kills its worker itself is an error
        for job in lost:
            if held:
                outcome.interrupted = True
                break
            record = pool.run_alone(evaluate, job)
            keep(job, _error(job, pool.WORKER_DIED) if record is pool.LOST else record)


def _shutdown(executor: Executor) -> None:
    if isinstance(executor, ProcessPoolExecutor):
        pool.stop(executor)
    else:
        executor.shutdown(wait=False)

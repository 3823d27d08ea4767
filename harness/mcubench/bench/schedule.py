"""Run a suite: every benchmark x target as one job on the process pool, with a
progress line per finished job. A failure in one job (a user error or an internal one)
becomes that job's `error` entry and never stops the others."""

from __future__ import annotations

from mcubench.base.errors import McubenchError
from mcubench.bench.measure import measure
from mcubench.bench.outcome import Measured
from mcubench.bench.pool import fan_out
from mcubench.bench.suite import Benchmark
from mcubench.results.entry import Entry


def run_one(job: tuple[Benchmark, str]) -> Measured:
    bench, target = job
    try:
        return measure(bench, target)
    except McubenchError as exc:
        return Measured(Entry.failed(bench.name, target, str(exc)))
    except Exception as exc:  # an internal error in one job must not lose the others
        return Measured(Entry.failed(bench.name, target, f"internal error: {type(exc).__name__}: {exc}"))


def _progress(done: int, total: int, entry: Entry, stream) -> None:
    """One line per finished job; on a terminal, a bar that redraws in place."""
    label = f"{entry.bench} on {entry.target}: {entry.status}"
    if stream.isatty():
        width = 24
        filled = width * done // total
        end = "\n" if done == total else ""
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label:50}{end}")
    else:
        stream.write(f"[{done}/{total}] {label}\n")
    stream.flush()


def run_suite(
    benches: list[Benchmark], targets: list[str], jobs: int | None = None, progress=None
) -> list[Measured]:
    """Every benchmark on each of its targets (only those in `targets`, if given).
    Raises base.errors.Interrupted (with the finished results) on Ctrl-C or a timeout."""
    work = [(b, t) for b in benches for t in b.targets if not targets or t in targets]
    count = 0

    def done(m: Measured) -> None:
        nonlocal count
        count += 1
        if progress is not None:
            _progress(count, len(work), m.entry, progress)

    def lost(job, why: str) -> Measured:
        return Measured(Entry.failed(job[0].name, job[1], why))

    return fan_out(run_one, work, jobs, done, lost)

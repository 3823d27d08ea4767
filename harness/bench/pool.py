"""Fan independent jobs out over a process pool (one per core by default), the one
place that does so: the suite runner and the FFT cost table both go through here.

A job that raises is the job's own affair: callers pass functions that turn every
failure into a result, so one bad benchmark never stops the others.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TypeVar

J = TypeVar("J")
R = TypeVar("R")


def worker_count(jobs: int | None, work: int) -> int:
    return max(1, min(jobs or os.cpu_count() or 1, work))


def fan_out(
    fn: Callable[[J], R],
    work: Iterable[J],
    jobs: int | None = None,
    on_done: Callable[[R], None] | None = None,
) -> list[R]:
    """fn over every job, in parallel; results in the order they finish (in the order
    given when one worker), each passed to on_done as it arrives."""
    work = list(work)
    n = worker_count(jobs, len(work))
    out: list[R] = []

    def done(result: R) -> None:
        out.append(result)
        if on_done is not None:
            on_done(result)

    if n == 1:
        for job in work:
            done(fn(job))
        return out
    with ProcessPoolExecutor(n) as pool:
        for fut in as_completed([pool.submit(fn, job) for job in work]):
            done(fut.result())
    return out

"""Fan independent jobs out over a process pool (one per core by default), the one
place that does so: the suite runner and the FFT cost table both go through here.

Nothing is lost and nothing is left behind:
- a job that raises is the job's own affair (callers pass functions that turn every
  failure into a result);
- a worker that dies (a crash in native code, the OOM killer) breaks the pool: the
  jobs it took down are run again, each in a pool of its own, so the one that kills
  its worker gets its own error and the others their results;
- Ctrl-C, a wall-clock timeout or a SIGTERM cancels what has not started, stops the
  workers and raises Interrupted with the results that finished;
- workers die with the parent (PR_SET_PDEATHSIG), even when it is SIGKILLed.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, TypeVar

from mcubench.base import project
from mcubench.base.errors import Interrupted, McubenchError
from mcubench.base.project import Project
from mcubench.emu import deadline

J = TypeVar("J")
R = TypeVar("R")
PR_SET_PDEATHSIG = 1
POLL_S = 0.25  # how often the waiting parent looks at stop signals


def worker_count(jobs: int | None, work: int) -> int:
    return max(1, min(jobs or os.cpu_count() or 1, work))


def worker_init(parent_deadline: float | None, parent_project: Project) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C stops
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    deadline.set_deadline(parent_deadline)
    project.use(parent_project)  # the parent's project, however the worker was started


def stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers now."""
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.kill()
    for p in processes:
        p.join(timeout=5)


@contextmanager
def signals_held():
    """Stop signals (Ctrl-C, the --timeout alarm, SIGTERM) are recorded, never raised,
    while a pool runs: an exception raised inside the executor's locks (a submit, a wait)
    can leave one held and hang the process at exit. The caller looks at the list; the
    signals are acted on (re-raised) when the block ends."""
    held: list[int] = []
    if threading.current_thread() is not threading.main_thread():  # handlers live there only
        yield held
        return
    stops = (signal.SIGINT, signal.SIGALRM, signal.SIGTERM)
    previous: dict[int, Any] = {s: signal.signal(s, lambda sig, _frame: held.append(sig)) for s in stops}
    try:
        yield held
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for s in dict.fromkeys(held):
            if s == signal.SIGINT and previous[s] is signal.SIG_IGN:
                # started with SIGINT ignored (a background job of a script): re-raising it
                # would be ignored too, and the work stopped here would pass for complete
                raise KeyboardInterrupt
            signal.raise_signal(s)


def local_executor(n: int) -> ProcessPoolExecutor:
    """n worker processes that ignore Ctrl-C, die with the parent and use its project."""
    return ProcessPoolExecutor(
        n, initializer=worker_init, initargs=(deadline.get_deadline(), project.current())
    )


def submit_and_wait(executor, fn, work: list, held: list, pending: dict, refused=None):
    """Submit fn(job) for every job (a job the executor refuses goes to refused(job)), then
    yield (job, future) as each finishes, until none is pending or a stop signal is held
    (what is still running stays in `pending`). Any concurrent.futures executor: the local
    pool, or a Dask client's."""
    for job in work:
        try:
            pending[executor.submit(fn, job)] = job
        except BrokenProcessPool:  # a worker died before everything was handed out
            if refused is None:
                raise
            refused(job)
    while pending and not held:
        finished, _ = wait(pending, timeout=POLL_S, return_when=FIRST_COMPLETED)
        for fut in finished:
            yield pending.pop(fut), fut


def _run_pool(fn, work: list, n: int, done: Callable, lost: list) -> None:
    pool = local_executor(n)
    pending: dict = {}
    with signals_held() as held:
        try:
            for job, fut in submit_and_wait(pool, fn, work, held, pending, lost.append):
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    lost.append(job)
                    continue
                done(result)
        except BaseException:
            stop(pool)
            raise
        if held:  # stopped: end the workers; the held signal is raised as the block ends
            stop(pool)
            return
    if lost:  # a broken pool: its other workers may wait on a queue lock the dead one held
        stop(pool)
    else:
        pool.shutdown(wait=True)


WORKER_DIED = "the worker process died (killed by a signal or out of memory)"
LOST = object()  # run_alone's answer when the job's worker died


def run_alone(fn: Callable[[J], R], job: J) -> Any:
    """fn(job) in a pool of its own (after a pool broke under it): its result, or LOST
    when it killed this worker too."""
    out: list = []
    lost: list = []
    _run_pool(fn, [job], 1, out.append, lost)
    return LOST if lost else out[0]


def fan_out(
    fn: Callable[[J], R],
    work: Iterable[J],
    jobs: int | None = None,
    on_done: Callable[[R], None] | None = None,
    on_lost: Callable[[J, str], R] | None = None,
) -> list[R]:
    """fn over every job, in parallel; results in the order they finish (in the order
    given when one worker), each passed to on_done as it arrives. on_lost(job, why)
    makes the result of a job whose worker died."""
    work = list(work)
    n = worker_count(jobs, len(work))
    out: list[R] = []

    def done(result: R) -> None:
        out.append(result)
        if on_done is not None:
            on_done(result)

    try:
        if n == 1:
            for job in work:
                done(fn(job))
            return out
        lost: list = []
        _run_pool(fn, work, n, done, lost)
        for job in lost:  # alone this time: a job that kills its worker only loses itself
            result = run_alone(fn, job)
            if result is LOST:
                if on_lost is None:
                    raise McubenchError(WORKER_DIED)
                result = on_lost(job, WORKER_DIED)
            done(result)
        return out
    except KeyboardInterrupt:
        raise Interrupted("interrupted", out, 130) from None
    except deadline.WallClockTimeout as exc:
        raise Interrupted(str(exc), out, 2) from None

#!/usr/bin/env python3
"""What running a sweep's points costs beyond the points themselves, on the local pool
and on a Dask cluster on loopback, and the speed-up of two workers over one.

The same sweep (12 points: benchmarks/fir_q15.toml at 4 -O levels x 3 frame counts) runs
`--rounds` times in each mode, modes interleaved, every run fresh (no cached points; the
firmware builds are cached after the first round, which is not counted). Per mode: the
median wall time, the time inside the points, and the overhead a point:
(wall x workers - inside) / points. Usage: .venv/bin/python scripts/sweep-bench.py
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
from pathlib import Path

from mcubench.bench import pool
from mcubench.bench.sweep_file import load_sweep
from mcubench.bench.sweep_run import run_sweep

ROOT = Path(__file__).resolve().parents[1]
SWEEP = """[sweep]
name = "sweep_bench"
base = "{base}"
[axes]
opt = ["-Os", "-O1", "-O2", "-O3"]
frames = [1, 2, 3]
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.toml"
        path.write_text(SWEEP.format(base=ROOT / "benchmarks" / "fir_q15.toml"))
        sweep = load_sweep(path)
        n = len(sweep.points)
        with (
            LocalCluster(
                host="127.0.0.1",
                dashboard_address=None,
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                silence_logs=logging.CRITICAL,  # a closing comm's complaint at shutdown is not a result
            ) as cluster,
            Client(cluster) as client,
        ):
            modes = {
                "local, 1 worker": (1, lambda: pool.local_executor(1)),
                "local, 2 workers": (2, lambda: pool.local_executor(2)),
                "dask, 2 workers": (2, client.get_executor),
            }
            times: dict = {m: [] for m in modes}
            for r in range(args.rounds + 1):
                for mode, (workers, make) in modes.items():
                    out = run_sweep(sweep, make(), fresh=True)
                    assert out.ran == n and not out.interrupted, mode
                    if r:  # round 0 warms the build cache and the workers' imports
                        times[mode].append((out.wall_seconds, out.point_seconds, workers))
    print(f"{n} points a run, {args.rounds} runs a mode, medians:")
    one = statistics.median(w for w, _, _ in times["local, 1 worker"])
    for mode, rows in times.items():
        wall = statistics.median(w for w, _, _ in rows)
        inside = statistics.median(i for _, i, _ in rows)
        workers = rows[0][2]
        overhead = (wall * workers - inside) / n * 1000
        print(
            f"  {mode:17} wall {wall:6.2f} s, inside points {inside:6.2f} s, "
            f"overhead {overhead:5.0f} ms a point, speed-up vs 1 local worker {one / wall:4.2f}x"
        )


if __name__ == "__main__":
    main()

"""A sweep's records as one results document: ranked by the objective, the Pareto front
(objective up, CPU load down, RAM down) among the points that fit the chip, and the
winner as a ready benchmark file.

Ranking: points that fit the chip (RAM, flash, real time) and pass the base's budgets
first, by the objective, then fewer cycles, less RAM, the point's place in the grid;
then the points that do not fit; then errors. Everything in the document is a figure of
the runs (no times, no host names but an error's), so two runs of a sweep, on the local
pool or on a cluster, write the same document.
"""

from __future__ import annotations

import copy

from mcubench.base.toml_files import dump_toml
from mcubench.bench.sweep_file import Sweep
from mcubench.results.document import header

SWEEP_SCHEMA = "sweep-2"  # 2: winners, one per chip


def _score(sweep: Sweep, r: dict) -> float | None:
    """The objective, larger is better (a figure to minimise is negated)."""
    v = r.get("figures", {}).get(sweep.objective)
    if v is None:
        return None
    return float(v) if sweep.maximise else -float(v)


def _rank_key(sweep: Sweep, r: dict):
    f = r.get("figures", {})
    tier = 2 if r["status"] == "error" else (0 if r["fits"] and r["status"] == "pass" else 1)
    score = _score(sweep, r)
    return (
        tier,
        -(score if score is not None else float("-inf")),
        f.get("cpu_load_pct") or 0,
        f.get("ram_peak_bytes") or 0,
        r["index"],
    )


def ranked(sweep: Sweep, records: list) -> list:
    return sorted(records, key=lambda r: _rank_key(sweep, r))


def pareto(sweep: Sweep, records: list) -> list:
    """Indexes of the fitting points no other fitting point beats on every axis."""
    axes = {  # smaller is better on each
        r["index"]: (
            -(_score(sweep, r) or 0.0),
            r["figures"].get("cpu_load_pct") or 0,
            r["figures"].get("ram_peak_bytes") or 0,
        )
        for r in records
        if r["fits"] and r["status"] == "pass" and _score(sweep, r) is not None
    }
    return sorted(
        i
        for i, a in axes.items()
        if not any(b != a and all(x <= y for x, y in zip(b, a)) for b in axes.values())
    )


def document(sweep: Sweep, records: list, complete: bool) -> dict:
    rows = ranked(sweep, records)
    # a winner has the objective: never one picked on CPU load for want of it
    eligible = [r for r in rows if r["fits"] and r["status"] == "pass" and _score(sweep, r) is not None]
    winner = eligible[0] if eligible else None
    winners: dict = {}  # the best point on each chip: a swept clock or option holds for that chip only
    for r in eligible:
        winners.setdefault(r["target"], r["index"])
    return {
        **header(),
        "kind": "sweep",
        "sweep_schema": SWEEP_SCHEMA,
        "name": sweep.name,
        "base": sweep.base.name,
        "target": sweep.target,
        "objective": {"figure": sweep.objective, "goal": "max" if sweep.maximise else "min"},
        "sample": sweep.sample,
        "axes": sweep.axes,
        "points_total": len(sweep.points),
        "points_done": len(records),
        "complete": complete,
        "points": [_sorted({k: v for k, v in r.items() if k != "key"}) for r in rows],
        "pareto": pareto(sweep, records),
        "winner": None if winner is None else winner["index"],
        "winners": dict(sorted(winners.items())),
    }


def _sorted(value):
    """Tables with their keys in order (a cached record and a fresh one alike)."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    return value


def winner_toml(sweep: Sweep, record: dict) -> str:
    """The winning point as a benchmark file (the base with the point's keys set) for the
    chip it was measured on: a sweep over several chips gets one per chip."""
    point = next(p for p in sweep.points if p.index == record["index"])
    data = copy.deepcopy(point.data)
    bench = data.setdefault("benchmark", {})
    bench["targets"] = [point.target]  # measured there only: its clock or options may not suit another chip
    if isinstance(data.get("budgets"), dict):
        data["budgets"] = {t: b for t, b in data["budgets"].items() if t == point.target}
    bench["name"] = f"{sweep.name}_winner"
    bench["description"] = f"winner of sweep {sweep.name}: {point.label}"
    figs = record["figures"]
    comment = (
        f"The winner of sweep {sweep.name} ({sweep.path.name}), written by `mcubench sweep`.\n"
        f"Point: {point.label}\n"
        f"{sweep.objective} {figs.get(sweep.objective)}, cycles/hop {figs.get('cycles_per_frame')}, "
        f"CPU load {figs.get('cpu_load_pct')} %, RAM {figs.get('ram_peak_bytes')} B, "
        f"flash {figs.get('flash_bytes')} B.\n"
        f"Paths are relative to {sweep.base.parent}."
    )
    return dump_toml(data, comment)

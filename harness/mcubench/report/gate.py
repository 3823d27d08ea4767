"""Gating: budgets plus regressions against a baseline, and run-to-run comparison.

Cycle counts are deterministic, so the default tolerance is zero: any increase of
cycles per frame, flash, peak RAM or peak stack over the baseline is a regression, and
so is a benchmark that stops being bit-exact. Cycles are compared per frame (the worst
call), never as totals, which move with the number of frames; a benchmark whose
definition changed (frames, input, sources, build options) is not compared with its
baseline at all but flagged. The gate believes nothing a results file says about
itself: every status is derived again from the figures and the budgets (the suite's,
when the project has one). `compare` summarises two result files with per-benchmark
deltas and geometric-mean ratios.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mcubench.base.errors import ConfigError
from mcubench.bench.budgets import BUDGETS, check_budgets
from mcubench.results.entry import Entry
from mcubench.results.metrics import GATED, METRICS

GATED_METRICS = tuple(m.name for m in GATED)
METRIC_ALIASES = {m.alias: m.name for m in GATED if m.alias}


def tolerances(pairs: list[tuple[str | None, float]]) -> dict[str, float]:
    """--tolerance values ([(metric or None, pct)]) as {gated metric: pct}: a bare PCT sets
    every metric, METRIC=PCT one of them (cycles, flash, ram, stack or the full names)."""
    out: dict[str, float] = dict.fromkeys(GATED_METRICS, 0.0)
    for metric, pct in pairs:
        if metric is None:
            out = dict.fromkeys(GATED_METRICS, pct)
            continue
        name = METRIC_ALIASES.get(metric, metric)
        if name not in GATED_METRICS:
            valid = ", ".join([*METRIC_ALIASES, *(m for m in GATED_METRICS if m not in METRIC_ALIASES)])
            raise ConfigError(f"--tolerance {metric}=...: unknown metric; valid: {valid}")
        out[name] = pct
    return out


def toolchain_differences(results: dict, baseline: dict) -> list[str]:
    """What differs in how the two were built: compiler version and flags."""
    out = []
    for key in ("toolchain", "flags"):
        if results.get(key) != baseline.get(key):
            out.append(f"{key} differs from the baseline's: {baseline.get(key)!r} -> {results.get(key)!r}")
    return out


def github_benchmark(doc: dict) -> list[dict]:
    """The gated figures in github-action-benchmark's customSmallerIsBetter format."""
    return [
        {"name": f"{e['bench']} on {e['target']}: {m}", "unit": METRICS[m].unit, "value": e[m]}
        for e in doc["results"]
        if e["status"] != "error"
        for m in GATED_METRICS
        if e.get(m) is not None
    ]


def _index(doc: dict) -> dict:
    return {(e["bench"], e["target"]): e for e in doc["results"]}


@dataclass
class Verdict:
    failures: list[str] = field(default_factory=list)  # budget failures and errors
    regressions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # new or missing benchmarks
    rows: list[list[str]] = field(default_factory=list)  # bench, target, metric deltas
    errors: int = 0

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 2
        return 1 if self.failures or self.regressions else 0


def _delta(new, old) -> str:
    """'12,345' when unchanged or without a baseline, '12,400 (+55, +0.4%)' otherwise."""
    if new is None:
        return "-"
    if old is None or new == old:
        return f"{new:,}"
    d = new - old
    pct = f", {100 * d / old:+.1f}%" if old else ""
    return f"{new:,} ({d:+,}{pct})"


def _budgets_of(e: dict, suite_budgets: dict | None, name: str, v: Verdict) -> dict:
    """The budgets to hold an entry to: the suite's when the project's suite has the
    benchmark (a note when the results file recorded others), else the recorded ones."""
    recorded = e["budgets"]
    key = (e["bench"], e["target"])
    budgets = recorded
    if suite_budgets is not None and key in suite_budgets:
        budgets = suite_budgets[key]
        if recorded != budgets:
            v.notes.append(f"{name}: the results file recorded other budgets than the suite's, which hold")
    for k, limit in budgets.items():
        if k not in BUDGETS:
            raise ConfigError(f"{name}: unknown budget {k!r} in the results file")
        if BUDGETS[k].kind == "flag" and not isinstance(limit, bool):
            raise ConfigError(f"{name}: budget {k} must be true or false, not {limit!r}")
        if BUDGETS[k].kind != "flag" and (isinstance(limit, bool) or not isinstance(limit, int | float)):
            raise ConfigError(f"{name}: budget {k} must be a number, not {limit!r}")
    return budgets


def _definition_changes(new: dict, old: dict) -> list[str]:
    """What differs in how the two entries were measured: frames and definition keys."""
    out = []
    if None not in (new["frames"], old["frames"]) and new["frames"] != old["frames"]:
        out.append(f"frames {old['frames']} -> {new['frames']}")
    a, b = old["definition"], new["definition"]
    if a and b:
        for k in sorted(set(a) | set(b)):
            if k == "frames" or a.get(k) == b.get(k):
                continue
            if (k not in a and not b[k]) or (k not in b and not a[k]):
                continue  # a key one mcubench version records and another not, at its default
            out.append(f"{k} {_short(a.get(k))} -> {_short(b.get(k))}")
    return out


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check(
    results: dict,
    baseline: dict | None,
    tolerance_pct: float | dict = 0.0,
    allow_missing: bool = False,
    strict_toolchain: bool = False,
    suite_budgets: dict | None = None,
    allow_changed: bool = False,
) -> Verdict:
    """Budgets, errors and regressions. Every status is derived again from the entry's
    figures and its budgets (suite_budgets, {(bench, target): budgets}, when given; else
    the ones the file recorded): a recorded status is never believed. Figures
    are compared with the baseline per frame, and only between entries with the same
    definition: a changed one fails (notes with allow_changed), as a benchmark of the
    baseline missing from the results does (notes with allow_missing). A different
    toolchain or flags is a warning (a failure with strict_toolchain)."""
    v = Verdict()
    tol = tolerance_pct if isinstance(tolerance_pct, dict) else dict.fromkeys(GATED_METRICS, tolerance_pct)
    base = _index(baseline) if baseline else {}
    for diff in toolchain_differences(results, baseline) if baseline else []:
        (v.failures if strict_toolchain else v.notes).append(("" if strict_toolchain else "warning: ") + diff)
    for key, e in sorted(_index(results).items()):
        name = f"{key[0]} on {key[1]}"
        if e["status"] == "error":
            v.errors += 1
            v.failures.append(f"{name}: error: {e['error']}")
        else:
            violations = check_budgets(Entry(**e), _budgets_of(e, suite_budgets, name, v))
            derived = "fail" if violations else "pass"
            if violations:
                v.failures.append(f"{name}: over budget: {'; '.join(violations)}")
            if e["status"] != derived:  # over budget is a failure above; this says why it disagrees
                v.notes.append(
                    f"{name}: the results file says {e['status']!r}, its figures and budgets say {derived!r}"
                )
        old = base.get(key)
        if old is None:
            if baseline:
                v.notes.append(f"{name}: new (not in the baseline)")
            v.rows.append([key[0], key[1]] + [_delta(e.get(m), None) for m in GATED_METRICS])
            continue
        changes = _definition_changes(e, old) if e["status"] != "error" and old["status"] != "error" else []
        if changes:
            text = f"{name}: not compared with the baseline, its definition changed: {'; '.join(changes)}"
            (v.notes if allow_changed else v.failures).append(text)
            v.rows.append([key[0], key[1]] + [_delta(e.get(m), None) for m in GATED_METRICS])
            continue
        for m in GATED_METRICS:
            new_v, old_v = e.get(m), old.get(m)
            if new_v is not None and old_v is not None and METRICS[m].worse(new_v, old_v, tol[m]):
                v.regressions.append(f"{name}: {m} {old_v:,} -> {new_v:,} ({new_v - old_v:+,})")
        if old.get("bit_exact") and e.get("bit_exact") is False:
            v.regressions.append(f"{name}: no longer bit-exact (max_abs_err {e['max_abs_err']})")
        v.rows.append([key[0], key[1]] + [_delta(e.get(m), old.get(m)) for m in GATED_METRICS])
    for key in sorted(set(base) - set(_index(results))):
        missing = f"{key[0]} on {key[1]}: in the baseline but not in these results"
        (v.notes if allow_missing else v.failures).append(missing)
    return v


def check_markdown(v: Verdict, tolerance_pct: float | dict) -> str:
    ok = v.exit_code == 0
    tolerance_text = f"{tolerance_pct}"
    if isinstance(tolerance_pct, dict):
        same = len(set(tolerance_pct.values())) == 1
        tolerance_text = (
            f"{next(iter(tolerance_pct.values())):g}"
            if same
            else ", ".join(f"{k} {t:g}" for k, t in tolerance_pct.items())
        )
    head = "passed" if ok else "FAILED"
    out = [
        f"### mcubench check: {head}",
        "",
        f"{len(v.failures)} budget failure(s), {len(v.regressions)} regression(s) "
        f"(tolerance {tolerance_text}%).",
        "",
        "| bench | target | " + " | ".join(GATED_METRICS) + " |",
        "|" + "---|" * (2 + len(GATED_METRICS)),
    ]
    out += ["| " + " | ".join(r) + " |" for r in v.rows]
    for title, items in (("Budget failures", v.failures), ("Regressions", v.regressions), ("Notes", v.notes)):
        if items:
            out += ["", f"**{title}**", ""] + [f"- {i}" for i in items]
    return "\n".join(out) + "\n"


def geomean(values: list[float]) -> float | None:
    vals = [x for x in values if x and x > 0]
    return math.exp(sum(math.log(x) for x in vals) / len(vals)) if vals else None


def compare(a: dict, b: dict) -> dict:
    ia, ib = _index(a), _index(b)
    rows, ratios = [], {m: [] for m in GATED_METRICS}
    for key in sorted(set(ia) & set(ib)):
        row = {"bench": key[0], "target": key[1]}
        for m in GATED_METRICS:
            va, vb = ia[key].get(m), ib[key].get(m)
            row[m] = {
                "a": va,
                "b": vb,
                "delta": None if None in (va, vb) else vb - va,
                "pct": None if None in (va, vb) or not va else round(100 * (vb - va) / va, 2),
            }
            if va and vb:
                ratios[m].append(vb / va)
        rows.append(row)
    return {
        "rows": rows,
        "geomean_ratio_b_over_a": {m: geomean(r) for m, r in ratios.items()},
        "only_in_a": [f"{k[0]}/{k[1]}" for k in sorted(set(ia) - set(ib))],
        "only_in_b": [f"{k[0]}/{k[1]}" for k in sorted(set(ib) - set(ia))],
    }


def compare_text(c: dict) -> str:
    lines = []
    for row in c["rows"]:
        parts = []
        for m in GATED_METRICS:
            d = row[m]
            if d["delta"] is None:
                continue
            pct = f" ({d['pct']:+.2f}%)" if d["pct"] is not None else ""
            parts.append(f"{m} {d['a']:,} -> {d['b']:,} {d['delta']:+,}{pct}")
        lines.append(f"{row['bench']:20} {row['target']:9} " + "; ".join(parts))
    g = c["geomean_ratio_b_over_a"]
    lines.append(
        "geometric mean B/A: " + ", ".join(f"{m} {g[m]:.4f}" for m in GATED_METRICS if g[m] is not None)
    )
    for label in ("only_in_a", "only_in_b"):
        if c[label]:
            lines.append(f"{label.replace('_', ' ')}: {', '.join(c[label])}")
    return "\n".join(lines)

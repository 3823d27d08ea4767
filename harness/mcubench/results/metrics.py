"""Every figure a results entry holds, in one table: its unit, which way is better, what
it covers (one frame, the whole run, the image), where it lives (a field or `extra`),
its short name and column, and whether `check` holds it against the baseline. Budgets
(bench/budgets.py), the gate (report/gate.py) and the tables read this table; adding a
metric is one row here (and its measurement)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str  # the results key (or the key in `extra`)
    unit: str
    better: str  # "lower" or "higher"
    scope: str  # "frame" (the worst frame), "run" (the whole run), "image" (the ELF)
    in_extra: bool = False
    alias: str | None = None  # the short name `check --tolerance` takes
    column: str | None = None  # its column in the results tables
    gated: bool = False  # `check` fails when it moves the wrong way past the tolerance

    def worse(self, new: float, old: float, tolerance_pct: float) -> bool:
        """Whether new is worse than old by more than the tolerance, in this metric's direction."""
        if self.better == "lower":
            return new > old * (1 + tolerance_pct / 100)
        return new < old * (1 - tolerance_pct / 100)


METRICS = {
    m.name: m
    for m in (
        Metric("cycles", "cycles", "lower", "run"),
        Metric(
            "cycles_per_frame", "cycles", "lower", "frame", alias="cycles", column="cycles/frame", gated=True
        ),
        Metric("flash_bytes", "bytes", "lower", "image", alias="flash", column="flash B", gated=True),
        Metric("flash_net_bytes", "bytes", "lower", "image"),
        Metric("ram_peak_bytes", "bytes", "lower", "run", alias="ram", column="RAM peak B", gated=True),
        Metric("component_ram_bytes", "bytes", "lower", "image", in_extra=True),
        Metric("stack_peak_bytes", "bytes", "lower", "run", alias="stack", column="stack B", gated=True),
        Metric("snr_db", "dB", "higher", "run"),
        Metric("max_abs_err", "LSB", "lower", "run"),
        Metric("bit_exact", "", "higher", "run"),
        Metric("deadline_misses", "hops", "lower", "run", in_extra=True),
        Metric("cpu_load_pct", "%", "lower", "frame"),
    )
}
GATED = tuple(m for m in METRICS.values() if m.gated)


def value(entry, metric: Metric):
    """The metric's value in an entry (a typed Entry or its dict)."""
    if isinstance(entry, dict):
        return (entry.get("extra") or {}).get(metric.name) if metric.in_extra else entry.get(metric.name)
    return entry.extra.get(metric.name) if metric.in_extra else getattr(entry, metric.name)

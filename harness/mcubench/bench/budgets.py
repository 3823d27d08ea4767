"""The budget vocabulary, in one place: each budget key, the figure it limits, how it
is compared, and the column it shows in (suite files, the runner and the reports all
read this table).

Most budgets are upper limits on a results field; a few limit a figure kept in the
entry's `extra`; min_snr_db is a lower limit that a bit-exact result always meets;
bit_exact = true asks for exact equality with the reference.
"""

from __future__ import annotations

from dataclasses import dataclass

from mcubench.results.entry import Entry
from mcubench.results.metrics import METRICS, Metric, value


@dataclass(frozen=True)
class Budget:
    key: str  # the name in benchmarks/*.toml
    metric: str  # the metric it limits (results/metrics.py)
    kind: str = "max"  # max | min_snr | flag

    @property
    def of(self) -> Metric:
        return METRICS[self.metric]

    @property
    def in_extra(self) -> bool:
        return self.of.in_extra


BUDGETS = {
    b.key: b
    for b in (
        Budget("max_cycles", "cycles"),
        Budget("max_cycles_per_frame", "cycles_per_frame"),
        Budget("max_flash_bytes", "flash_bytes"),
        Budget("max_flash_net_bytes", "flash_net_bytes"),
        Budget("max_ram_bytes", "ram_peak_bytes"),
        Budget("max_component_ram_bytes", "component_ram_bytes"),
        Budget("max_stack_bytes", "stack_peak_bytes"),
        Budget("min_snr_db", "snr_db", kind="min_snr"),
        Budget("max_abs_err", "max_abs_err"),
        Budget("bit_exact", "bit_exact", kind="flag"),
        Budget("max_deadline_misses", "deadline_misses"),
        Budget("max_cpu_load_pct", "cpu_load_pct"),
    )
}
BUDGET_KEYS = tuple(BUDGETS)
# (column title, results key, budget key) of the metrics with a column, in table order
BUDGET_COLUMNS: tuple[tuple[str, str, str], ...] = tuple(
    (b.of.column, b.metric, b.key) for b in BUDGETS.values() if b.of.column is not None
)


def _value(entry: Entry, budget: Budget):
    return value(entry, budget.of)


def check_budgets(entry: Entry, budgets: dict) -> list[str]:
    """One line per budget the entry does not hold."""
    out = []
    for key, limit in budgets.items():
        b = BUDGETS[key]
        value = _value(entry, b)
        if b.kind == "max":
            if value is None or value > limit:
                out.append(f"{b.metric} {value} > {key} {limit}")
        elif b.kind == "min_snr":
            if not entry.bit_exact and (value is None or value < limit):
                out.append(f"snr_db {value} < min_snr_db {limit}")
        elif limit and not value:
            out.append(f"not bit-exact (max_abs_err {entry.max_abs_err})")
    return out


def judge(entry: Entry, budgets: dict) -> Entry:
    """Hold the entry against its budgets: violations and pass/fail."""
    entry.budgets = budgets
    entry.violations = check_budgets(entry, budgets)
    entry.status = "fail" if entry.violations else "pass"
    return entry

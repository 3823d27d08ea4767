"""One table of metrics (results/metrics.py) that budgets, the gate and the tables read:
every budget limits a metric of the table, the gate's metrics and short names come from
it, and which way is worse follows each metric's direction."""

from __future__ import annotations

from mcubench.bench.budgets import BUDGET_COLUMNS, BUDGETS
from mcubench.report.gate import GATED_METRICS, METRIC_ALIASES, tolerances
from mcubench.results.entry import Entry
from mcubench.results.metrics import METRICS, value


def test_every_budget_limits_a_metric_of_the_table():
    assert {b.metric for b in BUDGETS.values()} <= set(METRICS)
    assert [c for c, _, _ in BUDGET_COLUMNS] == ["cycles/frame", "flash B", "RAM peak B", "stack B"]


def test_the_gate_reads_its_metrics_and_short_names_from_the_table():
    assert GATED_METRICS == ("cycles_per_frame", "flash_bytes", "ram_peak_bytes", "stack_peak_bytes")
    assert METRIC_ALIASES == {
        "cycles": "cycles_per_frame",
        "flash": "flash_bytes",
        "ram": "ram_peak_bytes",
        "stack": "stack_peak_bytes",
    }
    assert tolerances([("ram", 5.0)])["ram_peak_bytes"] == 5.0


def test_worse_follows_the_direction_and_the_tolerance():
    cycles, snr = METRICS["cycles_per_frame"], METRICS["snr_db"]
    assert cycles.worse(101, 100, 0) and not cycles.worse(101, 100, 1) and not cycles.worse(99, 100, 0)
    assert snr.worse(39.0, 40.0, 0) and not snr.worse(39.8, 40.0, 1) and not snr.worse(41.0, 40.0, 0)


def test_a_metric_is_read_from_an_entry_or_its_dict_alike():
    e = Entry("b", "py32f003")
    e.cycles_per_frame, e.extra = 1234, {"deadline_misses": 2}
    for m, expected in (("cycles_per_frame", 1234), ("deadline_misses", 2)):
        assert value(e, METRICS[m]) == value(e.as_dict(), METRICS[m]) == expected

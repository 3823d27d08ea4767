"""Budgets and regressions against a baseline; compare; JUnit."""

import copy
import xml.etree.ElementTree as ET

from mcubench.report import gate
from mcubench.report import tables as report
from mcubench.results.document import document
from mcubench.results.entry import Entry


def entry(bench="k", target="py32f003", cycles=1000, flash=500, ram=300, stack=40, exact=True):
    return Entry(
        bench,
        target,
        status="pass",
        cycles=cycles,
        flash_bytes=flash,
        ram_peak_bytes=ram,
        stack_peak_bytes=stack,
        bit_exact=exact,
        max_abs_err=0,
    )


def test_identical_results_pass():
    doc = document([entry()])
    v = gate.check(doc, copy.deepcopy(doc))
    assert v.exit_code == 0 and not v.regressions and not v.failures


def test_any_cycle_increase_is_a_regression_at_zero_tolerance():
    base = document([entry(cycles=1000)])
    v = gate.check(document([entry(cycles=1001)]), base)
    assert v.exit_code == 1 and v.regressions == ["k on py32f003: cycles 1,000 -> 1,001 (+1)"]
    assert gate.check(document([entry(cycles=1001)]), base, tolerance_pct=0.5).exit_code == 0


def test_stack_growth_and_lost_bit_exactness_are_regressions():
    base = document([entry(stack=40)])
    new = entry(stack=340, exact=False)
    new.max_abs_err = 3
    v = gate.check(document([new]), base)
    assert any("stack_peak_bytes 40 -> 340 (+300)" in r for r in v.regressions)
    assert any("no longer bit-exact (max_abs_err 3)" in r for r in v.regressions)


def test_budget_failures_and_errors_fail_the_check():
    failing = entry()
    failing.status, failing.violations = "fail", ["cycles 1000 > max_cycles 900"]
    broken = Entry.failed("b", "rp2040", "build failed")
    v = gate.check(document([failing, broken]), None)
    assert v.exit_code == 2 and len(v.failures) == 2
    assert gate.check(document([failing]), None).exit_code == 1
    md = gate.check_markdown(v, 0)
    assert "FAILED" in md and "cycles 1000 > max_cycles 900" in md


def test_a_missing_benchmark_fails_unless_allowed_and_a_new_one_is_noted():
    results, baseline = document([entry("new")]), document([entry("old")])
    v = gate.check(results, baseline)
    assert v.exit_code == 1
    assert v.failures == ["old on py32f003: in the baseline but not in these results"]
    assert any("new (not in the baseline)" in n for n in v.notes)
    v = gate.check(results, baseline, allow_missing=True)
    assert v.exit_code == 0 and any("old on py32f003: in the baseline but not" in n for n in v.notes)


def test_compare_gives_deltas_and_geometric_means():
    a = document([entry("x", cycles=1000), entry("y", cycles=400)])
    b = document([entry("x", cycles=500), entry("y", cycles=800)])
    c = gate.compare(a, b)
    assert c["rows"][0]["cycles"] == {"a": 1000, "b": 500, "delta": -500, "pct": -50.0}
    assert abs(c["geomean_ratio_b_over_a"]["cycles"] - 1.0) < 1e-12  # sqrt(0.5 * 2)
    assert "geometric mean B/A: cycles 1.0000" in gate.compare_text(c)


def test_junit_reports_failures_and_errors():
    failing = entry()
    failing.status, failing.violations = "fail", ["flash_bytes 500 > max_flash_bytes 400"]
    broken = Entry.failed("b", "rp2040", "does not fit <py32f003>")
    root = ET.fromstring(report.junit(document([failing, broken, entry("ok")])))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "1")
    assert root.find("testcase/error").get("message") == "does not fit <py32f003>"

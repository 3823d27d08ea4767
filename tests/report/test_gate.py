"""Budgets and regressions against a baseline; compare; JUnit."""

import copy
import json
import xml.etree.ElementTree as ET

import pytest

from mcubench.base.errors import ConfigError
from mcubench.report import gate
from mcubench.report import tables as report
from mcubench.results.document import document
from mcubench.results.entry import Entry
from mcubench.results.io import load_results


def entry(bench="k", target="py32f003", cycles=1000, flash=500, ram=300, stack=40, exact=True, frames=1):
    return Entry(
        bench,
        target,
        status="pass",
        cycles=cycles * frames,
        cycles_per_frame=cycles,
        frames=frames,
        flash_bytes=flash,
        ram_static_bytes=ram - stack,
        ram_peak_bytes=ram,
        stack_peak_bytes=stack,
        clock_hz=24_000_000,
        bit_exact=exact,
        max_abs_err=0,
        definition={"frames": frames, "sources": ["src/k.c"]},
    )


def test_identical_results_pass():
    doc = document([entry()])
    v = gate.check(doc, copy.deepcopy(doc))
    assert v.exit_code == 0 and not v.regressions and not v.failures


def test_any_cycle_increase_is_a_regression_at_zero_tolerance():
    base = document([entry(cycles=1000)])
    v = gate.check(document([entry(cycles=1001)]), base)
    assert v.exit_code == 1 and v.regressions == ["k on py32f003: cycles_per_frame 1,000 -> 1,001 (+1)"]
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
    failing.budgets = {"max_cycles": 900}
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
    assert c["rows"][0]["cycles_per_frame"] == {"a": 1000, "b": 500, "delta": -500, "pct": -50.0}
    assert abs(c["geomean_ratio_b_over_a"]["cycles_per_frame"] - 1.0) < 1e-12  # sqrt(0.5 * 2)
    assert "geometric mean B/A: cycles_per_frame 1.0000" in gate.compare_text(c)


def test_junit_reports_failures_and_errors():
    failing = entry()
    failing.status, failing.violations = "fail", ["flash_bytes 500 > max_flash_bytes 400"]
    failing.budgets = {"max_flash_bytes": 400}
    broken = Entry.failed("b", "rp2040", "does not fit <py32f003>")
    root = ET.fromstring(report.junit(document([failing, broken, entry("ok")])))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "1")
    assert root.find("testcase/error").get("message") == "does not fit <py32f003>"


# ---- the gate believes nothing a results file says about itself ------------------------


def test_a_status_pass_over_budget_fails_with_or_without_a_baseline():
    forged = entry(cycles=5000)
    forged.budgets = {"max_cycles_per_frame": 4000}  # status still "pass", violations empty
    doc = document([forged])
    for baseline in (None, copy.deepcopy(doc)):
        v = gate.check(doc, baseline)
        assert v.exit_code == 1
        assert v.failures == ["k on py32f003: over budget: cycles_per_frame 5000 > max_cycles_per_frame 4000"]
        assert any("the results file says 'pass', its figures and budgets say 'fail'" in n for n in v.notes)


def test_the_suites_budgets_hold_not_the_ones_a_results_file_recorded():
    loosened = entry(cycles=5000)
    loosened.budgets = {"max_cycles_per_frame": 10_000}
    suite = {("k", "py32f003"): {"max_cycles_per_frame": 4000}}
    v = gate.check(document([loosened]), None, suite_budgets=suite)
    assert v.exit_code == 1 and "cycles_per_frame 5000 > max_cycles_per_frame 4000" in v.failures[0]
    assert any("recorded other budgets than the suite's" in n for n in v.notes)


def test_an_unknown_budget_in_a_results_file_is_an_error_not_a_silent_pass():
    typo = entry()
    typo.budgets = {"max_cylces": 10}
    with pytest.raises(ConfigError, match="k on py32f003: unknown budget 'max_cylces'"):
        gate.check(document([typo]), None)


def test_cycles_are_compared_per_frame_so_fewer_frames_cannot_hide_a_slower_one():
    """The PR makes every frame 1.4% slower and halves the frames: the total drops 49%."""
    base = document([entry(cycles=10_000, frames=60)])
    slower = entry(cycles=10_140, frames=30)
    slower.definition = base["results"][0]["definition"]  # same definition, fewer frames run
    v = gate.check(document([slower]), base)
    assert v.exit_code == 1
    assert "frames 60 -> 30" in v.failures[0] and "not compared" in v.failures[0]
    same_frames = entry(cycles=10_140, frames=60)
    v = gate.check(document([same_frames]), base)
    assert v.regressions == ["k on py32f003: cycles_per_frame 10,000 -> 10,140 (+140)"]


def test_a_changed_definition_is_flagged_not_compared_unless_allowed():
    base = document([entry(cycles=1000)])
    changed = entry(cycles=900)
    changed.definition = {"frames": 1, "sources": ["src/k.c", "src/fast.c"]}
    v = gate.check(document([changed]), base)
    assert v.exit_code == 1 and not v.regressions
    assert "sources ['src/k.c'] -> ['src/k.c', 'src/fast.c']" in v.failures[0]
    v = gate.check(document([changed]), base, allow_changed=True)
    assert v.exit_code == 0 and any("definition changed" in n for n in v.notes)


@pytest.mark.parametrize(
    "key,value,message",
    [
        ("cycles", -5, "k on py32f003: results/0/cycles: -5 is less than the minimum of 0"),
        ("stack_peak_bytes", -1, "results/0/stack_peak_bytes: -1 is less than the minimum of 0"),
        ("clock_hz", 0, "results/0/clock_hz: 0 is less than the minimum of 1"),
        ("cycles", None, "k on py32f003: cycles: null in an entry with status 'pass'"),
        ("flash_bytes", None, "k on py32f003: flash_bytes: null in an entry with status 'pass'"),
        ("cycles_per_frame", 10**6, "cycles_per_frame: 1000000 is more than all frames' cycles 1000"),
        ("ram_peak_bytes", 100, "ram_peak_bytes: 100 is not ram_static_bytes + stack_peak_bytes (260 + 40)"),
        ("error", None, None),
    ],
)
def test_impossible_figures_are_refused_naming_file_benchmark_and_key(tmp_path, key, value, message):
    doc = document([entry()])
    if key == "error":  # an error without a message
        doc["results"][0].update(status="error")
        message = "k on py32f003: error: status 'error' without an error message"
    else:
        doc["results"][0][key] = value
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ConfigError) as info:
        load_results(path)
    assert str(info.value).startswith(f"{path}: ") and message in str(info.value)


def test_a_version_1_results_file_is_read_without_frames_or_definition(tmp_path):
    doc = document([entry()])
    doc["schema_version"] = 1
    for e in doc["results"]:
        del e["frames"], e["definition"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc))
    old = load_results(path)
    assert old["results"][0]["frames"] is None and old["results"][0]["definition"] == {}
    assert gate.check(document([entry()]), old).exit_code == 0  # nothing to say it changed


def test_a_definition_key_one_version_lacks_counts_only_when_it_is_set():
    base = document([entry()])
    newer = entry()
    newer.definition = {**newer.definition, "cflags": []}  # a key added later, at its default
    assert gate.check(document([newer]), base).exit_code == 0
    newer.definition["cflags"] = ["-DFAST"]
    assert "cflags None -> ['-DFAST']" in gate.check(document([newer]), base).failures[0]

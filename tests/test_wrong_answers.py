"""A wrong-answer campaign: random results files (valid, forged and impossible) against
random budgets and baselines. The invariant a pull request relies on: `check` exits 0
only when every figure is real and every budget holds, judged here by a second,
hand-written reading of the budgets, not by the gate's own code."""

from __future__ import annotations

import copy
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from mcubench.base.errors import ConfigError
from mcubench.base.paths import SUITE_FILES_DIR
from mcubench.bench.sweep_file import ACCURACY_FIGURES, POINT_FIGURES, load_sweep
from mcubench.report import gate
from mcubench.results.document import document
from mcubench.results.entry import MEASURED_KEYS, Entry
from mcubench.results.io import load_results

# budget key -> results key it limits (upper limits), written out again on purpose
LIMITS = {
    "max_cycles": "cycles",
    "max_cycles_per_frame": "cycles_per_frame",
    "max_flash_bytes": "flash_bytes",
    "max_ram_bytes": "ram_peak_bytes",
    "max_stack_bytes": "stack_peak_bytes",
}
CORRUPTIONS = ("negative", "null", "ram", "clock0", "worst_over_total", "error_without_message")


@st.composite
def entries(draw, name: str):
    """A real entry, or one with a single impossible thing about it (a third of them)."""
    frames = draw(st.integers(1, 4))
    per_frame, stack, static = (
        draw(st.integers(0, 5000)),
        draw(st.integers(0, 500)),
        draw(st.integers(0, 4000)),
    )
    status = draw(st.sampled_from(["pass", "pass", "fail", "error"]))
    e = Entry(
        name,
        "py32f003",
        status=status,
        cycles=per_frame * frames + draw(st.integers(0, 3)),
        cycles_per_frame=per_frame,
        frames=frames,
        flash_bytes=draw(st.integers(0, 40_000)),
        ram_static_bytes=static,
        stack_peak_bytes=stack,
        ram_peak_bytes=static + stack,
        clock_hz=24_000_000,
        bit_exact=draw(st.sampled_from([True, False, None])),
        error="build failed" if status == "error" else None,
        definition={"frames": frames},
    )
    corruption = draw(st.sampled_from([None, None, *CORRUPTIONS]))
    key = draw(st.sampled_from(MEASURED_KEYS))
    if corruption == "negative":
        setattr(e, key, -1)
    elif corruption == "null" and status != "error":
        setattr(e, key, None)
    elif corruption == "ram":
        e.ram_peak_bytes += 1
    elif corruption == "clock0":
        e.clock_hz = 0
    elif corruption == "worst_over_total":
        e.cycles_per_frame = e.cycles + 1
    elif corruption == "error_without_message" and status == "error":
        e.error = None
    keys = draw(st.lists(st.sampled_from([*LIMITS, "bit_exact"]), unique=True, max_size=3))
    e.budgets = {k: True if k == "bit_exact" else draw(st.integers(0, 20_000)) for k in keys}
    return e


def holds(e: dict) -> bool:
    """Every budget of the entry holds: the second reading."""
    for key, limit in e["budgets"].items():
        if key == "bit_exact":
            if limit and e["bit_exact"] is not True:
                return False
        elif e[LIMITS[key]] is None or e[LIMITS[key]] > limit:
            return False
    return True


def real(e: dict) -> bool:
    """Figures some run could produce."""
    if e["status"] == "error":
        return False
    values = [e[k] for k in MEASURED_KEYS]
    return (
        all(v is not None and v >= 0 for v in values)
        and e["clock_hz"] > 0
        and e["cycles_per_frame"] <= e["cycles"]
        and e["ram_peak_bytes"] == e["ram_static_bytes"] + e["stack_peak_bytes"]
    )


def acceptable(e: dict) -> bool:
    """What a results file may say: no negative count (no clock of 0) in any entry, an
    error with its message, and real figures in every other entry."""
    counts = [e[k] for k in (*MEASURED_KEYS, "frames") if e[k] is not None]
    if any(v < 0 for v in counts) or e["clock_hz"] == 0:
        return False
    return bool(e["error"]) if e["status"] == "error" else real(e)


FIR = SUITE_FILES_DIR / "fir_q15.toml"
OUTCOMES = {"passed": 0, "failed": 0, "refused": 0}


@settings(max_examples=300, deadline=None)
@given(data=st.data(), n=st.integers(1, 3), with_baseline=st.booleans())
def test_check_passes_only_real_figures_within_every_budget(tmp_path_factory, data, n, with_baseline):
    es = [data.draw(entries(f"b{i}")) for i in range(n)]
    folder = tmp_path_factory.mktemp("campaign")
    path = folder / "r.json"
    path.write_text(json.dumps(document(es)))
    try:
        results = load_results(path)
    except ConfigError:
        OUTCOMES["refused"] += 1
        assert not all(acceptable(e.as_dict()) for e in es)
        return
    assert all(acceptable(e) for e in results["results"])
    baseline = copy.deepcopy(results) if with_baseline else None
    if baseline is not None and data.draw(st.booleans()):  # the baseline was better somewhere
        for e in baseline["results"]:
            if e["cycles_per_frame"]:
                e["cycles_per_frame"] -= 1
    v = gate.check(results, baseline)
    if v.exit_code == 0:
        OUTCOMES["passed"] += 1
        for e in results["results"]:
            assert real(e) and holds(e), e
        if baseline is not None:
            old = {x["bench"]: x for x in baseline["results"]}
            assert all(
                e["cycles_per_frame"] <= old[e["bench"]]["cycles_per_frame"] for e in results["results"]
            )
    else:
        OUTCOMES["failed"] += 1
        assert not all(real(e) and holds(e) for e in results["results"]) or baseline is not None


@settings(max_examples=60, deadline=None)
@given(
    objective=st.one_of(
        st.sampled_from(POINT_FIGURES),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=20),
    ),
    goal=st.sampled_from(["max", "min"]),
)
def test_a_sweep_runs_only_for_an_objective_its_points_record(tmp_path_factory, objective, goal):
    """FIR has no model: only a figure of ENTRY_FIGURES or deadline_misses can rank it."""
    folder = tmp_path_factory.mktemp("sweep")
    path = folder / "s.toml"
    path.write_text(
        f'[sweep]\nname = "w"\nbase = "{FIR}"\nobjective = {{ figure = "{objective}", goal = "{goal}" }}\n'
        '[axes]\nopt = ["-Os", "-O2"]\n'
    )
    try:
        sweep = load_sweep(path)
    except ConfigError as exc:
        assert objective not in POINT_FIGURES or objective in ACCURACY_FIGURES, exc
        return
    assert sweep.objective == objective and objective in POINT_FIGURES and objective not in ACCURACY_FIGURES


def test_report_the_campaign():
    """Runs last in this file: every outcome happened (printed with -s)."""
    print(f"\nwrong-answer campaign (check): {OUTCOMES}")
    assert all(OUTCOMES.values()) and sum(OUTCOMES.values()) >= 300

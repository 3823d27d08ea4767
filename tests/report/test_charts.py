"""What the charts say: over-budget bars in red, budgets as ticks, a cycle budget drawn
on the CPU-load chart at the load it allows."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from mcubench.report import charts  # noqa: E402


def test_bars_over_their_budget_or_real_time_are_red_and_budgets_are_ticks():
    fig, ax = plt.subplots()
    charts._bars(ax, [0, 1, 2, 3], [50, 120, 80, 30], [60, None, 70, None], "tab:green", ceiling=100.0)
    colours = [p.get_facecolor() for p in ax.patches][:4]
    red, green = to_rgba("tab:red"), to_rgba("tab:green")
    assert colours == [green, red, red, green]  # 120 > real time, 80 > its budget 70
    ticks = [line for line in ax.get_lines() if line.get_label() == "budget"][0]
    assert list(ticks.get_xdata()) == [60, 70] and list(ticks.get_ydata()) == [0, 2]
    plt.close(fig)


def test_a_cycle_budget_shows_as_the_load_it_allows():
    entry = {"budgets": {"max_cycles_per_frame": 40_000}, "cycles_per_frame": 20_000, "cpu_load_pct": 25.0}
    assert charts._load_budget(entry) == 50.0  # the load scales with the cycles
    entry["budgets"]["max_cpu_load_pct"] = 30.0
    assert charts._load_budget(entry) == 30.0  # the tighter of the two
    assert charts._load_budget({"budgets": {}, "cycles_per_frame": 1, "cpu_load_pct": 1.0}) is None


def test_a_label_moves_past_a_budget_tick_that_would_cross_it():
    fig, ax = plt.subplots()
    charts._label(ax, 0, 50, 55, "50", span=100)  # the tick 5 past the bar: the label after it
    charts._label(ax, 1, 50, 90, "50", span=100)  # far out: the label stays by its bar
    assert [t.get_position()[0] for t in ax.texts] == [55, 50]
    plt.close(fig)


def test_a_sweep_on_cpu_load_is_not_plotted_against_itself(tmp_path, monkeypatch):
    axes_keys = []
    doc = {
        "name": "s",
        "target": "py32f003",
        "objective": {"figure": "cpu_load_pct", "goal": "min"},
        "points": [
            {
                "index": 0,
                "target": "py32f003",
                "status": "pass",
                "fits": True,
                "figures": {"cpu_load_pct": 40.0, "ram_peak_bytes": 900, "flash_bytes": 800},
            }
        ],
        "pareto": [0],
        "winner": 0,
        "points_done": 1,
        "points_total": 1,
    }
    from mcubench.report import sweep_chart as sc

    real = plt.Axes.set_xlabel
    monkeypatch.setattr(
        plt.Axes, "set_xlabel", lambda ax, text, *a, **k: axes_keys.append(text) or real(ax, text)
    )
    sc.sweep_chart(doc, tmp_path / "s.png")
    assert [k.split("\n")[0] for k in axes_keys] == [
        "RAM: static + worst-case stack (bytes)",
        "flash (bytes)",
    ]
    assert (tmp_path / "s.png").stat().st_size > 10_000


def test_fft_tables_label_each_capacity_once_and_mark_every_empty_slot(tmp_path, monkeypatch):
    rows = [
        {
            "variant": "a",
            "n": 256,
            "target": "py32f003",
            "status": "ok",
            "flash_bytes": 2000,
            "ram_bytes": 900,
            "cycles": 24_000,
            "error": None,
        },
        {
            "variant": "b",
            "n": 256,
            "target": "py32f003",
            "status": "does_not_fit",
            "over_bytes": 8,
            "error": "8 B over RAM",
            "flash_bytes": None,
            "ram_bytes": None,
            "cycles": None,
        },
    ]
    texts = []
    real = plt.Axes.text
    monkeypatch.setattr(
        plt.Axes, "text", lambda ax, x, y, s, *a, **k: texts.append(s) or real(ax, x, y, s, *a, **k)
    )
    charts.fft_chart(rows, tmp_path / "f.png", {"a": "variant a", "b": "variant b"}, (256,))
    assert texts.count("py32f003 flash 32,768 B") == 1 and texts.count("py32f003 SRAM 4,096 B") == 1
    assert texts.count("×") == 2  # b's flash and cycles: no figure, and said so

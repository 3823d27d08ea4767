"""The picture of a sweep: the objective against CPU load (with the real-time line at
100 %) and against RAM (with the chip's SRAM), every point that ran, the winner ringed
in red; points that do not fit the chip are hollow. The three-way Pareto front (objective, CPU
load, RAM) is ringed in green; the step line is each panel's own two-way front."""

from __future__ import annotations

from pathlib import Path

from mcubench.chip.targets import load_target
from mcubench.report.charts import _plt


def sweep_chart(doc: dict, path: Path) -> Path:
    plt = _plt()
    targets = sorted({r.get("target", doc["target"]) for r in doc["points"]} or {doc["target"]})
    srams = {t: load_target(t).sram.size for t in targets}
    figure = doc["objective"]["figure"]
    rows = [r for r in doc["points"] if r["status"] != "error" and r["figures"].get(figure) is not None]
    front = set(doc["pareto"])
    sign = 1.0 if doc["objective"]["goal"] == "max" else -1.0  # larger is better after sign
    fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True)
    flashes = {t: load_target(t).flash.size for t in targets}
    candidates = (
        ("cpu_load_pct", "worst hop's CPU load (%)", 100.0, "real time (100 %)"),
        ("ram_peak_bytes", "RAM: static + worst-case stack (bytes)", srams, "SRAM"),
        ("flash_bytes", "flash (bytes)", flashes, "flash"),
    )
    # never the objective against itself (a sweep minimising CPU load on a CPU-load axis)
    panels = [c for c in candidates if c[0] != figure][:2]
    for ax, (key, label, limit, limit_label) in zip(axes, panels):
        for fits in (True, False):
            sel = [r for r in rows if r["fits"] == fits and r["figures"].get(key) is not None]
            ax.scatter(
                [r["figures"][key] for r in sel],
                [r["figures"][figure] for r in sel],
                s=28,
                facecolors="tab:blue" if fits else "none",
                edgecolors="tab:blue" if fits else "tab:gray",
                label="fits" if fits else "does not fit",
            )
        best, top = [], float("-inf")  # this panel's own front: better than everything to its left
        for r in sorted(
            (r for r in rows if r["fits"] and r["figures"].get(key) is not None),
            key=lambda r: (r["figures"][key], -sign * r["figures"][figure]),
        ):
            if sign * r["figures"][figure] > top:
                best.append(r)
                top = sign * r["figures"][figure]
        on_front = [r for r in rows if r["index"] in front and r["figures"].get(key) is not None]
        ax.scatter(
            [r["figures"][key] for r in on_front],
            [r["figures"][figure] for r in on_front],
            s=60,
            facecolors="none",
            edgecolors="tab:green",
            label="Pareto front (objective, CPU, RAM)",
        )
        if best:
            ax.step(
                [r["figures"][key] for r in best],
                [r["figures"][figure] for r in best],
                where="post",
                color="tab:green",
                linewidth=1,
                label="best so far along this axis",
            )
        win = next((r for r in rows if r["index"] == doc["winner"]), None)
        if win is not None and win["figures"].get(key) is not None:
            ax.scatter(
                [win["figures"][key]],
                [win["figures"][figure]],
                s=160,
                facecolors="none",
                edgecolors="red",
                label="winner",
            )
        xs = [r["figures"][key] for r in rows if r["figures"].get(key) is not None]
        off = []  # a capacity far off the scale (an RP2040's 264 KiB beside 2 KiB points)
        for t, x in limit.items() if isinstance(limit, dict) else [(None, limit)]:
            name = limit_label if t is None else f"{t} {limit_label} {x:,} B"
            if t is not None and xs and x > 4 * max(xs):
                off.append(name)
                continue
            ax.axvline(x, color="red", linewidth=1.2, linestyle="--", label=name)
        ax.set_xlabel(label + (f"\n(off the scale: {', '.join(off)})" if off else ""))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    axes[0].set_ylabel(f"{figure} ({'higher' if sign > 0 else 'lower'} is better)")
    fig.suptitle(
        f"sweep {doc['name']} on {doc['target']}: {doc['points_done']} of {doc['points_total']} points"
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

"""PNG pictures of a results file, with matplotlib (Agg, no display needed).

memory.png: flash and peak RAM of each benchmark as a share of its chip's capacity.
realtime.png: cycles per frame as a share of the real-time budget at the target clock.
"""

from __future__ import annotations

from pathlib import Path

from .targets import load_target


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def memory_chart(doc: dict, path: Path) -> Path:
    plt = _plt()
    entries = [e for e in doc["results"] if e["flash_bytes"] is not None]
    labels = [f"{e['bench']}\n{e['target']}" for e in entries]
    flash = [100 * e["flash_bytes"] / load_target(e["target"]).flash.size for e in entries]
    ram = [100 * e["ram_peak_bytes"] / load_target(e["target"]).sram.size for e in entries]
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(entries) + 2), 4))
    xs = range(len(entries))
    ax.bar([x - 0.2 for x in xs], flash, 0.4, label="flash")
    ax.bar([x + 0.2 for x in xs], ram, 0.4, label="peak RAM (static + stack)")
    ax.axhline(100, color="red", linewidth=1)
    ax.set_xticks(list(xs), labels, fontsize=8)
    ax.set_ylabel("% of the chip's capacity")
    ax.set_title("Memory use against capacity")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def realtime_chart(doc: dict, path: Path) -> Path:
    plt = _plt()
    entries = [e for e in doc["results"] if e.get("cpu_load_pct") is not None]
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(entries) + 2), 4))
    xs = range(len(entries))
    ax.bar(list(xs), [e["cpu_load_pct"] for e in entries], 0.6, color="tab:green")
    ax.axhline(100, color="red", linewidth=1, label="real time")
    ax.set_xticks(list(xs), [f"{e['bench']}\n{e['target']} @ {e['clock_hz'] / 1e6:g} MHz" for e in entries],
                  fontsize=8)
    ax.set_ylabel("cycles per frame, % of the frame period")
    ax.set_title("CPU load per frame")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def all_charts(doc: dict, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return [memory_chart(doc, out_dir / "memory.png"), realtime_chart(doc, out_dir / "realtime.png")]

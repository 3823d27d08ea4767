"""PNG pictures of a results file, with matplotlib (Agg, no display needed).

memory.png: flash and peak RAM of each benchmark in bytes, per chip, with the chip's
capacity, the budgets and the change against the baseline.
realtime.png: the worst frame's CPU load against real time at the target clock.
logmel.png: the front end's log-mel in the emulator against the float reference.
stream_<app>_<target>.png: a streamed application (waveform, features, probabilities,
cycles per hop against real time).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mcubench.chip.targets import load_target


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _index(doc: dict | None) -> dict:
    return {(e["bench"], e["target"]): e for e in doc["results"]} if doc else {}


def _delta_text(new, old, unit: str = "") -> str:
    if old is None or new is None or new == old:
        return ""
    return f" ({new - old:+,}{unit})"


def _capacity_line(ax, capacity: int, top: float, label: str) -> str:
    """The chip's capacity as a red line; when it is far off the scale (an RP2040's 2 MiB
    beside kilobyte bars would flatten every bar), words for the title instead."""
    if capacity <= top * 1.6:
        ax.axvline(capacity, color="red", linewidth=1.2, label=f"{label} {capacity:,} B")
        ax.set_xlim(0, max(top, capacity) * 1.12)
        return ""
    ax.set_xlim(0, top * 1.25)
    return f"\n(capacity {capacity:,} B, off the scale)"


def _bars(ax, ys, values, limits, colour: str, ceiling: float | None = None) -> None:
    """Horizontal bars, red where over their limit (or over `ceiling`: real time), and
    each limit as a black tick."""
    over = [
        (b is not None and v > b) or (ceiling is not None and v > ceiling) for v, b in zip(values, limits)
    ]
    ax.barh(ys, values, 0.6, color=["tab:red" if o else colour for o in over])
    marks = [(y, b) for y, b in zip(ys, limits) if b is not None]
    if marks:
        ax.plot([b for _, b in marks], [y for y, _ in marks], "k|", markersize=14, mew=2, label="budget")
    if any(over):
        ax.barh([0], [0], color="tab:red", label="over budget")  # a legend entry, no bar


def _label(ax, y, value, limit, text: str, span: float) -> None:
    """The figure beside its bar; past the budget tick when the tick would cross it."""
    x = limit if limit is not None and value <= limit <= value + 0.15 * span else value
    ax.text(x, y, f"  {text}", va="center", fontsize=7)


def _load_budget(e: dict) -> float | None:
    """The tightest budget of an entry as CPU load: max_cpu_load_pct, or
    max_cycles_per_frame over the frame period (the load scales with cycles per frame)."""
    out = [e["budgets"].get("max_cpu_load_pct")]
    cycles_budget, cpf, load = (
        e["budgets"].get("max_cycles_per_frame"),
        e.get("cycles_per_frame"),
        e["cpu_load_pct"],
    )
    if cycles_budget is not None and cpf:
        out.append(cycles_budget * load / cpf)
    return min((b for b in out if b is not None), default=None)


def memory_chart(doc: dict, path: Path, baseline: dict | None = None) -> Path:
    """Flash and peak RAM in bytes, one row of panels per chip: each benchmark a bar (red
    when over its budget), the chip's capacity as a line and each budget as a tick, the
    change against the baseline written beside the bar, right of its tick."""
    plt = _plt()
    base = _index(baseline)
    entries = [e for e in doc["results"] if e["flash_bytes"] is not None]
    chips = sorted({e["target"] for e in entries})
    heights = [max(1.2, 0.32 * sum(e["target"] == c for e in entries) + 0.9) for c in chips]
    fig, axes = plt.subplots(
        len(chips), 2, figsize=(10, sum(heights) + 0.6), squeeze=False, gridspec_kw={"height_ratios": heights}
    )
    for row, chip in zip(axes, chips):
        target = load_target(chip)
        mine = sorted((e for e in entries if e["target"] == chip), key=lambda e: e["bench"], reverse=True)
        ys = np.arange(len(mine))
        for ax, key, budget_key, capacity, title in (
            (row[0], "flash_bytes", "max_flash_bytes", target.flash.size, "flash"),
            (row[1], "ram_peak_bytes", "max_ram_bytes", target.sram.size, "SRAM"),
        ):
            values = [e[key] or 0 for e in mine]
            limits = [e["budgets"].get(budget_key) for e in mine]
            colour = "tab:blue" if key == "flash_bytes" else "tab:orange"
            _bars(ax, ys, values, limits, colour)
            top = max([*values, *(b for b in limits if b is not None), 1])
            for y, v, b, e in zip(ys, values, limits, mine):
                old = base.get((e["bench"], e["target"]), {}).get(key)
                _label(ax, y, v, b, f"{v:,}{_delta_text(v, old)}", top)
            note = _capacity_line(ax, capacity, top, f"{chip} {title}")
            ax.set_yticks(ys, [e["bench"] for e in mine], fontsize=8)
            what = "flash" if key == "flash_bytes" else "peak RAM (static + stack)"
            ax.set_title(f"{chip}: {what}, bytes{note}", fontsize=9)
            ax.tick_params(axis="x", labelsize=7)
            ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(
        "Memory per benchmark" + (" (change against the baseline in brackets)" if base else ""), fontsize=10
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def realtime_chart(doc: dict, path: Path, baseline: dict | None = None) -> Path:
    """The worst frame's CPU load per benchmark (100% = real time at the target's clock),
    with its budget (max_cpu_load_pct, or max_cycles_per_frame as a load) as a tick, red
    when over it or over real time, and the change against the baseline beside each bar."""
    plt = _plt()
    base = _index(baseline)
    entries = sorted(
        (e for e in doc["results"] if e.get("cpu_load_pct") is not None),
        key=lambda e: (e["target"], e["bench"]),
        reverse=True,
    )
    fig, ax = plt.subplots(figsize=(10, 0.32 * len(entries) + 1.4))
    ys = np.arange(len(entries))
    loads = [e["cpu_load_pct"] for e in entries]
    limits = [_load_budget(e) for e in entries]
    span = max([*loads, *(b for b in limits if b is not None), 100]) * 1.2
    ax.axvline(100, color="red", linewidth=1.2, label="real time (100%)")
    _bars(ax, ys, loads, limits, "tab:green", ceiling=100.0)
    for y, v, b, e in zip(ys, loads, limits, entries):
        old = base.get((e["bench"], e["target"]), {}).get("cpu_load_pct")
        delta = f" ({v - old:+.1f} points)" if old is not None and old != v else ""
        _label(ax, y, v, b, f"{v:.1f}%{delta}", span)
    ax.set_xlim(0, span)
    ax.set_yticks(
        ys, [f"{e['bench']} ({e['target']} @ {e['clock_hz'] / 1e6:g} MHz)" for e in entries], fontsize=8
    )
    ax.set_xlabel("worst frame's cycles, % of the frame period", fontsize=8)
    ax.set_title("CPU load per frame", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def all_charts(
    doc: dict, out_dir: Path, logmel: dict | None = None, baseline: dict | None = None
) -> list[Path]:
    """memory.png and realtime.png from the document (with changes against the baseline);
    logmel.png from the data of bench.measure.logmel_picture, when given."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [
        memory_chart(doc, out_dir / "memory.png", baseline),
        realtime_chart(doc, out_dir / "realtime.png", baseline),
    ]
    if logmel is not None:
        paths.append(logmel_chart(logmel, out_dir / "logmel.png"))
    return paths


def logmel_chart(data: dict, path: Path) -> Path:
    """A front end's log-mel in the emulator next to the float reference, with the error
    (dB) over the bands that are scored (within 60 dB of the frame's peak). data: fw and
    ref [frames, bands] in dB, hop, target, title."""
    plt = _plt()
    fw, ref, hop = data["fw"], data["ref"], data["hop"]
    scored = (ref >= ref.max(axis=1, keepdims=True) - 60) & (ref > -99)
    err = np.where(scored, fw - ref, np.nan)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharey=True)
    vmin = max(float(ref.min()), float(ref.max()) - 80)
    for ax, image, title in (
        (axes[0], fw, f"firmware ({data['target']}, Q7.8)"),
        (axes[1], ref, "float reference"),
    ):
        im = ax.imshow(image.T, origin="lower", aspect="auto", vmin=vmin, vmax=float(ref.max()), cmap="magma")
        ax.set_title(title)
        ax.set_xlabel(f"frame ({hop} samples)")
    fig.colorbar(im, ax=axes[1], label="dB")
    lim = max(0.05, float(np.nanmax(np.abs(err))))
    im = axes[2].imshow(err.T, origin="lower", aspect="auto", cmap="coolwarm", vmin=-lim, vmax=lim)
    axes[2].set_title(f"error, dB (mean |e| {np.nanmean(np.abs(err)):.3f}, max {np.nanmax(np.abs(err)):.2f})")
    axes[2].set_xlabel(f"frame ({hop} samples)")
    fig.colorbar(im, ax=axes[2], label="dB")
    axes[0].set_ylabel("mel band")
    fig.suptitle(data["title"], fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _waveform_panel(ax, audio, hops: int, hop: int, t_hop) -> None:
    """The audio as min/max per hop, on a fixed -1..1 axis."""
    frames = np.asarray(audio[: hops * hop], dtype=float).reshape(hops, hop) / 32768
    half = (t_hop[1] - t_hop[0]) / 2 if len(t_hop) > 1 else t_hop[0] / 2
    ax.fill_between(t_hop - half, frames.min(axis=1), frames.max(axis=1), linewidth=0, step="mid")
    ax.set_ylim(-1, 1)
    ax.set_ylabel("audio\n(min/max per hop)", fontsize=8)


def _cycles_panel(ax, run, t_hop) -> None:
    """Cycles per hop against the real-time line, deadline misses marked."""
    ax.plot(t_hop, run.frame_cycles, linewidth=0.8, label="cycles per hop")
    ax.axhline(run.period_cycles, color="red", linewidth=1, label=f"one hop at {run.clock_hz / 1e6:g} MHz")
    misses = run.misses
    if len(misses):
        ax.plot(
            t_hop[misses],
            run.frame_cycles[misses],
            "rx",
            markersize=5,
            label=f"deadline missed ({len(misses)})",
        )
    ax.set_ylim(0, max(run.period_cycles, float(run.frame_cycles.max())) * 1.15)
    ax.set_ylabel("cycles", fontsize=8)
    ax.set_xlabel("time, s", fontsize=8)
    ax.legend(fontsize=7, loc="lower right")


def _finish(plt, fig, axes, path: Path, dpi: int, title: str) -> Path:
    for ax in axes:
        ax.tick_params(labelsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def stream_chart(
    path: Path, app, run, ref: dict, audio, dpi: int = 100, labels=None, segment: int = 0
) -> Path:
    """The picture of a stream (mcubench stream), readable at README width: waveform (with
    the labels of a labelled demo as a strip); firmware features against the float
    reference, each with its colour bar; class probabilities on a fixed 0-1 axis (firmware
    EMA solid, float EMA dashed); cycles per hop against the real-time line, deadline
    misses marked."""
    plt = _plt()
    hop, rate = app.hop, app.sample_rate
    hop_s = hop / rate
    t_hop = (np.arange(run.hops) + 1) * hop_s
    fig, axes = plt.subplots(
        5, 1, figsize=(9, 11), sharex=True, gridspec_kw={"height_ratios": [1, 1.4, 1.4, 1.5, 1.2]}
    )
    _waveform_panel(axes[0], audio, run.hops, hop, t_hop)
    if labels is not None and segment:
        seg_s = segment / rate
        for k, lab in enumerate(labels):
            if k * seg_s >= t_hop[-1]:
                break
            axes[0].axvspan(
                k * seg_s, (k + 1) * seg_s, ymin=0.9, ymax=1.0, color=f"C{int(lab) % 10}", alpha=0.5
            )
            axes[0].text(
                (k + 0.5) * seg_s,
                0.95,
                app.classes[int(lab)],
                ha="center",
                va="center",
                fontsize=6,
                transform=axes[0].get_xaxis_transform(),
            )
    if app.features == "logmel":
        fw, fl, unit, cmap, band = run.features / 256.0, ref["float_features"], "dB", "magma", "mel band"
        lo, hi = float(np.percentile(fl, 1)), float(np.max(fl))
    else:  # c1..c17 (c0, the level, would swamp the colour scale)
        fw, fl, unit, cmap, band = (
            run.features[:, 1:] / 32.0,
            ref["float_features"][:, 1:],
            "dB",
            "coolwarm",
            "MFCC",
        )
        hi = float(np.percentile(np.abs(fl), 99))
        lo = -hi
    for ax, data, title in ((axes[1], fw, "firmware"), (axes[2], fl, "float reference")):
        im = ax.imshow(
            data.T,
            origin="lower",
            aspect="auto",
            cmap=cmap,
            vmin=lo,
            vmax=hi,
            extent=(0, t_hop[-1], 0, data.shape[1]),
        )
        ax.set_ylabel(f"{title}\n{band}", fontsize=8)
        bar = fig.colorbar(im, ax=ax, pad=0.01, fraction=0.03)
        bar.set_label(unit, fontsize=7)
        bar.ax.tick_params(labelsize=7)
    colors = plt.cm.tab10(np.arange(len(app.classes)) % 10)
    for i, name in enumerate(app.classes):
        axes[3].plot(t_hop, run.ema[:, i] / 32768, color=colors[i], label=name, linewidth=1)
        if ref["float_ema"] is not None:
            axes[3].plot(t_hop, ref["float_ema"][:, i], color=colors[i], linestyle="--", linewidth=0.6)
    axes[3].plot([], [], color="gray", linewidth=1, label="firmware EMA")
    if ref["float_ema"] is not None:
        axes[3].plot([], [], color="gray", linestyle="--", linewidth=0.6, label="float EMA")
    axes[3].set_ylim(0, 1)
    axes[3].set_ylabel("P(class), EMA", fontsize=8)
    axes[3].legend(fontsize=6, ncol=6, loc="upper center", bbox_to_anchor=(0.5, -0.04), frameon=False)
    _cycles_panel(axes[4], run, t_hop)
    for ax in (axes[0], axes[3], axes[4]):  # the same width as the panels with a colour bar
        fig.colorbar(im, ax=ax, pad=0.01, fraction=0.03).ax.set_visible(False)
    return _finish(
        plt, fig, axes, path, dpi, f"{app.name} on {run.target}: {run.hops} hops of {hop_s * 1000:.3g} ms"
    )


def app_stream_chart(path: Path, app, run, audio, dpi: int = 100) -> Path:
    """The picture of a project's own app (mcubench stream): waveform, each output buffer
    per hop (its first values), cycles per hop against the real-time line."""
    plt = _plt()
    hop_s = app.hop / app.sample_rate
    t_hop = (np.arange(run.hops) + 1) * hop_s
    outputs = list(run.outputs.items())
    fig, axes = plt.subplots(2 + len(outputs), 1, figsize=(9, 2.2 * (2 + len(outputs))), sharex=True)
    _waveform_panel(axes[0], audio, run.hops, app.hop, t_hop)
    for ax, (symbol, values) in zip(axes[1:], outputs):
        v = np.asarray(values).reshape(run.hops, -1)
        for i in range(min(v.shape[1], 8)):
            ax.plot(t_hop, v[:, i], linewidth=0.8, label=f"[{i}]")
        ax.set_ylabel(symbol, fontsize=8)
        if v.shape[1] > 1:
            ax.legend(fontsize=6, ncol=8, loc="upper right")
    _cycles_panel(axes[-1], run, t_hop)
    return _finish(
        plt, fig, axes, path, dpi, f"{app.name} on {run.target}: {run.hops} hops of {hop_s * 1000:.3g} ms"
    )


def fft_chart(rows: list[dict], path: Path, variants: dict, sizes: tuple) -> Path:
    """Flash, RAM and cycles of each FFT variant and size, one row per chip (log scales),
    with the chip's flash and SRAM as lines; a build that does not fit is a hatched bar
    at capacity + overflow, and a slot with no figure a × (never an unexplained gap). The
    legend sits below the panels, never over a bar."""
    plt = _plt()
    chips = [t for t in ("py32f003", "rp2040") if any(r["target"] == t for r in rows)]
    chips += sorted({r["target"] for r in rows} - set(chips))
    fig, axes = plt.subplots(len(chips), 3, figsize=(13, 3.3 * len(chips) + 0.8), squeeze=False)
    width = 0.8 / len(variants)
    colors = plt.cm.tab10(np.arange(len(variants)) % 10)
    for row_axes, chip in zip(axes, chips):
        target = load_target(chip)
        for i, variant in enumerate(variants):
            xs = [k + (i - len(variants) / 2 + 0.5) * width for k in range(len(sizes))]
            for ax, key, capacity, region in (
                (row_axes[0], "flash_bytes", target.flash.size, "over flash"),
                (row_axes[1], "ram_bytes", target.sram.size, "over RAM"),
                (row_axes[2], "cycles", None, None),
            ):
                for x, n in zip(xs, sizes):
                    r = next(
                        (r for r in rows if (r["variant"], r["n"], r["target"]) == (variant, n, chip)), None
                    )
                    if r is not None and r["status"] == "ok":
                        ax.bar(x, r[key], width, color=colors[i])
                    elif (
                        r is not None and r["status"] == "does_not_fit" and capacity and region in r["error"]
                    ):
                        ax.bar(
                            x,
                            capacity + r["over_bytes"],
                            width,
                            color="white",
                            edgecolor=colors[i],
                            hatch="//",
                        )
                    else:  # no figure (it does not fit elsewhere, or was not built): say so, no gap
                        ax.text(
                            x,
                            0.02,
                            "×",
                            transform=ax.get_xaxis_transform(),
                            color=colors[i],
                            ha="center",
                            va="bottom",
                            fontsize=9,
                        )
        for ax, capacity, name in (  # once per panel, not once per variant
            (row_axes[0], target.flash.size, "flash"),
            (row_axes[1], target.sram.size, "SRAM"),
        ):
            ax.axhline(capacity, color="red", linewidth=1)
            ax.text(
                len(sizes) - 0.5,
                capacity,
                f"{chip} {name} {capacity:,} B",
                color="red",
                fontsize=7,
                ha="right",
                va="bottom",
            )
        for ax, title in zip(
            row_axes,
            ("flash bytes (whole image)", "RAM bytes (static + stack)", "cycles per transform (warm)"),
        ):
            ax.set_yscale("log")
            ax.set_xticks(range(len(sizes)), [f"N={n}" for n in sizes], fontsize=8)
            ax.set_title(f"{chip}: {title}", fontsize=9)
            ax.tick_params(axis="y", labelsize=7)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    handles: list = [Rectangle((0, 0), 1, 1, color=colors[i]) for i in range(len(variants))]
    handles.append(Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="black", hatch="//"))
    handles.append(Line2D([], [], marker="$×$", color="black", linestyle="none"))
    fig.legend(
        handles,
        [*variants.values(), "does not fit (capacity + overflow)", "no figure: does not fit or not built"],
        loc="lower center",
        ncol=3,
        fontsize=8,
        frameon=False,
    )
    fig.tight_layout(rect=(0, 0.09 if len(chips) > 1 else 0.14, 1, 1))
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path

"""PNG pictures of a results file, with matplotlib (Agg, no display needed).

memory.png: flash and peak RAM of each benchmark as a share of its chip's capacity.
realtime.png: cycles per frame as a share of the real-time budget at the target clock.
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


def _bars(n: int):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * n + 2), 4))
    return plt, fig, ax, list(range(n))


def _finish(plt, fig, ax, path: Path, labels, ylabel: str, title: str) -> Path:
    ax.axhline(100, color="red", linewidth=1, label="100%")
    ax.set_xticks(list(range(len(labels))), labels, fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def memory_chart(doc: dict, path: Path) -> Path:
    entries = [e for e in doc["results"] if e["flash_bytes"] is not None]
    plt, fig, ax, xs = _bars(len(entries))
    flash = [100 * e["flash_bytes"] / load_target(e["target"]).flash.size for e in entries]
    ram = [100 * e["ram_peak_bytes"] / load_target(e["target"]).sram.size for e in entries]
    ax.bar([x - 0.2 for x in xs], flash, 0.4, label="flash")
    ax.bar([x + 0.2 for x in xs], ram, 0.4, label="peak RAM (static + stack)")
    return _finish(
        plt,
        fig,
        ax,
        path,
        [f"{e['bench']}\n{e['target']}" for e in entries],
        "% of the chip's capacity",
        "Memory use against capacity",
    )


def realtime_chart(doc: dict, path: Path) -> Path:
    entries = [e for e in doc["results"] if e.get("cpu_load_pct") is not None]
    plt, fig, ax, xs = _bars(len(entries))
    ax.bar(xs, [e["cpu_load_pct"] for e in entries], 0.6, color="tab:green", label="worst frame")
    labels = [f"{e['bench']}\n{e['target']} @ {e['clock_hz'] / 1e6:g} MHz" for e in entries]
    return _finish(
        plt,
        fig,
        ax,
        path,
        labels,
        "cycles per frame, % of the frame period",
        "CPU load per frame (100% = real time)",
    )


def all_charts(doc: dict, out_dir: Path, logmel: dict | None = None) -> list[Path]:
    """memory.png and realtime.png from the document; logmel.png from the data of
    bench.measure.logmel_picture, when given."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [memory_chart(doc, out_dir / "memory.png"), realtime_chart(doc, out_dir / "realtime.png")]
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


def stream_chart(path: Path, app, run, ref: dict, audio, dpi: int = 80) -> Path:
    """The picture of a stream (mcubench stream): waveform; firmware features against the
    float reference; class probabilities (firmware EMA, float EMA dashed) over time;
    cycles per hop against the real-time line."""
    plt = _plt()
    cfg = app.config
    hop_s = cfg.hop / cfg.sample_rate
    t_hop = (np.arange(run.hops) + 1) * hop_s
    fig, axes = plt.subplots(
        5, 1, figsize=(11, 11), sharex=True, gridspec_kw={"height_ratios": [1, 1.4, 1.4, 1.4, 1.2]}
    )
    hops = np.asarray(audio[: run.hops * cfg.hop], dtype=float).reshape(run.hops, cfg.hop) / 32768
    axes[0].fill_between(t_hop - hop_s / 2, hops.min(axis=1), hops.max(axis=1), linewidth=0, step="mid")
    axes[0].set_ylabel("audio (min/max per hop)", fontsize=8)
    if app.features == "logmel":
        fw, fl, unit, cmap = run.features / 256.0, ref["float_features"], "log-mel, dB", "magma"
        lo, hi = float(np.percentile(fl, 1)), float(np.max(fl))
    else:  # c1..c17 (c0, the level, would swamp the colour scale)
        fw, fl, unit, cmap = (
            run.features[:, 1:] / 32.0,
            ref["float_features"][:, 1:],
            "MFCC 1-17, dB",
            "coolwarm",
        )
        hi = float(np.percentile(np.abs(fl), 99))
        lo = -hi
    for ax, data, title in ((axes[1], fw, f"firmware {unit}"), (axes[2], fl, f"float {unit}")):
        ax.imshow(
            data.T,
            origin="lower",
            aspect="auto",
            cmap=cmap,
            vmin=lo,
            vmax=hi,
            extent=(0, t_hop[-1], 0, data.shape[1]),
        )
        ax.set_ylabel(title, fontsize=8)
    colors = plt.cm.tab10(np.arange(len(app.classes)) % 10)
    for i, name in enumerate(app.classes):
        axes[3].plot(t_hop, run.ema[:, i] / 32768, color=colors[i], label=name, linewidth=1)
        if ref["float_ema"] is not None:
            axes[3].plot(t_hop, ref["float_ema"][:, i], color=colors[i], linestyle="--", linewidth=0.6)
    axes[3].set_ylabel("P(class), EMA")
    axes[3].legend(fontsize=7, ncol=5, loc="upper right")
    axes[4].plot(t_hop, run.frame_cycles, linewidth=0.8, label="cycles per hop")
    axes[4].axhline(
        run.period_cycles, color="red", linewidth=1, label=f"real time ({run.clock_hz / 1e6:g} MHz)"
    )
    axes[4].set_ylim(0, max(run.period_cycles, float(run.frame_cycles.max())) * 1.1)
    axes[4].set_ylabel("cycles")
    axes[4].set_xlabel("time, s")
    axes[4].legend(fontsize=7, loc="lower right")
    fig.suptitle(f"{app.name} on {run.target}: {run.hops} hops", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def fft_chart(rows: list[dict], path: Path, variants: dict, sizes: tuple) -> Path:
    """Flash and cycles of each FFT variant and size on the RP2040 (log scales)."""
    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.2))
    width = 0.8 / len(variants)
    for i, variant in enumerate(variants):
        flash, cycles = [], []
        for n in sizes:
            rp = next(
                (r for r in rows if (r["variant"], r["n"], r["target"]) == (variant, n, "rp2040")), None
            )
            flash.append(rp["flash_bytes"] if rp and rp["flash_bytes"] else 0)
            cycles.append(rp["cycles"] if rp and rp["cycles"] else 0)
        xs = [k + (i - len(variants) / 2 + 0.5) * width for k in range(len(sizes))]
        ax1.bar(xs, flash, width, label=variants[variant])
        ax2.bar(xs, cycles, width, label=variants[variant])
    ax1.axhline(32768, color="red", linewidth=1, label="PY32F003 flash (32 KiB)")
    for ax, title in ((ax1, "flash bytes (whole image)"), (ax2, "cycles per transform (RP2040, warm)")):
        ax.set_yscale("log")
        ax.set_xticks(range(len(sizes)), [f"N={n}" for n in sizes])
        ax.set_title(title)
    ax1.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path

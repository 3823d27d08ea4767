"""The docs' study tables, made from committed results files: results/studies/*.json
(written by scripts/make-studies.py), a sweep's results/sweep_<name>.json and
results/baseline.json. scripts/gen-docs-reference.py fills each between

    <!-- study table: KIND ARG ... -->
    <!-- end of study table -->

KIND ARG: `fft [variant=V,V] [n=N,N] [target=T,T]`, `wakeword`, `kernels`, `frontend-compare`,
`perf`, `stream-card BENCH@TARGET`, `sweep NAME BENCH`, `kernel-compare layers|models`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mcubench.report.tables import fft_table

ROOT = Path(__file__).resolve().parent.parent
STUDIES = ROOT / "results" / "studies"
MARKER = re.compile(r"(<!-- study table: (.*?) -->\n)(.*?)(<!-- end of study table -->)", re.S)


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def _table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows]) + "\n"


def fft(*filters: str) -> str:
    rows = _load(STUDIES / "fft-tables.json")["rows"]
    for f in filters:
        key, _, values = f.partition("=")
        wanted = values.split(",")
        rows = [r for r in rows if str(r[key]) in wanted]
    return fft_table(rows) + "\n"


def wakeword() -> str:
    runs = _load(STUDIES / "wakeword.json")["runs"]
    out = []
    for name in dict.fromkeys(r["model"] for r in runs):
        flash, sram = (
            next(r for r in runs if r["model"] == name and r["weights_in"] == w) for w in ("flash", "sram")
        )
        period = 0.030 * flash["clock_hz"]  # a 30 ms step: 3 feature frames of 10 ms
        out.append(
            [
                name,
                f"{flash['macs']:,}",
                f"{flash['cycles']:,}",
                f"{100 * flash['cycles'] / period:.1f}%",
                f"{sram['cycles']:,}",
                f"{100 * sram['cycles'] / period:.1f}%",
                f"{sram['cycles'] / sram['macs']:.1f}",
                f"{flash['flash_bytes']:,}",
                f"{flash['arena_bytes']:,}",
                f"{flash['state_bytes']:,}",
                f"{flash['ram_peak_bytes']:,} / {sram['ram_peak_bytes']:,}",
                "yes" if flash["bit_exact"] and sram["bit_exact"] else "NO",
            ]
        )
    head = ["model", "MACs", "weights in flash: cycles / step", "load", "weights in SRAM: cycles / step"]
    head += [
        "load",
        "cycles/MAC (SRAM)",
        "flash B",
        "arena B",
        "state B",
        "RAM peak B (flash / SRAM weights)",
    ]
    return _table(head + ["bit-exact"], out)


def kernels() -> str:
    """Cycles per MAC by operator: the fixture models on the PY32F003 and the wake-word
    models on the RP2040 with weights in SRAM, against the 6-cycle limit."""
    runs = _load(STUDIES / "kernels.json")["runs"]
    runs += [
        {**r, "model": r["model"], "target": "rp2040"}
        for r in _load(STUDIES / "wakeword.json")["runs"]
        if r["weights_in"] == "sram"
    ]
    rows = []
    for r in runs:
        by_op: dict[str, list] = {}
        for op in r["ops"]:
            by_op.setdefault(op["op"], []).append(op)
        for name, ops in by_op.items():
            cycles, macs = sum(o["cycles"] for o in ops), sum(o["macs"] for o in ops)
            each = [o["cycles"] / o["macs"] for o in ops]
            spread = f"{min(each):.1f} to {max(each):.1f}" if len(ops) > 1 else f"{each[0]:.1f}"
            rows.append(
                [
                    r["model"],
                    r["target"],
                    name,
                    str(len(ops)),
                    f"{macs:,}",
                    f"{cycles:,}",
                    f"{cycles / macs:.1f}",
                    spread,
                    f"{cycles / macs / 6:.1f}x",
                ]
            )
    head = ["model", "target", "operator", "count", "MACs", "cycles", "cycles/MAC", "per operator"]
    return _table(head + ["vs the 6-cycle limit"], rows)


def frontend_compare() -> str:
    shapes = _load(STUDIES / "frontend-compare.json")["shapes"]
    titles = list(shapes)
    head = ["signal"]
    for title in titles:
        short = title.split(" (")[0]
        head += [f"{short}: ours", "TFLite Micro"]

    def cell(r: dict) -> str:
        return f"{r['mean_abs_err_db']:.3f} / {r['max_abs_err_db']:.2f} / {r['snr_db']:.1f}"

    rows = []
    for signal in shapes[titles[0]]:
        row = [signal]
        for title in titles:
            row += [cell(shapes[title][signal]["ours"]), cell(shapes[title][signal]["tflm"])]
        rows.append(row)
    return _table(head, rows)


def perf() -> str:
    runs = _load(STUDIES / "perf.json")["runs"]
    rows = [
        [
            r["target"],
            f"{r['mips_no_hooks']:.1f}",
            f"{r['mips_native']:.1f}",
            f"{r['mips_python']:.1f}",
            f"{r['ratio_native_to_no_hooks']:.2f}",
            f"{r['ratio_native_to_python']:.1f}",
        ]
        for r in runs
    ]
    head = ["target", "(a) Unicorn, no hooks", "(b) cycle accounting, native", "(c) Python fallback"]
    return _table(head + ["b/a", "b/c"], rows)


def _entry(spec: str) -> dict:
    bench, target = spec.split("@")
    doc = _load(ROOT / "results" / "baseline.json")
    return next(e for e in doc["results"] if e["bench"] == bench and e["target"] == target)


def stream_card(spec: str) -> str:
    e = _entry(spec)
    x = e["extra"]
    # cycles in one hop at the clock: the margin is what the worst hop and one interrupt leave
    period = x["realtime_margin_cycles"] + e["cycles_per_frame"] + x["isr_cycles"]
    ms = 1000 * e["cycles_per_frame"] / e["clock_hz"]
    hop_ms = 1000 * period / e["clock_hz"]
    ram = f"{e['ram_peak_bytes']:,} B ({e['ram_static_bytes']:,} static + {e['stack_peak_bytes']:,} stack)"
    if e["budgets"].get("max_ram_bytes"):
        ram += f" of {e['budgets']['max_ram_bytes']:,}; {x['ram_margin_bytes']:,} B free"
    flash = f"{e['flash_bytes']:,} B"
    if e["budgets"].get("max_flash_bytes"):
        flash += f" of {e['budgets']['max_flash_bytes']:,}; {x['flash_margin_bytes']:,} B free"
    features = x["features_vs_float"]
    vs_float = f"mean error {features['mean_abs_err_db']:.3f} dB"
    if "snr_db" in features:
        vs_float = f"SNR {features['snr_db']:.1f} dB, " + vs_float
    rows = [
        [
            "cycles per hop min / median / p99 / max",
            " / ".join(f"{x[f'cycles_per_frame_{k}']:,}" for k in ("min", "median", "p99"))
            + f" / {e['cycles_per_frame']:,} ({ms:.2f} ms of {hop_ms:.2f} ms)",
        ],
        ["interrupt (handler + entry + exit)", f"{x['isr_cycles']:,} cycles"],
        [
            "CPU load / worst hop",
            f"{e['cpu_load_pct']:.1f}% / {100 * e['cycles_per_frame'] / period:.1f}%; "
            f"margin {x['realtime_margin_cycles']:,} cycles a hop",
        ],
        ["deadline misses", f"{x['deadline_misses']} of {x['hops']:,} hops"],
        ["RAM", ram],
        ["flash", flash],
        ["bit-exact (features, probabilities, EMA)", "yes, every hop" if e["bit_exact"] else "NO"],
        ["features vs float", vs_float],
        ["top class agrees with float", f"{x['top1_agreement_pct']:.0f}% of hops"],
        [
            "segments right at their end (EMA)",
            f"{round(x['segment_accuracy'] * x['segments'])} of {x['segments']}",
        ],
    ]
    bench, target = spec.split("@")
    return _table([f"{bench}, {target}, {e['clock_hz'] / 1e6:g} MHz", "measured"], rows)


def _figure(key: str, figures: dict) -> str:
    value = figures[key]
    return f"{100 * value:.1f}%" if key.startswith("accuracy") or key.endswith("_accuracy") else f"{value:,}"


def sweep(name: str, today: str) -> str:
    doc = _load(ROOT / "results" / f"sweep_{name}.json")
    winner = next(p for p in doc["points"] if p["index"] == doc["winner"])
    base = _entry(f"{today}@{doc['target']}")
    # today's design as a point of the sweep: the one whose figures are the baseline's
    same = [
        p
        for p in doc["points"]
        if p["status"] == "pass"
        and p["figures"]["cycles_per_frame"] == base["cycles_per_frame"]
        and p["figures"]["flash_bytes"] == base["flash_bytes"]
    ]
    if len(same) != 1:
        raise ValueError(f"sweep {name}: {len(same)} points have {today}'s figures (need exactly one)")
    points = {f"today's `{today}`": same[0], "the sweep's winner": winner}

    def setting(p: dict) -> str:
        return ", ".join(f"{k.split('.')[-1]} {v}" for k, v in p["point"].items())

    def row(title: str, fmt) -> list[str]:
        return [title] + [fmt(p) for p in points.values()]

    goal = doc["objective"]
    rows = [
        row("point", setting),
        row(f"{goal['figure']} (objective: {goal['goal']})", lambda p: _figure(goal["figure"], p["figures"])),
        row("worst hop (cycles)", lambda p: f"{p['figures']['cycles_per_frame']:,}"),
        row(
            f"CPU load at {winner['figures']['clock_hz'] / 1e6:g} MHz",
            lambda p: f"{p['figures']['cpu_load_pct']:.1f}%",
        ),
        row("RAM peak B", lambda p: f"{p['figures']['ram_peak_bytes']:,}"),
        row("flash B", lambda p: f"{p['figures']['flash_bytes']:,}"),
        row("bit-exact", lambda p: "yes" if p["figures"]["bit_exact"] else "NO"),
    ]
    return _table([""] + list(points), rows)


# Published CoreMark/MHz figures, with where they come from (none found for the STM32 parts
# in their datasheets or reference manuals).
PUBLISHED = {
    "atsamd21g18": (2.46, "SAM D21 datasheet DS40001882, 'Description': 2.46 CoreMark/MHz at up to 48 MHz"),
}


def coremark() -> str:
    runs = _load(STUDIES / "coremark.json")["runs"]
    zero = {r["target"]: r["coremark_per_mhz"] for r in runs if r["wait_states"] == 0}
    rows = []
    for r in runs:
        acr = "reset" if r["flash_acr"] is None else f"0x{r['flash_acr']:x}"
        base = zero.get(r["target"])
        vs = f"{100 * (r['coremark_per_mhz'] / base - 1):+.1f}%" if base and r["wait_states"] else "-"
        published = PUBLISHED.get(r["target"])
        rows.append(
            [
                r["target"],
                f"{r['clock_hz'] / 1e6:g}",
                str(r["wait_states"]),
                acr,
                f"{r['cycles']:,}",
                f"{r['coremark_per_mhz']:.3f}",
                vs,
                f"{published[0]:.2f}" if published and r["wait_states"] else "-",
            ]
        )
    head = ["chip", "MHz", "wait states", "flash control", "cycles (10 iterations)", "CoreMark/MHz"]
    return _table(head + ["vs no wait states", "published"], rows)


LIBRARIES = ("mcubench", "cmsis-nn", "tflm-ref -O2", "tflm-ref -O3")


def kernel_compare(what: str) -> str:
    """Each library's cycles per MAC per layer (`layers`: layers of one shape in one model
    as one row) or its cycles over all the weighted layers (`models`), measured by
    `mcubench model --compare-kernels` on the RP2040, weights in SRAM; the best in bold."""
    doc = _load(STUDIES / "kernel-compare.json")

    def exact(layers) -> str:  # "yes", or the libraries whose output differs
        differ = [k for k in LIBRARIES if not all(x["bit_exact"][k] for x in layers)]
        return "yes" if not differ else "not " + ", ".join(differ)

    rows = []
    for run in doc["runs"]:
        if what == "models":
            totals = run["total_cycles"]
            best = min(totals.values())
            other = min(v for k, v in totals.items() if k != "mcubench")
            cells = [f"**{totals[k]:,}**" if totals[k] == best else f"{totals[k]:,}" for k in LIBRARIES]
            rows.append([run["model"], *cells, f"{totals['mcubench'] / other:.2f}", exact(run["layers"])])
            continue
        groups: dict[str, list] = {}
        for layer in run["layers"]:
            groups.setdefault(layer["shape"], []).append(layer)
        for shape, layers in groups.items():  # layers of one shape: their cycles summed
            macs = sum(x["macs"] for x in layers)
            cycles = [sum(x["cycles"][k] for x in layers) for k in LIBRARIES]
            best = min(cycles)
            cells = [f"**{c / macs:.2f}**" if c == best else f"{c / macs:.2f}" for c in cycles]
            ratio = cycles[0] / min(cycles[1:])
            rows.append(
                [
                    run["model"],
                    shape,
                    str(len(layers)),
                    f"{macs:,}",
                    *cells,
                    "6",
                    f"{ratio:.2f}",
                    exact(layers),
                ]
            )
    if what == "models":
        head = ["model", *(f"{k} cycles" for k in LIBRARIES), "ours / best other", "bit-exact"]
        return _table(head, rows)
    head = ["model", "layer", "count", "MACs", *LIBRARIES, "M0+ limit", "ours / best other", "bit-exact"]
    return _table(head, rows)


KINDS = {
    "coremark": coremark,
    "kernel-compare": kernel_compare,
    "fft": fft,
    "wakeword": wakeword,
    "kernels": kernels,
    "frontend-compare": frontend_compare,
    "perf": perf,
    "stream-card": stream_card,
    "sweep": sweep,
}


def fill(text: str) -> str:
    def one(m: re.Match) -> str:
        kind, *args = m.group(2).split()
        return m.group(1) + "\n" + KINDS[kind](*args).rstrip("\n") + "\n\n" + m.group(4)

    return MARKER.sub(one, text)

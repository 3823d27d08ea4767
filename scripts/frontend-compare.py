#!/usr/bin/env python3
"""Our Q15 front end against the TFLite Micro front end, like for like: the same shape
(window, hop, 40 bands, log), the same audio, each scored against its own float design
with one scoring (dsp/frontend.score_db), beside cycles, flash and RAM from a results
file. The accuracy is computed with the host twins, which the suite holds bit-exact to
the firmware on its chips (ours: dsp/frontend.py; theirs: the pinned sources built for
the host). The TFLite front end is scored in its plain form (noise reduction and PCAN
off): those adapt to the signal and have no float design to score against.

Usage: .venv/bin/python scripts/frontend-compare.py [--results results/latest.json]
           [--json-file results/studies/frontend-compare.json]

With --json-file the accuracies are also written as JSON (the docs' table is generated
from the committed copy, scripts/make-studies.py writes it).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from mcubench.build import host_microfrontend as hm
from mcubench.data.signals import generate
from mcubench.dsp import frontend as fm
from mcubench.dsp import tflm_float as tf
from mcubench.dsp.config import get_config
from mcubench.results.document import header

ROOT = Path(__file__).resolve().parents[1]
SIGNALS = {
    "speech": {"kind": "speech"},
    "noise": {"kind": "noise"},
    "tone 1 kHz -20 dBFS": {"kind": "sine", "freq": 1000.0, "level_dbfs": -20.0},
    "chirp 100 Hz-8 kHz": {"kind": "chirp", "f0": 100.0},
}
SHAPES = {  # name: (step_ms, our config, our benchmark, their plain benchmark, theirs full)
    "micro_speech (30 ms window, 20 ms hop)": (
        20,
        "speech16k",
        "frontend_speech16k",
        "tflm_frontend_speech_plain",
        "tflm_frontend_speech",
    ),
    "microWakeWord (30 ms window, 10 ms hop)": (
        10,
        "mww16k",
        "frontend_mww16k",
        "tflm_frontend_mww_plain",
        "tflm_frontend_mww",
    ),
}


def ours(config: str, x):
    cfg = get_config(config)
    return fm.accuracy(cfg, fm.logmel(cfg, x), fm.frames_of(cfg, x))


def theirs(step_ms: int, x):
    shape = tf.TflmShape(step_ms=step_ms)
    got = hm.features(hm.Shape(step_ms=step_ms, noise_reduction=False, pcan=False), x)
    first, frames = tf.frames_of(shape, x)
    return tf.accuracy(shape, got[first:], frames)


def cost_rows(results: dict, benches: list[tuple[str, str]]) -> list[str]:
    rows = []
    for label, bench in benches:
        for target in ("py32f003", "rp2040"):
            r = next((r for r in results["results"] if r["bench"] == bench and r["target"] == target), None)
            if r is None or r.get("status") != "pass":
                if target == "py32f003":
                    rows.append(f"| {label} | py32f003 | does not fit (4 KiB SRAM) | | | | |")
                continue
            mean = r["extra"].get("cycles_per_frame_mean")
            rows.append(
                f"| {label} | {target} | {r['cycles_per_frame']:,} | {mean:,} | {r['flash_bytes']:,} | "
                f"{r['ram_peak_bytes']:,} | {r['cpu_load_pct']:.1f}% |"
            )
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", default=str(ROOT / "results" / "latest.json"))
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--json-file", help="also write the accuracies here as JSON")
    args = ap.parse_args()
    results = json.loads(Path(args.results).read_text())
    n = int(16000 * args.seconds)
    study = {**header(), "study": "frontend-compare", "seconds": args.seconds, "shapes": {}}
    for title, (step, config, our_bench, their_plain, their_full) in SHAPES.items():
        print(f"\n{title}: cost per hop ({Path(args.results).name})\n")
        print("| front end | chip | worst hop (cycles) | mean hop | flash B | RAM peak B | CPU load |")
        print("|---|---|---|---|---|---|---|")
        benches = [("ours (Q15)", our_bench), ("TFLite Micro, plain", their_plain)]
        benches.append(("TFLite Micro, NR + PCAN", their_full))
        print("\n".join(cost_rows(results, benches)))
        print(f"\n{title}: mean / max abs band-energy error (dB), energy SNR (dB), each against")
        print("its own float design\n")
        print("| signal | ours | TFLite Micro (plain) |")
        print("|---|---|---|")
        rows = study["shapes"][title] = {}
        for name, spec in SIGNALS.items():
            x = generate(spec, n, 16000)
            a, b = ours(config, x), theirs(step, x)
            keep = ("mean_abs_err_db", "max_abs_err_db", "snr_db")
            rows[name] = {
                "ours": {k: round(a[k], 4) for k in keep},
                "tflm": {k: round(b[k], 4) for k in keep},
            }
            cell = lambda r: f"{r['mean_abs_err_db']:.3f} / {r['max_abs_err_db']:.2f} / {r['snr_db']:.1f}"  # noqa: E731
            print(f"| {name} | {cell(a)} | {cell(b)} |")
    if args.json_file:
        Path(args.json_file).write_text(json.dumps(study, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`mcubench stream WAV --app NAME`: a WAV through a seed application on the emulated chip.

Prints (or, with --json, writes to stdout) the per-hop cycle figures, CPU load,
deadline misses, stack, RAM, flash and the comparison with the bit-exact and float
pipelines; draws the stream's PNG; --dump writes every hop's numbers to an .npz.
Exit code 0 when the firmware matched the bit-exact pipeline and missed no deadline,
1 when not, 2 for bad input (a WAV that cannot be read, an unknown app).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from mcubench.apps.app import get_app
from mcubench.base.project import current
from mcubench.bench.app_bench import stream_document
from mcubench.cli.output import print_json
from mcubench.data.wav import read_wav, to_app_audio
from mcubench.report.charts import app_stream_chart, stream_chart


def _print_table(doc: dict, png: Path | None) -> None:
    f, acc = doc["frame_cycles"], doc["accuracy"]
    ms = 1000 / doc["clock_hz"]
    print(
        f"{doc['app']} on {doc['target']} at {doc['clock_hz'] / 1e6:g} MHz: {doc['hops']} hops, "
        f"one hop = {doc['period_cycles']:,.0f} cycles"
    )
    print(
        f"  cycles per hop   min {f['min']:,}  median {f['median']:,}  p99 {f['p99']:,}  max {f['max']:,} "
        f"({f['max'] * ms:.2f} ms)"
    )
    print(f"  interrupt        {doc['isr_cycles']:,} cycles (entry and exit included)")
    print(
        f"  CPU load         {doc['cpu_load_pct']:.1f}% (worst hop {doc['worst_frame_load_pct']:.1f}%), "
        f"margin {doc['realtime_margin_cycles']:,} cycles"
    )
    print(f"  deadline misses  {doc['deadline_misses']}")
    print(
        f"  RAM              {doc['ram_peak_bytes']:,} B (static {doc['ram_static_bytes']:,} + stack "
        f"{doc['stack_peak_bytes']}), {doc['ram_margin_bytes']:,} B free"
    )
    print(f"  flash            {doc['flash_bytes']:,} B, {doc['flash_margin_bytes']:,} B free")
    if acc["bit_exact"] is None:
        print("  bit-exact        - (the app names no reference)")
    else:
        exact = "yes" if acc["bit_exact"] else f"NO ({acc['mismatched_hops']} hops differ)"
        what = "features, probabilities, EMA" if "features_vs_float" in acc else "its reference"
        print(f"  bit-exact        {exact} (against {what})")
    if "features_vs_float" in acc:
        _print_float_comparison(acc)
    print(f"  picture          {png or '-'}")
    if "profile_cycles_per_hop" in doc:
        total = sum(doc["profile_cycles_per_hop"].values())
        print("  cycles per hop by function (self time, the largest):")
        for name, cycles in list(doc["profile_cycles_per_hop"].items())[:15]:
            print(f"    {cycles:>12,.0f}  {100 * cycles / total:5.1f}%  {name}")


def _print_float_comparison(acc: dict) -> None:
    fv = acc["features_vs_float"]
    snr = f"SNR {fv['snr_db']:.1f} dB, " if "snr_db" in fv else ""
    print(
        f"  vs float         features: {snr}mean |err| {fv['mean_abs_err_db']:.3f} dB, "
        f"max {fv['max_abs_err_db']:.2f} dB"
    )
    if "probs_vs_float" in acc:
        pv = acc["probs_vs_float"]
        print(
            f"                   top class agrees {pv['top1_agreement_pct']:.1f}% of hops "
            f"({pv['ema_top1_agreement_pct']:.1f}% after EMA), mean |dP| {pv['mean_abs_prob_err']:.3f}"
        )


def run_stream_command(args) -> int:
    app = get_app(args.app)
    notices: list[str] = []
    audio = to_app_audio(read_wav(args.wav), app.sample_rate, notices)
    for n in notices:
        print(f"mcubench: notice: {args.wav}: {n}", file=sys.stderr)
    doc, run, ref = stream_document(app, audio, args.target, args.clock, args.profile)
    doc["wav"] = str(args.wav)
    png = Path(args.png) if args.png else None
    if png is None and (app.seed or current().root is not None):
        png = current().require("stream (without --png)").results_dir / f"stream_{app.name}_{run.target}.png"
    assert ref is not None or not app.seed  # a seed app's bit-exact pipeline
    if png is not None and app.seed and ref is not None:  # features and class probabilities
        stream_chart(png, app, run, ref, audio[: run.hops * app.hop])
    elif png is not None:  # a project's app: its own outputs and the cycles
        app_stream_chart(png, app, run, audio[: run.hops * app.hop])
    if args.dump:
        arrays: dict[str, Any] = {
            "frame_cycles": run.frame_cycles,
            "isr_cycles": run.isr_cycles,
            "finish": run.finish,
        }
        if app.seed and ref is not None:
            arrays.update(
                features=run.features,
                probs=run.probs,
                ema=run.ema,
                ref_features=ref["features"],
                ref_probs=ref["probs"],
                ref_ema=ref["ema"],
                float_features=ref["float_features"],
            )
            if ref["float_probs"] is not None:
                arrays.update(float_probs=ref["float_probs"], float_ema=ref["float_ema"])
        else:  # a project's app: its buffers by symbol name
            arrays.update(run.outputs)
            arrays.update({f"ref_{k}": v for k, v in (ref or {}).items()})
        np.savez(args.dump, **arrays)  # pyright: ignore[reportArgumentType]  # numpy's stub types **kwds narrowly
    if args.json:
        print_json(doc)
    else:
        _print_table(doc, png)
    exact = doc["accuracy"]["bit_exact"] is not False  # None: no reference to hold it against
    return 0 if exact and doc["deadline_misses"] == 0 else 1

"""A streaming application as a suite benchmark (`app = ...` in benchmarks/*.toml): the
app streams its audio (a WAV, or a labelled demo stream from its task's test split)
through the DMA/interrupt/main-loop harness, and the run becomes a results entry:
worst hop as cycles_per_frame, the whole stream's CPU load, whole-firmware flash and
RAM (static + worst-case stack), bit-exactness of features, probabilities and EMA, and
the stream's figures in "extra". The demo WAV and the stream picture go back to the
parent as artifacts."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mcubench.apps import stream
from mcubench.apps.app import App, get_app
from mcubench.apps.app_reference import demo_audio, reference, segment_accuracy
from mcubench.base.errors import ConfigError
from mcubench.base.project import current
from mcubench.bench.outcome import DemoWav, Measured, StreamPicture
from mcubench.bench.suite import Benchmark
from mcubench.data.signals import generate
from mcubench.data.wav import read_wav, to_app_audio
from mcubench.results.document import header
from mcubench.results.entry import Entry


def stream_document(
    app: App, audio, target=None, clock=None, profile=False
) -> tuple[dict, stream.StreamRun, dict | None]:
    """The stream run, its document (header, figures, accuracy) and the references."""
    run = stream.run(app, audio, target, clock, profile=profile)
    ref = reference(app, audio)
    doc = {**header(), **stream.summary(run), "accuracy": stream.compare(app, run, ref)}
    if profile and run.profile is not None:  # cycles per hop, interrupts included
        doc["profile_cycles_per_hop"] = {k: round(v / run.hops, 1) for k, v in run.profile.items()}
    return doc, run, ref


def audio_for(bench: Benchmark, app: App) -> tuple[np.ndarray, np.ndarray | None, int, list]:
    """(int16 audio, labels or None, samples per labelled segment, artifacts)."""
    if "wav" in bench.stream:
        return to_app_audio(read_wav(bench.stream["wav"]), app.sample_rate), None, 0, []
    if not app.seed:  # a project's app: its generator, `frames` hops of it
        if not bench.generator:
            raise ConfigError(f"{bench.path}: app {app.name} needs stream = {{ wav = ... }} or a generator")
        return generate(bench.generator, app.hop * (bench.frames or 100), app.sample_rate), None, 0, []
    audio, labels, seg = demo_audio(app, int(bench.stream.get("per_class", 1)), bench.stream.get("seconds"))
    wav = DemoWav(current().results_dir / f"stream_{bench.name}_demo.wav", audio, app.sample_rate)
    return audio, labels, seg, [wav]


def bench_app(bench: Benchmark) -> App:
    """The benchmark's app, with the front end, model and -O level the benchmark sets."""
    assert bench.app is not None  # only app benchmarks come here
    app = get_app(bench.app)
    return replace(app, **bench.app_overrides) if bench.app_overrides else app


def measure_app(bench: Benchmark, target_name: str) -> Measured:
    app = bench_app(bench)
    audio, labels, seg, artifacts = audio_for(bench, app)
    doc, run, ref = stream_document(app, audio, target_name, bench.clock_hz)
    if app.seed:  # the picture shows features and class probabilities
        assert ref is not None  # a seed app's bit-exact pipeline
        artifacts.append(
            StreamPicture(
                current().results_dir / f"stream_{bench.name}_{target_name}.png",
                app,
                run,
                ref,
                audio[: run.hops * app.hop],
                labels,
                seg,
            )
        )
    acc, f = doc["accuracy"], doc["frame_cycles"]
    entry = Entry(
        bench.name,
        target_name,
        cycles=int(run.frame_cycles.sum() + run.isr_cycles.sum()),
        cycles_per_frame=f["max"],
        frames=doc["hops"],
        clock_hz=doc["clock_hz"],
        cpu_load_pct=doc["cpu_load_pct"],
        flash_bytes=doc["flash_bytes"],
        ram_static_bytes=doc["ram_static_bytes"],
        stack_peak_bytes=doc["stack_peak_bytes"],
        ram_peak_bytes=doc["ram_peak_bytes"],
        bit_exact=acc["bit_exact"],
        max_abs_err=acc["max_abs_diff"],
    )
    entry.extra = {
        "hops": doc["hops"],
        "cycles_per_frame_min": f["min"],
        "cycles_per_frame_median": f["median"],
        "cycles_per_frame_p99": f["p99"],
        "cycles_per_frame_mean": f["mean"],
        "isr_cycles": doc["isr_cycles"],
        "deadline_misses": doc["deadline_misses"],
        "realtime_margin_cycles": doc["realtime_margin_cycles"],
        "ram_margin_bytes": doc["ram_margin_bytes"],
        "flash_margin_bytes": doc["flash_margin_bytes"],
        "stack_main_bytes": doc["stack_main_bytes"],
        "stack_isr_bytes": doc["stack_isr_bytes"],
        "mismatched_hops": acc["mismatched_hops"],
        **({"features_vs_float": acc["features_vs_float"]} if "features_vs_float" in acc else {}),
        **acc.get("probs_vs_float", {}),
    }
    if labels is not None:
        entry.extra["segments"] = int(len(labels))
        entry.extra["segment_accuracy"] = round(segment_accuracy(run.ema, labels, seg, app.hop), 4)
    return Measured(entry, artifacts)

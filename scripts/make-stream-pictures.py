#!/usr/bin/env python3
"""Regenerate the README's stream pictures (docs/stream_<app>.png): each seed application
on its demo stream (the one `make bench` writes to results/stream_<app>_demo.wav),
drawn at a small size and reduced to a 256-colour palette to keep the repository light.
Usage: .venv/bin/python scripts/make-stream-pictures.py"""

from pathlib import Path

from PIL import Image

from mcubench.apps import app as apps
from mcubench.apps import app_reference
from mcubench.cli.stream_command import stream_document
from mcubench.report.charts import stream_chart

for name, kw in (("py32_sed", {"per_class": 3}), ("rp2040_genre", {"per_class": 1, "seconds": 1.5})):
    app = apps.get_app(name)
    audio, _, _ = app_reference.demo_audio(app, **kw)
    doc, run, ref = stream_document(app, audio)
    path = stream_chart(Path("docs") / f"stream_{name}.png", app, run, ref, audio, dpi=60)
    Image.open(path).convert("RGB").quantize(256).save(path, optimize=True)
    print(
        f"{path}: {doc['hops']} hops, bit-exact {doc['accuracy']['bit_exact']}, {path.stat().st_size:,} bytes"
    )

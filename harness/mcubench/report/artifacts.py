"""Write the files a benchmark run asked for (bench/outcome.py): the workers return
data, and the parent process writes the demo WAVs and draws the stream pictures."""

from __future__ import annotations

from pathlib import Path

from mcubench.bench.outcome import DemoWav, Measured, StreamPicture
from mcubench.data.wav import write_wav
from mcubench.report.charts import stream_chart


def write_artifacts(outcomes: list[Measured]) -> list[Path]:
    written = []
    for m in outcomes:
        for a in m.artifacts:
            if isinstance(a, DemoWav):
                a.path.parent.mkdir(parents=True, exist_ok=True)
                write_wav(a.path, a.audio, a.sample_rate)
            elif isinstance(a, StreamPicture):
                stream_chart(a.path, a.app, a.run, a.ref, a.audio, labels=a.labels, segment=a.segment)
            written.append(a.path)
    return written

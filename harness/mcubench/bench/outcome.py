"""What a benchmark run hands back to the parent process: its results entry, and the
files it asks the parent to write (workers return data; the parent writes files)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mcubench.results.entry import Entry


@dataclass
class DemoWav:
    """A labelled demo stream, kept for `mcubench stream`."""

    path: Path
    audio: np.ndarray
    sample_rate: int


@dataclass
class StreamPicture:
    """The picture of a streamed application (report/charts.py draws it)."""

    path: Path
    app: object  # apps.app.App
    run: object  # apps.stream.StreamRun
    ref: dict
    audio: np.ndarray
    labels: np.ndarray | None = None  # a labelled demo: the class of each segment
    segment: int = 0  # samples per segment


@dataclass
class Measured:
    entry: Entry
    artifacts: list = field(default_factory=list)  # DemoWav and StreamPicture

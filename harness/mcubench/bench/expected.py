"""What a reference returns: the exact output the firmware must produce, and optionally
a function scoring the firmware's output against a float reference."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass
class Expected:
    exact: np.ndarray
    float_metrics: Callable[[np.ndarray], dict] | None = None

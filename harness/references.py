"""Input generators and Python references for the suite, by name.

A generator makes a benchmark's input deterministically from its TOML parameters; a
reference computes, independently of the firmware, what the output must be. The
firmware's own constant tables are read from the ELF, so a reference checks the
arithmetic, not a copy of the table.
"""

from __future__ import annotations

import numpy as np


def gen_noise(n: int, seed: int = 1, level_dbfs: float = -6.0, **_) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) * (32767 * 10 ** (level_dbfs / 20))
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def gen_sine(n: int, freq: float = 0.05, level_dbfs: float = -3.0, **_) -> np.ndarray:
    x = 32767 * 10 ** (level_dbfs / 20) * np.sin(2 * np.pi * freq * np.arange(n))
    return np.round(x).astype(np.int16)


def ref_fir_q15(image, x: np.ndarray) -> np.ndarray:
    """y[n] = sat16((sum h[k] x[n-k] + 2^14) >> 15) with zero history."""
    sym = image.symbol("fir_coeffs", "object")
    h = np.frombuffer(image.read_initial(sym.addr, sym.size), dtype="<i2").astype(np.int64)
    acc = np.convolve(x.astype(np.int64), h)[: len(x)] + (1 << 14)
    return np.clip(acc >> 15, -32768, 32767).astype(np.int16)


GENERATORS = {"noise": gen_noise, "sine": gen_sine}
REFERENCES = {"fir_q15": ref_fir_q15}

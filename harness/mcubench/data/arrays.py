"""Inputs and expected outputs from a project's data files: .npy arrays or WAV audio.

A benchmark may feed recorded data instead of a generator (`[benchmark.input] file =
"data/x.npy"` or a WAV) and compare with stored outputs (`[benchmark.output] expected =
"data/y.npy"`). A file that is not a plain numeric array, or does not fit the buffer's
type, is one line saying so; pickled objects are never loaded.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from mcubench.base.errors import ConfigError
from mcubench.base.files import read_input
from mcubench.data.wav import read_wav

MAX_ARRAY_BYTES = 1 << 30
# The buffer types benchmark and app files name, as numpy dtype strings (little-endian).
DTYPES = {
    "int8": "<i1",
    "int16": "<i2",
    "int32": "<i4",
    "uint8": "<u1",
    "uint16": "<u2",
    "uint32": "<u4",
    "float32": "<f4",
}


def read_array(path: Path, dtype: str | None) -> np.ndarray:
    """A 1-D array of `dtype` from a .npy file or a WAV (first channel; PCM/float audio
    scaled to the integer type's full range). dtype None keeps a .npy file's own type
    (little-endian)."""
    path = Path(path)
    if path.suffix.lower() == ".wav":
        dtype = dtype or "<i2"
        samples = read_wav(path).samples[:, 0]
        info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
        if info is None:
            return samples.astype(dtype)
        return np.clip(np.round(samples * (info.max + 1)), info.min, info.max).astype(dtype)
    if path.suffix.lower() != ".npy":
        raise ConfigError(f"{path}: data files are .npy or .wav")
    data = read_input(path, MAX_ARRAY_BYTES, ConfigError, "a .npy file")
    try:
        arr = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise ConfigError(f"{path}: not a .npy array ({exc})") from None
    if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "iuf":
        raise ConfigError(f"{path}: holds {getattr(arr, 'dtype', type(arr))}, not numbers")
    flat = arr.ravel()
    if dtype is None:
        return flat.astype(flat.dtype.newbyteorder("<"))
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        if flat.dtype.kind == "f" and not np.all(np.isfinite(flat) & (flat == np.round(flat))):
            raise ConfigError(f"{path}: holds non-integer values for a {np.dtype(dtype).name} buffer")
        if flat.size and (flat.min() < info.min or flat.max() > info.max):
            raise ConfigError(f"{path}: values {flat.min()}..{flat.max()} do not fit {np.dtype(dtype).name}")
    return flat.astype(dtype)

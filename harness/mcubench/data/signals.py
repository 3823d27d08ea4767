"""Test signals made in code (and the committed speech recording), by name.

Every generator is deterministic: (n samples, sample_rate, parameters) -> int16.
Levels are dBFS of the peak (a full-scale sine is 0 dBFS), except for white noise,
whose level is its RMS.
"""

from __future__ import annotations

import inspect

import numpy as np

from mcubench.base.errors import ConfigError
from mcubench.base.imports import is_function_spec, load_function
from mcubench.base.paths import DATA_DIR
from mcubench.data import genre_dataset, sed_dataset
from mcubench.data.wav import read_pcm16


def _scale(x: np.ndarray, level_dbfs: float) -> np.ndarray:
    peak = np.max(np.abs(x)) or 1.0
    return np.clip(np.round(x / peak * 32767 * 10 ** (level_dbfs / 20)), -32768, 32767).astype(np.int16)


def noise(n, sample_rate=16000, seed=1, level_dbfs=-6.0, **_):
    """White Gaussian noise; level_dbfs is the RMS level (peaks ~12 dB higher, clipped)."""
    x = np.random.default_rng(seed).standard_normal(n) * 32767 * 10 ** (level_dbfs / 20)
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def pink(n, sample_rate=16000, seed=2, level_dbfs=-6.0, **_):
    """1/f noise (white noise shaped in the frequency domain), peak at level_dbfs."""
    spec = np.fft.rfft(np.random.default_rng(seed).standard_normal(n))
    f = np.arange(len(spec))
    spec[1:] /= np.sqrt(f[1:])
    spec[0] = 0
    return _scale(np.fft.irfft(spec, n), level_dbfs)


def sine(n, sample_rate=16000, freq=1000.0, level_dbfs=-20.0, **_):
    t = np.arange(n) / sample_rate
    return np.round(32767 * 10 ** (level_dbfs / 20) * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def chirp(n, sample_rate=16000, f0=100.0, f1=None, level_dbfs=-6.0, **_):
    """Linear sweep from f0 to f1 (default 0.45 x the sample rate) over n samples."""
    f1 = f1 or 0.45 * sample_rate
    t = np.arange(n) / sample_rate
    duration = t[-1] if n > 1 else 1.0
    phase = 2 * np.pi * (f0 * t + (f1 - f0) * t**2 / (2 * duration))
    return np.round(32767 * 10 ** (level_dbfs / 20) * np.sin(phase)).astype(np.int16)


def silence(n, **_):
    return np.zeros(n, dtype=np.int16)


def speech(n, sample_rate=16000, **_):
    """espeak-ng speech (scripts/make-speech.py), looped to n samples."""
    path = DATA_DIR / f"speech_{sample_rate}.wav"
    if not path.exists():
        raise ConfigError(f"no speech recording at {sample_rate} Hz ({path}); see scripts/make-speech.py")
    _, x = read_pcm16(path)
    return np.resize(x.astype(np.int16), n)


def sed_logmel(n, per_class=25, **_):
    """Not audio: the sound-event test clips' Q7.8 log-mel, hop after hop (32 values a
    hop), as the sed_* models take it from the front end."""
    return _flat_features("sed_logmel", sed_dataset.test_stream(per_class)[0], n)


def genre_mfcc(n, per_class=8, **_):
    """Not audio: the genre test clips' Q10.5 MFCC, hop after hop (18 values a hop), as
    model 5 takes it from the genre22k front end."""
    return _flat_features("genre_mfcc", genre_dataset.test_stream(per_class)[0], n)


def _flat_features(kind: str, frames: np.ndarray, n: int) -> np.ndarray:
    flat = frames.reshape(-1).astype(np.int16)
    if n != flat.size:
        raise ConfigError(
            f"{kind}: the benchmark asks for {n} values, the test set has {flat.size} "
            f"({frames.shape[0]} clips x {frames.shape[1]} hops x {frames.shape[2]} values)"
        )
    return flat


GENERATORS = {
    "noise": noise,
    "pink": pink,
    "sine": sine,
    "chirp": chirp,
    "silence": silence,
    "speech": speech,
    "sed_logmel": sed_logmel,
    "genre_mfcc": genre_mfcc,
}


def generator_function(kind: str):
    """A built-in generator by name, or the project's own ("package.module:function",
    called as fn(n, sample_rate=..., **parameters) and returning n samples)."""
    if is_function_spec(kind):
        return load_function(kind, f"generator {kind!r}")
    if kind not in GENERATORS:
        raise ConfigError(f"unknown generator {kind!r}; valid: {', '.join(GENERATORS)}")
    return GENERATORS[kind]


def generate(spec: dict, n: int, sample_rate: int) -> np.ndarray:
    params = {k: v for k, v in spec.items() if k != "kind"}
    params.setdefault("sample_rate", sample_rate)
    kind = spec.get("kind", "noise")
    fn = generator_function(kind)
    try:
        out = fn(n, **params)
    except (TypeError, ValueError, OverflowError) as exc:  # a parameter of the wrong type or range
        raise ConfigError(f"generator {kind!r} with {params}: {exc}") from None
    if is_function_spec(kind):
        out = np.asarray(out)
        if out.shape != (n,) or out.dtype.kind not in "iuf":
            raise ConfigError(f"generator {kind!r} returned {out.dtype} {out.shape}, not {n} numbers")
    return out


def parameters(kind: str) -> list[str]:
    """The parameters a generator takes (besides the sample count)."""
    sig = inspect.signature(generator_function(kind))
    return [n for n, prm in sig.parameters.items() if n != "n" and prm.kind is not prm.VAR_KEYWORD]

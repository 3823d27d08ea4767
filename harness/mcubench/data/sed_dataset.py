"""A sound-event dataset synthesized in code, for the kilobyte-sized models.

Classes: background (noise only), impulsive (claps: band-passed noise bursts; knocks:
damped low sinusoids), tonal (whistles with vibrato; beeps), speech (espeak-ng, from
benchmarks/data/sed_speech_16000.wav). Every clip has pink or white background noise
and, but for "background", one event at an SNR drawn from 0-20 dB. Clips are long
enough to warm up the front end; the features are the log-mel of the last `frames`
hops (py32_1k: 32 mel at 16 kHz, hop 128). The split is fixed by seeds: training and
test clips come from different random streams. Every function takes the front end
(`config`, default py32_1k) so a sweep can train for another shape: the audio is the
same for all (clips are 4,608 samples, 288 ms), the patch is the last 256 ms.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from mcubench.base.errors import ConfigError
from mcubench.base.paths import DATA_DIR
from mcubench.data.wav import read_pcm16
from mcubench.dsp.config import get_config
from mcubench.dsp.frontend import frames_of, logmel, logmel_float_db

CLASSES = ("background", "impulsive", "tonal", "speech")
CONFIG = "py32_1k"
CLIP_SAMPLES = 4608  # 288 ms at 16 kHz
PATCH_SAMPLES = 4096  # the patch the models see: 256 ms (32 hops of py32_1k)
FRAMES = 32
WARMUP_FRAMES = 4
TRAIN_SEED, TEST_SEED = 1, 2


@lru_cache(maxsize=1)
def _speech() -> np.ndarray:
    _, x = read_pcm16(DATA_DIR / "sed_speech_16000.wav")
    return x.astype(np.float64) / 32768


def _background(rng, n):
    white = rng.standard_normal(n)
    if rng.random() < 0.5:
        return white
    spec = np.fft.rfft(white)
    spec[1:] /= np.sqrt(np.arange(1, len(spec)))
    spec[0] = 0
    pink = np.fft.irfft(spec, n)
    return pink / (pink.std() or 1)


def _impulsive(rng, n, sr):
    x = np.zeros(n)
    for _ in range(rng.integers(1, 4)):
        start = rng.integers(n // 4, n - n // 8)
        length = int(sr * rng.uniform(0.03, 0.12))
        t = np.arange(min(length, n - start)) / sr
        decay = np.exp(-t / rng.uniform(0.004, 0.03))
        if rng.random() < 0.5:  # clap: noise shaped to 1-4 kHz
            burst = rng.standard_normal(len(t))
            spec = np.fft.rfft(burst)
            f = np.fft.rfftfreq(len(t), 1 / sr)
            spec[(f < rng.uniform(600, 1500)) | (f > rng.uniform(3000, 6000))] *= 0.1
            burst = np.fft.irfft(spec, len(t))
        else:  # knock: damped low sinusoid with a click
            burst = np.sin(2 * np.pi * rng.uniform(150, 700) * t) + 0.3 * rng.standard_normal(len(t)) * (
                t < 0.002
            )
        x[start : start + len(t)] += burst * decay
    return x


def _tonal(rng, n, sr):
    t = np.arange(n) / sr
    f0 = rng.uniform(500, 3500)
    if rng.random() < 0.5:  # whistle with vibrato
        phase = (
            2
            * np.pi
            * (f0 * t + rng.uniform(10, 60) / rng.uniform(3, 7) * np.sin(2 * np.pi * rng.uniform(3, 7) * t))
        )
        return np.sin(phase)
    period = rng.uniform(0.08, 0.3)  # beeps
    gate = ((t + rng.uniform(0, period)) % period) < period * rng.uniform(0.4, 0.8)
    return np.sin(2 * np.pi * f0 * t) * gate


def _speech_clip(rng, n):
    speech = _speech()
    for _ in range(20):  # a segment with enough speech in it
        start = rng.integers(0, len(speech) - n)
        seg = speech[start : start + n]
        if np.sqrt(np.mean(seg[-n // 2 :] ** 2)) > 0.02:
            return seg
    return seg


def make_clip(rng, label: int, n: int, sr: int) -> np.ndarray:
    """int16 audio of one clip of class `label`."""
    noise = _background(rng, n) * 10 ** (rng.uniform(-55, -30) / 20)
    if CLASSES[label] == "background":
        x = noise * rng.uniform(1, 10)
    else:
        event = {
            "impulsive": lambda: _impulsive(rng, n, sr),
            "tonal": lambda: _tonal(rng, n, sr),
            "speech": lambda: _speech_clip(rng, n),
        }[CLASSES[label]]()
        snr_db = rng.uniform(0, 20)
        event = event / (np.sqrt(np.mean(event**2)) or 1) * np.sqrt(np.mean(noise**2)) * 10 ** (snr_db / 20)
        x = noise + event
        peak = np.max(np.abs(x))
        if peak > 0.9:
            x *= 0.9 / peak
    return np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16)


def balanced_clips(make, n_classes: int, n_per_class: int, seed: int, n: int, sr: int):
    """(audio [N, n] int16, labels [N]): classes in turn, `make(rng, label, n, sr)` each,
    from one random stream per seed (the split is the seed)."""
    rng = np.random.default_rng(seed)
    labels = np.tile(np.arange(n_classes), n_per_class)
    return np.stack([make(rng, int(lab), n, sr) for lab in labels]), labels


def frames(config: str = CONFIG) -> int:
    """Hops in the models' patch (256 ms) with this front end."""
    return PATCH_SAMPLES // _check(config).hop


def _check(config: str):
    cfg = get_config(config)
    if cfg.sample_rate != 16000:
        raise ConfigError(f"front end {config}: the sound-event data is 16 kHz, not {cfg.sample_rate}")
    return cfg


def clips(n_per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(audio [N, samples] int16, labels [N]) in a fixed order for a seed."""
    return balanced_clips(make_clip, len(CLASSES), n_per_class, seed, CLIP_SAMPLES, 16000)


def features(audio: np.ndarray, config: str = CONFIG) -> np.ndarray:
    """Float log-mel (dB) of the last `frames(config)` hops of each clip: [N, frames, n_mels]."""
    cfg, n = _check(config), frames(config)
    return np.stack([logmel_float_db(cfg, frames_of(cfg, a))[-n:] for a in audio])


def features_all(audio: np.ndarray, config: str = CONFIG) -> np.ndarray:
    """Float log-mel (dB) of every hop of each clip: [N, hops, n_mels]."""
    cfg = _check(config)
    return np.stack([logmel_float_db(cfg, frames_of(cfg, a)) for a in audio])


@lru_cache(maxsize=4)
def test_stream(per_class: int, config: str = CONFIG) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The test clips as the firmware sees them: (Q7.8 log-mel frames [N, hops, M] from
    the bit-exact front-end model, float log-mel of the last frames(config) hops, labels)."""
    cfg = _check(config)
    audio, labels = clips(per_class, TEST_SEED)
    return np.stack([logmel(cfg, a) for a in audio]), features(audio, config), labels

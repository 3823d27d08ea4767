"""A 10-class music-style dataset synthesized in code, for model 5 (the genre LSTM).

The RP2040 genre firmware classifies GTZAN's ten genres. We cannot ship GTZAN, so each
class here is a style recipe with the traits that separate those genres on MFCC
(timbre, register, distortion, percussion density and pattern, tempo range):
drums (kick: falling sine; snare: noise + tone; hat/ride: high-passed noise bursts),
harmonic instruments (additive partials with a spectral slope, attack and decay,
optional vibrato and tanh distortion) and a bass line, over background noise at a
random level. Every clip draws its own key, tempo, phase, mix and noise, so two clips of
a class never match. Sample rate 22,050 Hz (the genre22k front end); the split is
fixed by seeds (training and test clips come from different random streams).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from mcubench.data.sed_dataset import balanced_clips
from mcubench.dsp.config import get_config
from mcubench.dsp.frontend import frames_of, logmel, logmel_float_db, mfcc_frame
from mcubench.dsp.frontend import mfcc_float as dct

CONFIG = "genre22k"
CLASSES = ("blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock")
HOPS = 64  # hops per clip that the model is scored on (64 x 160 / 22,050 = 0.46 s)
WARMUP_HOPS = 2
TRAIN_SEED, TEST_SEED = 11, 12

# Per style: tempo range (BPM); 16-step patterns for kick, snare and hat (1 = hit);
# swing (fraction of a step the off-steps are late); instrument: partial slope
# (amplitude ~ k^-slope), attack and decay (s), distortion gain (0 = none), octave of
# the chord notes, notes per bar; bass (octave, 0 = none); vibrato depth (semitones).
STYLES = {
    "blues": dict(
        bpm=(70, 100),
        kick="X-------X-------",
        snare="----X-------X---",
        hat="X--XX--XX--XX--X",
        swing=0.33,
        slope=1.0,
        attack=0.01,
        decay=0.5,
        drive=2.0,
        octave=4,
        notes=8,
        bass=2,
        vibrato=0.3,
    ),
    "classical": dict(
        bpm=(60, 90),
        kick="",
        snare="",
        hat="",
        swing=0.0,
        slope=1.0,
        attack=0.15,
        decay=1.5,
        drive=0.0,
        octave=4,
        notes=2,
        bass=3,
        vibrato=0.25,
    ),
    "country": dict(
        bpm=(100, 130),
        kick="X-------X-------",
        snare="----X-------X---",
        hat="X-X-X-X-X-X-X-X-",
        swing=0.0,
        slope=0.7,
        attack=0.003,
        decay=0.25,
        drive=0.0,
        octave=5,
        notes=16,
        bass=2,
        vibrato=0.0,
    ),
    "disco": dict(
        bpm=(115, 130),
        kick="X---X---X---X---",
        snare="----X-------X---",
        hat="--X---X---X---X-",
        swing=0.0,
        slope=1.0,
        attack=0.05,
        decay=0.8,
        drive=0.0,
        octave=5,
        notes=4,
        bass=2,
        vibrato=0.15,
    ),
    "hiphop": dict(
        bpm=(80, 95),
        kick="X-----X---X-----",
        snare="----X-------X---",
        hat="X-X-X-X-X-X-X-X-",
        swing=0.2,
        slope=2.0,
        attack=0.01,
        decay=0.4,
        drive=0.0,
        octave=4,
        notes=2,
        bass=1,
        vibrato=0.0,
    ),
    "jazz": dict(
        bpm=(120, 200),
        kick="",
        snare="------X---------",
        hat="X--XX--XX--XX--X",
        swing=0.33,
        slope=2.0,
        attack=0.005,
        decay=0.6,
        drive=0.0,
        octave=4,
        notes=6,
        bass=2,
        vibrato=0.0,
    ),
    "metal": dict(
        bpm=(160, 220),
        kick="XXXXXXXXXXXXXXXX",
        snare="----X-------X---",
        hat="X-X-X-X-X-X-X-X-",
        swing=0.0,
        slope=0.8,
        attack=0.003,
        decay=0.3,
        drive=12.0,
        octave=3,
        notes=16,
        bass=1,
        vibrato=0.0,
    ),
    "pop": dict(
        bpm=(95, 125),
        kick="X-------X-X-----",
        snare="----X-------X---",
        hat="X-X-X-X-X-X-X-X-",
        swing=0.0,
        slope=1.5,
        attack=0.02,
        decay=0.5,
        drive=0.0,
        octave=5,
        notes=8,
        bass=2,
        vibrato=0.1,
    ),
    "reggae": dict(
        bpm=(70, 90),
        kick="--------X-------",
        snare="--------X-------",
        hat="--X---X---X---X-",
        swing=0.1,
        slope=1.2,
        attack=0.003,
        decay=0.12,
        drive=0.0,
        octave=4,
        notes=8,
        bass=1,
        vibrato=0.0,
    ),
    "rock": dict(
        bpm=(110, 150),
        kick="X-------X-X-----",
        snare="----X-------X---",
        hat="X-X-X-X-X-X-X-X-",
        swing=0.0,
        slope=0.8,
        attack=0.005,
        decay=0.6,
        drive=4.0,
        octave=3,
        notes=4,
        bass=2,
        vibrato=0.0,
    ),
}
_CHORD = (0, 4, 7)  # major triad; reggae/country/pop use it too, so timbre and rhythm must tell


def _note_hz(semitones_from_a4: float) -> float:
    return 440.0 * 2 ** (semitones_from_a4 / 12)


def _envelope(t: np.ndarray, attack: float, decay: float) -> np.ndarray:
    return np.minimum(t / max(attack, 1e-4), 1.0) * np.exp(-t / decay)


def _harmonic(rng, f0: float, t: np.ndarray, slope: float, vibrato: float) -> np.ndarray:
    """Partials of f0 at times t (s, from the note's start), each with a random phase;
    partial k is the k-th power of the fundamental's phasor (cheaper than k sines)."""
    vib = vibrato * np.sin(2 * np.pi * rng.uniform(4.5, 6.5) * t)
    phase = 2 * np.pi * np.cumsum(f0 * 2 ** (vib / 12)) * (t[1] - t[0] if len(t) > 1 else 0.0)
    k = np.arange(1, int(min(12, 10_000 / f0)) + 1)
    weights = np.exp(1j * rng.uniform(0, 2 * np.pi, len(k))) * k**-slope
    z = np.exp(1j * phase)
    acc, zk = np.zeros(len(t), dtype=complex), np.ones(len(t), dtype=complex)
    for w in weights:
        zk *= z
        acc += w * zk
    return np.imag(acc)


def _drum(rng, kind: str, t: np.ndarray) -> np.ndarray:
    """One hit at times t (s, from the hit)."""
    if kind == "kick":
        f = rng.uniform(45, 60) + rng.uniform(80, 120) * np.exp(-t / 0.03)
        return np.sin(2 * np.pi * np.cumsum(f) * (t[1] - t[0] if len(t) > 1 else 0.0)) * np.exp(
            -t / rng.uniform(0.08, 0.2)
        )
    noise = rng.standard_normal(len(t))
    if kind == "snare":
        return (0.7 * noise + np.sin(2 * np.pi * rng.uniform(180, 240) * t)) * np.exp(
            -t / rng.uniform(0.04, 0.08)
        )
    hp = np.diff(noise, prepend=0.0)  # hat/ride: first difference tilts the noise up
    return 0.5 * hp * np.exp(-t / rng.uniform(0.01, 0.06))


def _visible(start: int, length: int, n: int):
    """Samples [a, b) of an event starting at `start` that fall in the clip, or None."""
    a, b = max(0, -start), min(length, n - start)
    return (a, b) if b > a else None


def make_clip(rng, label: int, n: int, sr: int) -> np.ndarray:
    """int16 audio of one clip of style `label`."""
    s = STYLES[CLASSES[label]]
    step = 60.0 / rng.uniform(*s["bpm"]) / 4  # a 16th note
    offset = rng.uniform(0, 16 * step)  # where in the bar the clip starts
    key = rng.integers(-12, 12)
    drums, tones, bass = np.zeros(n), np.zeros(n), np.zeros(n)
    first, last = int(-offset / step) - 16, int((n / sr) / step) + 1
    hit_len = int(0.3 * sr)
    for i in range(first, last):
        start = int(round((i * step + offset + (s["swing"] * step if i % 2 else 0.0)) * sr))
        span = _visible(start, hit_len, n)
        for kind in ("kick", "snare", "hat"):
            if span and s[kind] and s[kind][i % 16] == "X":
                drums[start + span[0] : start + span[1]] += rng.uniform(0.6, 1.0) * _drum(
                    rng, kind, np.arange(*span) / sr
                )
    notes_every = 16 // s["notes"]
    dur = int(min(4 * s["decay"], 2.0) * sr)
    for i in range(first - first % notes_every, last, notes_every):
        start = int(round((i * step + offset) * sr))
        span = _visible(start, dur, n)
        if not span:
            continue
        t = np.arange(*span) / sr
        root = key + rng.choice([0, 5, 7, -3])
        env = _envelope(t, s["attack"], s["decay"])
        chord = (
            sum(
                _harmonic(rng, _note_hz(root + iv + 12 * (s["octave"] - 4)), t, s["slope"], s["vibrato"])
                for iv in _CHORD
            )
            * env
        )
        if s["drive"]:
            chord = np.tanh(s["drive"] * chord / 3.0)
        tones[start + span[0] : start + span[1]] += chord
        if s["bass"]:
            bass[start + span[0] : start + span[1]] += (
                np.sin(2 * np.pi * _note_hz(root + 12 * (s["bass"] - 4)) * t) * env
            )

    def norm(x):
        return x / (np.sqrt(np.mean(x**2)) or 1)

    mix = (
        norm(tones) * rng.uniform(0.5, 1.0)
        + norm(bass) * rng.uniform(0.3, 0.8)
        + norm(drums) * rng.uniform(0.5, 1.2) * bool(s["kick"] or s["snare"] or s["hat"])
    )
    mix = norm(mix) + rng.standard_normal(n) * 10 ** (rng.uniform(-40, -20) / 20)
    mix *= 10 ** (rng.uniform(-24, -8) / 20) / (np.abs(mix).max() or 1) * 3.0
    return np.clip(np.round(mix * 32768), -32768, 32767).astype(np.int16)


def clips(n_per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(audio [N, samples] int16, labels [N]) in a fixed order for a seed."""
    cfg = get_config(CONFIG)
    return balanced_clips(
        make_clip, len(CLASSES), n_per_class, seed, cfg.hop * (HOPS + WARMUP_HOPS), cfg.sample_rate
    )


def mfcc_float(audio: np.ndarray) -> np.ndarray:
    """Float MFCC (dB units, the front end's DCT) of the last HOPS hops: [N, HOPS, 18]."""
    cfg = get_config(CONFIG)
    return np.stack([dct(cfg, logmel_float_db(cfg, frames_of(cfg, a)))[-HOPS:] for a in audio])


@lru_cache(maxsize=2)
def test_stream(per_class: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The test clips as the firmware sees them: (Q10.5 MFCC [N, HOPS, 18] from the
    bit-exact front-end model, float MFCC [N, HOPS, 18], labels)."""
    cfg = get_config(CONFIG)
    audio, labels = clips(per_class, TEST_SEED)
    q5 = np.stack([np.stack([mfcc_frame(cfg, f) for f in logmel(cfg, a)[-HOPS:]]) for a in audio])
    return q5, mfcc_float(audio), labels

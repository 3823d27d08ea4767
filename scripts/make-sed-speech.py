#!/usr/bin/env python3
"""Synthesize varied speech for the sound-event dataset with Debian's espeak-ng
(apt-get install espeak-ng): several sentences, voices, rates and pitches, at 16 kHz,
into benchmarks/data/sed_speech_16000.wav. Committed, so nothing else needs espeak-ng."""

import subprocess
import tempfile
from pathlib import Path

import numpy as np
import scipy.io.wavfile as wavfile
from scipy.signal import resample_poly

OUT = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "sed_speech_16000.wav"
LINES = [
    ("en-us", 150, 40, "Turn the lights off in the kitchen please."),
    ("en-gb", 170, 60, "Where did you put the keys this morning?"),
    ("en-us", 130, 30, "Seven, three, nine, one, zero."),
    ("en-sc", 160, 70, "The weather will be dry and bright tomorrow."),
    ("en-us", 180, 50, "Can you hear me now? Yes, loud and clear."),
]
pieces = []
with tempfile.TemporaryDirectory() as tmp:
    for i, (voice, rate, pitch, text) in enumerate(LINES):
        wav = Path(tmp) / f"{i}.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(rate), "-p", str(pitch), "-w", str(wav), text], check=True
        )
        sr, x = wavfile.read(wav)
        pieces.append(resample_poly(x.astype(np.float64), 16000 // 50, sr // 50))
y = np.concatenate(pieces)
y = np.clip(np.round(y), -32768, 32767).astype(np.int16)
wavfile.write(OUT, 16000, y)
print(f"wrote {OUT} ({len(y)} samples, {len(y) / 16000:.1f} s)")

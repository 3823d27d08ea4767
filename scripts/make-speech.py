#!/usr/bin/env python3
"""Synthesize the speech test signal with Debian's espeak-ng (apt-get install espeak-ng)
and write it at 16 kHz and 22.05 kHz into benchmarks/data/. The WAVs are committed so tests
never need espeak-ng; this script is how they were made."""

import subprocess
import tempfile
from pathlib import Path

import numpy as np
import scipy.io.wavfile as wavfile
from scipy.signal import resample_poly

TEXT = "The quick brown fox jumps over the lazy dog."
OUT = Path(__file__).resolve().parent.parent / "benchmarks" / "data"

with tempfile.TemporaryDirectory() as tmp:
    wav = Path(tmp) / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(wav), TEXT], check=True)
    rate, x = wavfile.read(wav)
assert rate == 22050 and x.dtype == np.int16
x = x[: int(2.5 * rate)]
OUT.mkdir(parents=True, exist_ok=True)
wavfile.write(OUT / "speech_22050.wav", 22050, x)
y = np.clip(np.round(resample_poly(x.astype(np.float64), 160, 441)), -32768, 32767).astype(np.int16)
wavfile.write(OUT / "speech_16000.wav", 16000, y)
print(f"wrote {OUT}/speech_22050.wav ({len(x)} samples) and speech_16000.wav ({len(y)} samples)")

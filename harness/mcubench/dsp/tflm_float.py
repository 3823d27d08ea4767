"""The TFLite Micro audio front end's design in float64: the reference its integer
output is scored against, as our own front end is scored against its float log-mel.

The design is read from its sources (pymicro-features 2.0.2,
tensorflow/lite/experimental/microfrontend/lib): a periodic-offset Hann window
(0.5 - 0.5 cos(2 pi (i + 0.5) / size)), an FFT of the next power of two, band energies
through triangular mel filters (mel = 1127 ln(1 + f/700), channel edges evenly spaced
from 125 to 7,500 Hz, each bin weighted by where it falls between two centres, DC
excluded), the square root of each band's energy, and 64 ln(.) as uint16
(scale_shift 6). Its integer pipeline scales on the way (the window's Q12, an FFT input
shift, the KISS real FFT's 2/N (its N/2-point complex FFT divides by N/2, the real split
by nothing), Q12 filter weights, a correction shift of log2(N) - 7 before the log): taken
together the logged value is sqrt(band energy), energies of the DFT of the windowed
int16 samples (a test holds the integer output to this within a fraction of an LSB on
average). Only the plain pipeline (noise reduction and PCAN off) has
a float counterpart: both adapt to the signal and are not a fixed function of a frame.

Which bins belong to which channel is decided in float32 as the C code does, so the
filters match its bin for bin; the weights themselves are exact (not Q12).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mcubench.dsp.frontend import score_db

LOG_SCALE = 64.0  # 2^scale_shift
LOWER_HZ, UPPER_HZ = 125.0, 7500.0


@dataclass(frozen=True)
class TflmShape:
    sample_rate: int = 16000
    window_ms: int = 30
    step_ms: int = 10
    channels: int = 40

    @property
    def window(self) -> int:
        return self.sample_rate * self.window_ms // 1000

    @property
    def hop(self) -> int:
        return self.sample_rate * self.step_ms // 1000

    @property
    def n_fft(self) -> int:
        n = 1
        while n < self.window:
            n <<= 1
        return n


def _mel32(f):
    return np.float32(1127.0) * np.log1p(np.float32(f) / np.float32(700.0), dtype=np.float32)


def filterbank(shape: TflmShape) -> np.ndarray:
    """[channels, n_fft/2 + 1] float64 weights of the output channels."""
    n_bins = shape.n_fft // 2 + 1
    hz_per_bin = np.float32(0.5 * shape.sample_rate) / np.float32(n_bins - 1)
    mel_low, mel_hi = _mel32(LOWER_HZ), _mel32(UPPER_HZ)
    spacing = (mel_hi - mel_low) / np.float32(shape.channels + 1)
    centres = [mel_low + spacing * np.float32(i + 1) for i in range(shape.channels + 1)]
    start = int(np.float32(1.5) + np.float32(LOWER_HZ) / hz_per_bin)
    # work[chan] sums w * E over chan's own bins and (1 - w) * E over the previous
    # channel's; output i is work[i + 1]
    work = np.zeros((shape.channels + 2, n_bins))
    k = start
    for chan in range(shape.channels + 1):
        lo = mel_low if chan == 0 else centres[chan - 1]
        while _mel32(np.float32(k) * hz_per_bin) <= centres[chan]:
            mel = 1127.0 * np.log1p(k * float(hz_per_bin) / 700.0)
            w = (float(centres[chan]) - mel) / (float(centres[chan]) - float(lo))
            work[chan, k] += w
            work[chan + 1, k] += 1.0 - w
            k += 1
    return work[1 : shape.channels + 1]


def window(shape: TflmShape) -> np.ndarray:
    i = np.arange(shape.window)
    return 0.5 - 0.5 * np.cos(2 * np.pi * (i + 0.5) / shape.window)


def logged_value(shape: TflmShape, frames: np.ndarray) -> np.ndarray:
    """sqrt(band energy) per frame and channel: what the integer pipeline takes the log of."""
    x = np.asarray(frames, dtype=np.float64) * window(shape)
    spec = np.abs(np.fft.rfft(x, n=shape.n_fft, axis=-1)) ** 2
    return np.sqrt(spec @ filterbank(shape).T)


def features_float(shape: TflmShape, frames: np.ndarray) -> np.ndarray:
    """The front end's output in float: 64 ln(value), 0 where value <= 1."""
    v = logged_value(shape, frames)
    return np.where(v > 1.0, LOG_SCALE * np.log(np.maximum(v, 1.0)), 0.0)


def to_db(features) -> np.ndarray:
    """Output units to band energy in dB: 64 ln(sqrt(E)) -> 10 log10(E)."""
    return np.asarray(features, dtype=np.float64) * (20.0 / (LOG_SCALE * np.log(10.0)))


def frames_of(shape: TflmShape, x: np.ndarray) -> tuple[int, np.ndarray]:
    """The windows the front end sees, fed a hop at a time: (index of the hop that gives
    the first output, [frames, window]). Window j covers samples [j hop, j hop + window)
    and comes out in hop first + j (the benchmarks write zeros for the hops before)."""
    x = np.asarray(x)
    hops = len(x) // shape.hop
    first = -(-shape.window // shape.hop) - 1
    frames = [x[j * shape.hop : j * shape.hop + shape.window] for j in range(hops - first)]
    return first, np.stack(frames)


def accuracy(shape: TflmShape, features: np.ndarray, frames: np.ndarray, top_db: float = 60.0) -> dict:
    """Integer features [frames, channels] against the float design, scored as our own
    front end is (frontend.score_db): energies in dB, floor at the log's 0 (value <= 1)."""
    return score_db(to_db(features_float(shape, frames)), to_db(features), 0.0, top_db)

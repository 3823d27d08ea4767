"""Front-end configurations (firmware/dsp/frontends.toml) and the fixed-point tables
they imply. The tables are computed here once, used by the C header generator
(frontend_tables.py) and by the bit-exact numpy model (frontend_model.py), so the two
cannot disagree.

Fixed-point formats: window and twiddles Q15 (1.0 -> 32767); mel weights uint16,
normalised to each band's peak (peak = 65535), with log2(peak / 65535) kept per band in
Q10 and added after the log; log2 fraction LUT Q15 with 32 segments; DCT-II (ortho) Q13.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from mcubench.base.errors import ConfigError
from mcubench.base.paths import FIRMWARE_DIR
from mcubench.base.toml_files import load_toml

CONFIG_FILE = FIRMWARE_DIR / "dsp" / "frontends.toml"
FFT_SIZES = (64, 128, 256, 512, 1024)
MEL_WEIGHT_SCALE = 65535  # a band's peak weight; uint16
DCT_BITS = 13
LOG_LUT_SEGMENTS = 32
LOG_FLOOR_DB = -100.0  # 10 log10(1e-10), librosa's default amin
MAX_BAND_BINS = 255  # fe_mel_len is uint8


def hz_to_mel(f, htk: bool):
    f = np.asarray(f, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz, logstep = 1000.0, np.log(6.4) / 27.0
    min_log_mel = min_log_hz / f_sp
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mels)


def mel_to_hz(m, htk: bool):
    m = np.asarray(m, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    f_sp = 200.0 / 3
    min_log_hz, logstep = 1000.0, np.log(6.4) / 27.0
    min_log_mel = min_log_hz / f_sp
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def mel_filterbank(sr, n_fft, n_mels, fmin, fmax, htk: bool, slaney_norm: bool) -> np.ndarray:
    """Triangular mel filters (n_mels x n_fft/2+1), the construction librosa documents."""
    fft_freqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin, htk), hz_to_mel(fmax, htk), n_mels + 2), htk)
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    if slaney_norm:
        weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, None]
    return weights


@dataclass(frozen=True)
class FrontendConfig:
    name: str
    sample_rate: int
    win_length: int
    n_fft: int
    hop: int
    n_mels: int
    fmin: float = 0.0
    fmax: float = 0.0
    mel_scale: str = "slaney"
    mel_norm: str = "slaney"
    n_mfcc: int = 0

    def __post_init__(self):
        where = f"front end {self.name}" if VARIANT_SEP in self.name else f"{CONFIG_FILE}: [{self.name}]"
        if self.n_fft not in FFT_SIZES:
            raise ConfigError(f"{where}: n_fft must be one of {FFT_SIZES}")
        if not 0 < self.hop <= self.win_length <= self.n_fft:
            raise ConfigError(f"{where}: need 0 < hop <= win_length <= n_fft")
        if self.mel_scale not in ("htk", "slaney") or self.mel_norm not in ("slaney", "none"):
            raise ConfigError(f"{where}: mel_scale is htk|slaney, mel_norm is slaney|none")
        if not 0 <= self.n_mfcc <= self.n_mels:
            raise ConfigError(f"{where}: n_mfcc must be between 0 and n_mels")

    @property
    def f_max(self) -> float:
        return self.fmax or self.sample_rate / 2

    @property
    def n_bins(self) -> int:
        return self.n_fft // 2 + 1

    # ----- float definitions --------------------------------------------------
    @cached_property
    def mel_float(self) -> np.ndarray:
        return mel_filterbank(
            self.sample_rate,
            self.n_fft,
            self.n_mels,
            self.fmin,
            self.f_max,
            self.mel_scale == "htk",
            self.mel_norm == "slaney",
        )

    @cached_property
    def window_float(self) -> np.ndarray:
        n = np.arange(self.win_length)
        return 0.5 - 0.5 * np.cos(2 * np.pi * n / self.win_length)  # periodic Hann

    @cached_property
    def dct_float(self) -> np.ndarray:
        m, k = self.n_mels, np.arange(self.n_mfcc)[:, None]
        d = np.cos(np.pi * k * (2 * np.arange(m)[None, :] + 1) / (2 * m)) * math.sqrt(2.0 / m)
        d[0] /= math.sqrt(2.0)
        return d

    # ----- fixed-point tables -------------------------------------------------
    @cached_property
    def window_q15(self) -> np.ndarray:
        """The first win_length//2 + 1 entries; the periodic window is symmetric."""
        half = self.window_float[: self.win_length // 2 + 1]
        return np.minimum(np.round(half * 32768), 32767).astype(np.int64)

    @cached_property
    def sin_q15(self) -> np.ndarray:
        """Quarter-wave sine, N/4 + 1 entries: every twiddle of the real FFT is one of
        these, with a sign (the firmware's tables are built from it)."""
        q = self.n_fft // 4
        return np.minimum(np.round(np.sin(2 * np.pi * np.arange(q + 1) / self.n_fft) * 32768), 32767).astype(
            np.int64
        )

    @cached_property
    def r4_twiddles(self) -> np.ndarray:
        """The radix-4 passes' twiddles, (N/8 - 1, 3, 2): for j = 1 .. N/8 - 1 the
        (wr, ws) of W1 = W_N^(4j), W2 = W_N^(2j), W3 = W_N^(6j), W = wr - j ws, each
        derived from the quarter-wave sine.
        A pass of span h reads every (M/4h)-th row; j = 0 (W = 1) needs no row."""
        n, sin = self.n_fft, self.sin_q15
        q = n // 4

        def w(k: int) -> tuple[int, int]:
            neg = k >= 2 * q  # W^(k + N/2) = -W^k
            k -= 2 * q if neg else 0
            wr, ws = (int(sin[q - k]), int(sin[k])) if k <= q else (-int(sin[k - q]), int(sin[2 * q - k]))
            return (-wr, -ws) if neg else (wr, ws)

        rows = [[w(4 * j), w(2 * j), w(6 * j)] for j in range(1, n // 8)]
        return np.array(rows, dtype=np.int64).reshape(-1, 3, 2)

    @cached_property
    def split_twiddles(self) -> np.ndarray:
        """The real split's (wr, ws) for k = 1 .. N/4 - 1: W_N^k = wr - j ws."""
        q, k = self.n_fft // 4, np.arange(1, self.n_fft // 4)
        return np.stack([self.sin_q15[q - k], self.sin_q15[k]], axis=1)

    @cached_property
    def bitrev(self) -> np.ndarray:
        m = self.n_fft // 2
        bits = m.bit_length() - 1
        return np.array([int(f"{i:0{bits}b}"[::-1], 2) for i in range(m)], dtype=np.int64)

    @cached_property
    def mel_sparse(self):
        """(start bin, length, Q10 weights, log2(gain) Q10) per band."""
        starts, lengths, weights, gains = [], [], [], []
        for band in self.mel_float:
            nz = np.flatnonzero(band > 0)
            if nz.size == 0:
                raise ConfigError(
                    f"{CONFIG_FILE}: [{self.name}] mel band with no FFT bin; fewer mels or larger n_fft"
                )
            lo, hi = int(nz[0]), int(nz[-1]) + 1
            if hi - lo > MAX_BAND_BINS:
                raise ConfigError(
                    f"{CONFIG_FILE}: [{self.name}] a mel band spans {hi - lo} bins (max {MAX_BAND_BINS})"
                )
            peak = float(band[lo:hi].max())
            w = np.round(band[lo:hi] / peak * MEL_WEIGHT_SCALE).astype(np.int64)
            starts.append(lo)
            lengths.append(hi - lo)
            weights.append(w)
            gains.append(int(round(math.log2(peak / MEL_WEIGHT_SCALE) * 1024)))
        return (np.array(starts), np.array(lengths), np.concatenate(weights), np.array(gains, dtype=np.int64))

    @cached_property
    def mel_dense(self) -> np.ndarray:
        """The sparse weights as a dense [n_mels, N/2 + 1] int64 matrix (zeros elsewhere)."""
        starts, lengths, weights, _ = self.mel_sparse
        dense = np.zeros((self.n_mels, self.n_bins), dtype=np.int64)
        pos = 0
        for band in range(self.n_mels):
            dense[band, starts[band] : starts[band] + lengths[band]] = weights[pos : pos + lengths[band]]
            pos += lengths[band]
        return dense

    @cached_property
    def log2_lut_q15(self) -> np.ndarray:
        i = np.arange(LOG_LUT_SEGMENTS + 1)
        return np.round(np.log2(1 + i / LOG_LUT_SEGMENTS) * 32768).astype(np.int64)

    @cached_property
    def dct_q13(self) -> np.ndarray:
        d = np.round(self.dct_float * (1 << DCT_BITS)).astype(np.int64)
        worst = np.abs(d).sum(axis=1).max() * 32768
        if worst >= 2**31:
            raise ConfigError(f"{CONFIG_FILE}: [{self.name}] DCT could overflow int32")
        return d


def load_configs() -> dict[str, FrontendConfig]:
    data = load_toml(CONFIG_FILE)
    out = {}
    for name, fields in data.items():
        try:
            out[name] = FrontendConfig(name=name, **fields)
        except TypeError as exc:
            raise ConfigError(f"{CONFIG_FILE}: [{name}] {exc}") from None
    return out


def fft_config(n_fft: int) -> FrontendConfig:
    """The tables of a bare n_fft-point real FFT (no front end around it)."""
    return FrontendConfig(
        name=f"fft{n_fft}", sample_rate=16000, win_length=n_fft, n_fft=n_fft, hop=n_fft, n_mels=1
    )


VARIANT_KEYS = ("sample_rate", "win_length", "n_fft", "hop", "n_mels", "fmin", "fmax")
VARIANT_SEP = "~"


def variant_name(base: str, **overrides) -> str:
    """The name of a configuration derived from `base` with some fields changed, e.g.
    py32_1k~hop=256,n_mels=24 (keys sorted; a value equal to the base's is dropped, so
    one configuration has one name). get_config() reads it back, in any process."""
    cfg = get_config(base)
    for key in overrides:
        if key not in VARIANT_KEYS:
            raise ConfigError(f"front end {base}: unknown key {key!r}; valid: {', '.join(VARIANT_KEYS)}")
    changed = {k: v for k, v in sorted(overrides.items()) if v != getattr(cfg, k)}
    if not changed:
        return base
    name = base + VARIANT_SEP + ",".join(f"{k}={_number(v)}" for k, v in changed.items())
    get_config(name)  # checks the combination (hop <= window <= n_fft, bands with bins)
    return name


def _number(v) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _variant(name: str, configs: dict) -> FrontendConfig:
    base, _, spec = name.partition(VARIANT_SEP)
    if base not in configs:
        raise ConfigError(f"unknown front-end configuration {base!r}; valid: {', '.join(configs)}")
    fields = {k: getattr(configs[base], k) for k in configs[base].__dataclass_fields__}
    for item in spec.split(","):
        key, eq, value = item.partition("=")
        if key not in VARIANT_KEYS or not eq:
            raise ConfigError(
                f"front end {name}: {item!r} is not key=value with a key of {', '.join(VARIANT_KEYS)}"
            )
        try:
            fields[key] = type(fields[key])(float(value)) if key in ("fmin", "fmax") else int(value)
        except ValueError:
            raise ConfigError(f"front end {name}: {key} = {value!r} is not a number") from None
    fields["name"] = name
    cfg = FrontendConfig(**fields)
    _ = cfg.mel_sparse  # a band without a bin is an error now, not at build time
    return cfg


def get_config(name: str) -> FrontendConfig:
    """A configuration of frontends.toml, or a variant of one (see variant_name)."""
    configs = load_configs()
    if VARIANT_SEP in name:
        return _variant(name, configs)
    if name not in configs:
        raise ConfigError(f"unknown front-end configuration {name!r}; valid: {', '.join(configs)}")
    return configs[name]

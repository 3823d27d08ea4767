"""Bit-exact numpy model of the fixed-point front end (firmware/dsp), and its float
reference.

The model mirrors every shift and rounding of rfft_q15.c and frontend.c on int64
arrays; the emulated firmware must equal it bit for bit. The float reference is the
same pipeline in float64 (periodic Hann, rfft, power, mel, 10 log10 with a 1e-10 floor),
which tests check against librosa.
"""

from __future__ import annotations

import numpy as np

from mcubench.dsp.config import LOG_FLOOR_DB, FrontendConfig

RFFT_SILENT = -128
LOG_FLOOR_Q8 = int(round(LOG_FLOOR_DB * 256))


def _abs_bits(v: np.ndarray) -> int:
    v = np.asarray(v, dtype=np.int64)
    return int(np.bitwise_or.reduce((v ^ (v >> 63)).ravel())) if v.size else 0


def msb32(v: int) -> int:
    return int(v).bit_length() - 1


def _pack(re: np.ndarray, im: np.ndarray) -> np.ndarray:
    return (re & 0xFFFF) | ((im & 0xFFFF) << 16)


def _range_bits(z: np.ndarray) -> int:
    """The firmware's range accumulator over the packed words it wrote: OR of
    w ^ (w << 1), whose bits k + 1 .. 15 of a half are clear exactly when that
    component is in [-2^k, 2^k)."""
    w = _pack(z[:, 0], z[:, 1])
    return int(np.bitwise_or.reduce(((w ^ (w << 1)) & 0xFFFFFFFF).ravel()))


def _shift2(acc: int) -> int:
    """A radix-2 stage (or the split) halves unless every component is in [-8192, 8192)."""
    return 1 if acc & 0xC000C000 else 0


def _shift4(acc: int) -> int:
    """A radix-4 pass may grow a value fourfold: 0 if every component is in [-4096, 4096),
    1 if in [-8192, 8192), else 2."""
    return 0 if not acc & 0xE000E000 else _shift2(acc) + 1


def _check_range(*arrays):
    for a in arrays:
        if a.size and (a.max() > 32767 or a.min() < -32768):
            raise AssertionError("fixed-point model left int16 range: the firmware would wrap")


def _cmul_q2(w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(wr - j ws)(br + j bi) in Q2: each product sum shifted right by 13 (truncated)."""
    wr, ws, br, bi = w[:, 0], w[:, 1], b[:, 0], b[:, 1]
    return np.stack([(wr * br + ws * bi) >> 13, (wr * bi - ws * br) >> 13], axis=1)


def _r4(a0, u1, u2, u3, sh: int) -> list[np.ndarray]:
    """The radix-4 butterfly on Q2 terms (a0 already times 4): d0, d1, d2, d3 rounded
    once, (x + 2^sh / 2) >> sh."""
    c = (1 << sh) >> 1
    big_a, big_c, big_b, big_d = a0 + c + u1, a0 + c - u1, u2 + u3, u2 - u3
    jd = np.stack([big_d[:, 1], -big_d[:, 0]], axis=1)  # -j D
    return [v >> sh for v in (big_a + big_b, big_c + jd, big_a - big_b, big_c - jd)]


def _first_pass(z: np.ndarray, log2m: int, bits: int) -> tuple[np.ndarray, int]:
    """The twiddle-free first pass with the input normalisation folded in: radix-2 when
    log2(M) is odd (inputs scaled below 2^13), radix-4 when even (below 2^12)."""
    out = z.copy()
    if log2m & 1:
        norm = 12 - msb32(bits)
        left, right = max(norm, 0), max(-norm, 0)
        r = (1 << right) >> 1
        a, b = z[0::2], z[1::2]
        out[0::2], out[1::2] = (((a + b) << left) + r) >> right, (((a - b) << left) + r) >> right
        return out, -norm
    norm = 11 - msb32(bits)
    sh = 2 - norm
    if sh < 0:  # a quiet input: the firmware scales it first (exactly)
        z, sh = z << -sh, 0
    a = [z[k::4] << 2 for k in range(4)]
    for k, v in enumerate(_r4(a[0], a[1], a[2], a[3], sh)):
        out[k::4] = v
    return out, -norm


def rfft_bitreversed(cfg: FrontendConfig, z: np.ndarray, bits: int) -> tuple[np.ndarray, int]:
    """z: complex values as int64 (M, 2) in bit-reversed order. Returns (packed N, exponent)."""
    m, n = cfg.n_fft // 2, cfg.n_fft
    if bits == 0:
        return np.zeros(n, dtype=np.int64), RFFT_SILENT
    log2m = m.bit_length() - 1
    z, exponent = _first_pass(z.astype(np.int64), log2m, bits)
    _check_range(z)
    tw = cfg.r4_twiddles
    h = 2 if log2m & 1 else 4
    while h < m:  # radix-4 passes: the radix-2 stages of spans h and 2h in one
        s = _shift4(_range_bits(z))
        exponent += s
        g = np.arange(0, m, 4 * h)[:, None]
        j = np.broadcast_to(np.arange(h)[None, :], (len(g), h)).ravel()
        i0 = (g + np.arange(h)[None, :]).ravel()
        rows = tw[np.maximum(j * (m // 4 // h) - 1, 0)]
        unit = (j == 0)[:, None]  # W = 1: exact, no multiplication
        a0 = z[i0] << 2
        u = [np.where(unit, z[i0 + k * h] << 2, _cmul_q2(rows[:, k - 1], z[i0 + k * h])) for k in (1, 2, 3)]
        for k, v in enumerate(_r4(a0, u[0], u[1], u[2], s + 2)):
            z[i0 + k * h] = v
        _check_range(z)
        h *= 4
    s = _shift2(_range_bits(z))
    return _split(cfg, z, s), exponent + s


def _split(cfg: FrontendConfig, z: np.ndarray, s: int) -> np.ndarray:
    """N/2 complex bins -> the packed real spectrum; bins 1 .. N/4 - 1 and their mirrors
    in Q1 (2 Fe, 2 Fo, products rounded to Q1), rounded once at the shift by s + 1."""
    m = cfg.n_fft // 2
    out = np.zeros((m, 2), dtype=np.int64)
    out[0] = [(z[0, 0] + z[0, 1] + s) >> s, (z[0, 0] - z[0, 1] + s) >> s]
    k = np.arange(1, m // 2)
    ar, ai, br, bi = z[k, 0], z[k, 1], z[m - k, 0], z[m - k, 1]
    fer, fei, for_, foi = ar + br, ai - bi, ai + bi, br - ar
    wr, ws = cfg.split_twiddles[:, 0], cfg.split_twiddles[:, 1]
    tr = (wr * for_ + ws * foi + (1 << 14)) >> 15
    ti = (wr * foi - ws * for_ + (1 << 14)) >> 15
    c = 1 << s
    out[k, 0], out[k, 1] = (fer + c + tr) >> (s + 1), (fei + ti + c) >> (s + 1)
    out[m - k, 0], out[m - k, 1] = (fer + c - tr) >> (s + 1), (ti + c - fei) >> (s + 1)
    out[m // 2] = [(z[m // 2, 0] + s) >> s, (-z[m // 2, 1] + s) >> s]
    _check_range(out)
    return out.ravel()


def rfft_q15(cfg: FrontendConfig, x: np.ndarray) -> tuple[np.ndarray, int]:
    """The firmware's rfft_q15 on natural-order int16 samples: (packed spectrum, exponent)."""
    x = np.asarray(x, dtype=np.int64)
    z = x.reshape(-1, 2)[cfg.bitrev]
    return rfft_bitreversed(cfg, z, _abs_bits(x))


def unpack(packed: np.ndarray, exponent: int) -> np.ndarray:
    """Packed int spectrum -> complex bins 0..N/2 in input units."""
    m = len(packed) // 2
    X = packed[0::2] + 1j * packed[1::2]
    out = np.zeros(m + 1, dtype=complex)
    out[:m] = X
    out[0] = packed[0]
    out[m] = packed[1]
    return out * 2.0 ** (0 if exponent == RFFT_SILENT else exponent)


# ----- front end -----------------------------------------------------------------
def window_frame(cfg: FrontendConfig, frame: np.ndarray, shift: int = 15) -> np.ndarray:
    """(x * w + 2^(shift-1)) >> shift with the symmetric Q15 window, zero-padded to N."""
    n = np.arange(cfg.win_length)
    w = cfg.window_q15[np.minimum(n, cfg.win_length - n)]
    xw = (np.asarray(frame, dtype=np.int64) * w + (1 << (shift - 1))) >> shift
    return np.concatenate([xw, np.zeros(cfg.n_fft - cfg.win_length, dtype=np.int64)])


def logmel_frame(cfg: FrontendConfig, frame: np.ndarray) -> np.ndarray:
    """One frame (win_length int16 samples) -> n_mels log-mel values, dB in Q7.8."""
    floor = np.full(cfg.n_mels, LOG_FLOOR_Q8, dtype=np.int64)
    raw = _abs_bits(frame)
    if raw == 0:
        return floor
    pre = 12 - msb32(raw)  # frame * 2^pre: every sample below 2^13
    xw = window_frame(cfg, frame, 15 - pre)
    packed, exponent = rfft_bitreversed(cfg, xw.reshape(-1, 2)[cfg.bitrev], _abs_bits(xw))
    if exponent == RFFT_SILENT:
        return floor
    exponent -= pre
    m = cfg.n_fft // 2
    re, im = packed[0::2].copy(), packed[1::2].copy()
    power = np.zeros(m + 1, dtype=np.int64)
    power[:m] = re * re + im * im
    power[0] = packed[0] ** 2
    power[m] = packed[1] ** 2
    dense, gains = cfg.mel_dense, cfg.mel_sparse[3]
    high = dense @ (power >> 16)  # 64-bit sums
    low = (((power & 0xFFFF)[None, :] * dense) >> 8).sum(axis=1)  # sums of truncated products
    return log_q8_many(cfg, (high << 16) + (low << 8), (2 * exponent - 30) * 1024 + gains)


def log_q8_many(cfg: FrontendConfig, energy: np.ndarray, offset_q10: np.ndarray) -> np.ndarray:
    """log_q8 on arrays (energies < 2^53, so float64's exponent is exact)."""
    energy = np.asarray(energy, dtype=np.int64)
    safe = np.maximum(energy, 1)
    p = np.frexp(safe.astype(np.float64))[1].astype(np.int64) - 1
    m = np.where(p >= 15, safe >> np.maximum(p - 15, 0), safe << np.maximum(15 - p, 0))
    frac = m - 32768
    idx, rem = frac >> 10, frac & 1023
    lut = cfg.log2_lut_q15.astype(np.int64)
    f = lut[idx] + (((lut[idx + 1] - lut[idx]) * rem + 512) >> 10)
    l2 = p * 1024 + ((f + 16) >> 5) + offset_q10
    db = (l2 * 12330 + 8192) >> 14
    return np.where(energy == 0, LOG_FLOOR_Q8, np.maximum(db, LOG_FLOOR_Q8))


def mfcc_frame(cfg: FrontendConfig, logmel_q8: np.ndarray) -> np.ndarray:
    """Q7.8 log-mel -> Q10.5 MFCC, saturated to int16 (as fe_mfcc)."""
    acc = cfg.dct_q13 @ np.asarray(logmel_q8, dtype=np.int64)
    return np.clip((acc + (1 << 15)) >> 16, -32768, 32767)


def frames_of(cfg: FrontendConfig, audio: np.ndarray) -> np.ndarray:
    """The frames the firmware sees when fed hop by hop from silence: frame t covers
    samples [t*hop - (win - hop), t*hop + hop) with zeros before the start."""
    pad = cfg.win_length - cfg.hop
    x = np.concatenate([np.zeros(pad, dtype=np.int64), np.asarray(audio, dtype=np.int64)])
    n = (len(x) - cfg.win_length) // cfg.hop + 1
    return np.stack([x[t * cfg.hop : t * cfg.hop + cfg.win_length] for t in range(n)])


def logmel(cfg: FrontendConfig, audio: np.ndarray) -> np.ndarray:
    return np.stack([logmel_frame(cfg, f) for f in frames_of(cfg, audio)])


def accuracy(cfg: FrontendConfig, fw_q8: np.ndarray, frames: np.ndarray, top_db: float = 60.0) -> dict:
    """Firmware log-mel (Q7.8) against the float reference on the same frames (see score_db)."""
    fw_db = np.asarray(fw_q8, dtype=np.float64) / 256.0
    return score_db(logmel_float_db(cfg, frames), fw_db, LOG_FLOOR_DB, top_db)


def score_db(ref_db: np.ndarray, fw_db: np.ndarray, floor_db: float, top_db: float = 60.0) -> dict:
    """Band energies in dB [frames, bands], a fixed-point front end's against its float
    design: energy SNR (dB) over everything, and mean/max abs error (dB) over the bands
    within top_db of their frame's peak and above the floor. One scoring for every front
    end, so that figures of different designs compare."""
    e_ref, e_fw = 10.0 ** (ref_db / 10), 10.0 ** (fw_db / 10)
    noise = float(np.sum((e_fw - e_ref) ** 2))
    snr = float("inf") if noise == 0 else 10 * np.log10(float(np.sum(e_ref**2)) / noise)
    mask = (ref_db >= ref_db.max(axis=1, keepdims=True) - top_db) & (ref_db > floor_db + 1)
    err = np.abs(fw_db - ref_db)[mask]
    return {
        "snr_db": snr,
        "mean_abs_err_db": float(err.mean()) if err.size else 0.0,
        "max_abs_err_db": float(err.max()) if err.size else 0.0,
        "bands": int(mask.sum()),
    }


# ----- float reference -------------------------------------------------------------
def mel_power_float(cfg: FrontendConfig, frames: np.ndarray) -> np.ndarray:
    """Mel energies of int16 frames in float64 (input scaled to [-1, 1))."""
    x = np.asarray(frames, dtype=np.float64) / 32768.0 * cfg.window_float
    spec = np.abs(np.fft.rfft(x, n=cfg.n_fft, axis=-1)) ** 2
    return spec @ cfg.mel_float.T


def logmel_float_db(cfg: FrontendConfig, frames: np.ndarray) -> np.ndarray:
    return 10.0 * np.log10(np.maximum(mel_power_float(cfg, frames), 10 ** (LOG_FLOOR_DB / 10)))


def mfcc_float(cfg: FrontendConfig, logmel_db: np.ndarray) -> np.ndarray:
    return np.asarray(logmel_db) @ cfg.dct_float.T

"""Bit-exact numpy model of the int8 kernels in firmware/nn (TFLite's int8 scheme),
and the quantisation helpers an exporter needs.

Every function mirrors its C twin's integer arithmetic exactly, including TFLite's
rounding in the requantisation (SaturatingRoundingDoublingHighMul followed by
RoundingDivideByPOT); tests run both and compare bit for bit.
"""

from __future__ import annotations

import math

import numpy as np

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def quantize_multiplier(real: float) -> tuple[int, int]:
    """TFLite's QuantizeMultiplier: real = multiplier * 2^(shift - 31), multiplier in
    [2^30, 2^31), the mantissa rounded half away from zero (TfLiteRound), not to even."""
    if real == 0:
        return 0, 0
    mantissa, shift = math.frexp(real)
    q = int(math.floor(abs(mantissa) * (1 << 31) + 0.5)) * (1 if mantissa > 0 else -1)
    if q == 1 << 31:
        q //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return q, shift


def _wrap32(x):
    return ((np.asarray(x, dtype=np.int64) + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def requantize(x, multiplier, shift) -> np.ndarray:
    """TFLite's MultiplyByQuantizedMultiplier, elementwise on int64 arrays."""
    x = np.asarray(x, dtype=np.int64)
    m = np.asarray(multiplier, dtype=np.int64)
    shift = np.asarray(shift, dtype=np.int64)
    left, right = np.maximum(shift, 0), np.maximum(-shift, 0)
    a = _wrap32(x << left)
    ab = a * m
    nudge = np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    t = ab + nudge
    high = np.where(t >= 0, t >> 31, -((-t) >> 31))
    high = np.where((a == INT32_MIN) & (m == INT32_MIN), INT32_MAX, high)
    mask = (np.int64(1) << right) - 1
    remainder = high & mask
    threshold = (mask >> 1) + (high < 0)
    return (high >> right) + (remainder > threshold)


def _finish(acc, rq, out):
    m = np.array([r[0] for r in rq], dtype=np.int64)
    s = np.array([r[1] for r in rq], dtype=np.int64)
    v = requantize(acc, m, s) + out["out_zp"]
    return np.clip(v, out["act_min"], out["act_max"]).astype(np.int64)


def fully_connected(x, w, bias, rq, out) -> np.ndarray:
    acc = np.asarray(w, dtype=np.int64) @ np.asarray(x, dtype=np.int64) + np.asarray(bias, dtype=np.int64)
    return _finish(acc, rq, out)


def conv1d(x, w, bias, rq, out, dilation=1, stride=1) -> np.ndarray:
    """x[t][c_in], w[c_out][k][c_in] -> y[ceil(t/stride)][c_out], causal."""
    x = np.asarray(x, dtype=np.int64)
    w = np.asarray(w, dtype=np.int64)
    t_in, _ = x.shape
    c_out, kernel, _ = w.shape
    rows = []
    for t in range(0, t_in, stride):
        acc = np.asarray(bias, dtype=np.int64).copy()
        for k in range(kernel):
            back = (kernel - 1 - k) * dilation
            if back <= t:
                acc += w[:, k, :] @ x[t - back]
        rows.append(_finish(acc, rq, out))
    return np.stack(rows)


def conv1d_depthwise(x, w, bias, rq, out, dilation=1, stride=1) -> np.ndarray:
    """x[t][ch], w[k][ch] -> y[ceil(t/stride)][ch], causal."""
    x = np.asarray(x, dtype=np.int64)
    w = np.asarray(w, dtype=np.int64)
    kernel = w.shape[0]
    rows = []
    for t in range(0, x.shape[0], stride):
        acc = np.asarray(bias, dtype=np.int64).copy()
        for k in range(kernel):
            back = (kernel - 1 - k) * dilation
            if back <= t:
                acc += w[k] * x[t - back]
        rows.append(_finish(acc, rq, out))
    return np.stack(rows)


def time_project(x, d, bias, rq, out) -> np.ndarray:
    """x[t][ch], d[k][t] -> y[k][ch] with per-k requantisation."""
    acc = np.asarray(d, dtype=np.int64) @ np.asarray(x, dtype=np.int64)  # [k][ch]
    acc = acc + np.asarray(bias, dtype=np.int64)[:, None]
    m = np.array([r[0] for r in rq], dtype=np.int64)[:, None]
    s = np.array([r[1] for r in rq], dtype=np.int64)[:, None]
    v = requantize(acc, m, s) + out["out_zp"]
    return np.clip(v, out["act_min"], out["act_max"]).astype(np.int64)


def _windows(x, window, stride):
    x = np.asarray(x, dtype=np.int64)
    return [x[t : t + window] for t in range(0, x.shape[0] - window + 1, stride)]


def _average(s, n):
    return np.clip(np.where(s >= 0, (s + n // 2) // n, -((-s + n // 2) // n)), -128, 127)


def maxpool1d(x, window, stride) -> np.ndarray:
    return np.stack([w.max(axis=0) for w in _windows(x, window, stride)])


def avgpool1d(x, window, stride) -> np.ndarray:
    return np.stack([_average(w.sum(axis=0), window) for w in _windows(x, window, stride)])


def global_avgpool1d(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.int64)
    return _average(x.sum(axis=0), x.shape[0])


def softmax_lut(input_scale: float) -> np.ndarray:
    """exp_lut[d] = round(2^16 exp(-d * input_scale)), d = 0..255."""
    return np.round(65536 * np.exp(-np.arange(256) * input_scale)).astype(np.int64)


def softmax(x, lut) -> np.ndarray:
    x = np.asarray(x, dtype=np.int64)
    e = np.asarray(lut, dtype=np.int64)[x.max() - x]
    s = int(e.sum())
    p = (e * 256 + s // 2) // s
    return np.minimum(p - 128, 127)

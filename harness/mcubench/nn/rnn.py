"""Bit-exact numpy model of the recurrent cells in firmware/nn/nn_rnn.c, their float
references (PyTorch's GRU and LSTM equations), and the quantiser that turns float
weights into a cell (int8 weights per tensor, Q15 state, Q11 pre-activations, Q15 LUTs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mcubench.nn import int8


def lut(fn) -> np.ndarray:
    """257 entries over [-8, 8] in steps of 1/16, Q15 (32767 = 1)."""
    return np.round(32767 * fn(-8 + np.arange(257) / 16)).astype(np.int64)


SIGMOID = lut(lambda v: 1 / (1 + np.exp(-v)))
TANH = lut(np.tanh)


def lut_q11(table: np.ndarray, x) -> np.ndarray:
    u = np.clip(np.asarray(x, dtype=np.int64), -16384, 16383) + 16384
    i, frac = u >> 7, u & 127
    a, b = table[i], table[i + 1]
    return a + (((b - a) * frac + 64) >> 7)


@dataclass
class Cell:
    gates: int
    wx: np.ndarray  # [gates * hidden, in] int8
    wh: np.ndarray  # [gates * hidden, hidden] int8
    bx: np.ndarray  # int32
    bh: np.ndarray  # int32
    rq_x: tuple
    rq_h: tuple

    @property
    def hidden(self) -> int:
        return self.wh.shape[1]


def quantize_cell(wx, wh, bx, bh, x_scale: float, x_zp: int) -> Cell:
    """Float weights (PyTorch layout: rows gate-major) -> an integer cell."""
    swx, swh = np.abs(wx).max() / 127 or 1.0, np.abs(wh).max() / 127 or 1.0
    qx = np.clip(np.round(wx / swx), -127, 127).astype(np.int64)
    qh = np.clip(np.round(wh / swh), -127, 127).astype(np.int64)
    qbx = np.round(bx / (x_scale * swx)).astype(np.int64) - x_zp * qx.sum(axis=1)
    qbh = np.round(bh / (swh / 32768)).astype(np.int64)
    return Cell(
        wx.shape[0] // wh.shape[1],
        qx,
        qh,
        qbx,
        qbh,
        int8.quantize_multiplier(x_scale * swx * 2048),
        int8.quantize_multiplier(swh / 32768 * 2048),
    )


def _parts(cell: Cell, x, h):
    px = int8.requantize(cell.bx + cell.wx @ np.asarray(x, dtype=np.int64), *cell.rq_x)
    ph = int8.requantize(cell.bh + cell.wh @ np.asarray(h, dtype=np.int64), *cell.rq_h)
    return px, ph


def gru_step(cell: Cell, x, h) -> np.ndarray:
    nh = cell.hidden
    px, ph = _parts(cell, x, h)
    r = lut_q11(SIGMOID, px[:nh] + ph[:nh])
    z = lut_q11(SIGMOID, px[nh : 2 * nh] + ph[nh : 2 * nh])
    hn = np.clip(ph[2 * nh :], -65535, 65535)
    n = lut_q11(TANH, px[2 * nh :] + ((r * hn + (1 << 14)) >> 15))
    return np.clip(n + ((z * (np.asarray(h, dtype=np.int64) - n) + (1 << 14)) >> 15), -32768, 32767)


def lstm_step(cell: Cell, x, h, c) -> tuple[np.ndarray, np.ndarray]:
    nh = cell.hidden
    px, ph = _parts(cell, x, h)
    pre = px + ph
    i, f = lut_q11(SIGMOID, pre[:nh]), lut_q11(SIGMOID, pre[nh : 2 * nh])
    g, o = lut_q11(TANH, pre[2 * nh : 3 * nh]), lut_q11(SIGMOID, pre[3 * nh :])
    c = np.asarray(c, dtype=np.int64)
    c = np.clip(((f * c + (1 << 14)) >> 15) + ((i * g + (1 << 17)) >> 18), -32768, 32767)
    h = np.clip((o * lut_q11(TANH, c >> 1) + (1 << 14)) >> 15, -32768, 32767)
    return h, c


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


def gru_float(wx, wh, bx, bh, x, h):
    nh = wh.shape[1]
    gx, gh = wx @ x + bx, wh @ h + bh
    r, z = _sigmoid(gx[:nh] + gh[:nh]), _sigmoid(gx[nh : 2 * nh] + gh[nh : 2 * nh])
    n = np.tanh(gx[2 * nh :] + r * gh[2 * nh :])
    return (1 - z) * n + z * h


def lstm_float(wx, wh, bx, bh, x, h, c):
    nh = wh.shape[1]
    g = wx @ x + bx + wh @ h + bh
    i, f, gg, o = (
        _sigmoid(g[:nh]),
        _sigmoid(g[nh : 2 * nh]),
        np.tanh(g[2 * nh : 3 * nh]),
        _sigmoid(g[3 * nh :]),
    )
    c = f * c + i * gg
    return o * np.tanh(c), c

"""Model 5: an LSTM genre classifier shaped like the RP2040 genre firmware.

18 MFCC per hop (the genre22k front end's fe_mfcc, Q10.5 dB) -> the z-score bridge
((mfcc - mean) / std per coefficient, constants from the training set, exported to the
firmware) -> LSTM, 32 units (PyTorch's equations) -> dense 32->10 on h -> softmax,
classifying after every hop. Trained on the synthesized styles of harness/mcubench/data/genre_dataset.py
with each clip preceded by another (the state a stream carries in), by numpy BPTT
(harness/mcubench/nn/train_lstm.py). In int8: the bridge is one integer subtraction and a
per-coefficient requantisation to int8; the cell is firmware/nn/nn_rnn.c's LSTM
(int8 weights, Q15 h, Q12 c); h (Q15) >> 8 is the dense layer's int8 input (scale 1/128).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from mcubench.data import genre_dataset as gd
from mcubench.nn import int8
from mcubench.nn import rnn as rm
from mcubench.nn import sed_models as sm
from mcubench.nn import sed_quant as sq
from mcubench.nn import train_lstm as lt
from mcubench.nn.train import softmax

NAME, HIDDEN, EPOCHS, TRAIN_PER_CLASS, TEST_PER_CLASS = "genre_lstm", 32, 30, 150, 40
Q5 = 32  # fe_mfcc: 32 = 1 dB


def _with_context(x: np.ndarray, rng) -> np.ndarray:
    return np.concatenate([x[rng.permutation(len(x))], x], axis=1)


def fit(seed: int = 0) -> dict:
    """Float weights and the bridge's constants (mean, std per coefficient, dB)."""
    audio, labels = gd.clips(TRAIN_PER_CLASS, gd.TRAIN_SEED)
    x = gd.mfcc_float(audio)
    mean, std = x.mean(axis=(0, 1)), x.std(axis=(0, 1)) + 1e-6
    rng = np.random.default_rng(seed)
    p = lt.init(x.shape[2], HIDDEN, len(gd.CLASSES), rng)
    lt.train(p, _with_context((x - mean) / std, rng), labels, epochs=EPOCHS, seed=seed)
    return {**p, "mean": mean, "std": std}


def float_stream_accuracy(p: dict, mfcc: np.ndarray, labels: np.ndarray) -> float:
    """Clips back to back, one state, prediction at each clip's last hop (as firmware)."""
    h, c, preds = np.zeros(HIDDEN), np.zeros(HIDDEN), []
    for clip in (mfcc - p["mean"]) / p["std"]:
        for frame in clip:
            h, c = rm.lstm_float(p["wx"], p["wh"], p["bx"], p["bh"], frame, h, c)
        preds.append(int(np.argmax(p["wo"] @ h + p["bo"])))
    return float(np.mean(np.array(preds) == labels))


@dataclass
class QLstm:
    mean_q5: np.ndarray  # per coefficient, Q10.5
    bridge_rq: list  # per coefficient (multiplier, shift): Q10.5 difference -> int8
    in_scale: float
    in_zp: int
    cell: rm.Cell
    out: sq.QLayer
    softmax_lut: np.ndarray


def quantize(p: dict, calib_mfcc: np.ndarray) -> QLstm:
    """The bridge's int8 range covers the calibration z-scores (0.1-99.9th percentile)."""
    z = (calib_mfcc - p["mean"]) / p["std"]
    in_scale, in_zp = sq._act(float(np.percentile(z, 0.1)), float(np.percentile(z, 99.9)), False)
    bridge = [int8.quantize_multiplier(1 / (Q5 * s * in_scale)) for s in p["std"]]
    cell = rm.quantize_cell(p["wx"], p["wh"], p["bx"], p["bh"], in_scale, in_zp)
    h, c, logits = np.zeros(HIDDEN), np.zeros(HIDDEN), []
    for clip in z:
        for frame in clip:
            h, c = rm.lstm_float(p["wx"], p["wh"], p["bx"], p["bh"], frame, h, c)
            logits.append(p["wo"] @ h + p["bo"])
    logits = np.array(logits)
    ls, lz = sq._act(float(logits.min()), float(logits.max()), False)
    out = sq._fc(p["wo"], p["bo"], 1 / 128, 0, ls, lz, False)
    return QLstm(
        np.round(p["mean"] * Q5).astype(np.int64), bridge, in_scale, in_zp, cell, out, int8.softmax_lut(ls)
    )


@lru_cache(maxsize=1)
def calibrated() -> QLstm:
    audio, _ = gd.clips(10, gd.TRAIN_SEED)
    return quantize(sm.load(NAME), gd.mfcc_float(audio))


def bridge(q: QLstm, mfcc_q5) -> np.ndarray:
    """The z-score bridge in integers, as genre_push: int8 inputs of the cell."""
    d = np.asarray(mfcc_q5, dtype=np.int64) - q.mean_q5
    m, s = np.array(q.bridge_rq).T
    return np.clip(int8.requantize(d, m, s) + q.in_zp, -128, 127)


class Stream:
    def __init__(self, q: QLstm):
        self.q = q
        self.h, self.c = np.zeros(HIDDEN, dtype=np.int64), np.zeros(HIDDEN, dtype=np.int64)

    def push(self, mfcc_q5) -> None:
        self.h, self.c = rm.lstm_step(self.q.cell, bridge(self.q, mfcc_q5), self.h, self.c)

    def classify(self) -> np.ndarray:
        q = self.q
        h8 = np.clip(self.h >> 8, -128, 127)
        return int8.softmax(int8.fully_connected(h8, q.out.w, q.out.bias, q.out.rq, q.out.out), q.softmax_lut)


class FloatStream:
    """The float model one hop at a time: float MFCC (dB) in, probabilities out."""

    def __init__(self, p: dict):
        self.p, self.h, self.c = p, np.zeros(HIDDEN), np.zeros(HIDDEN)

    def push(self, mfcc_db) -> None:
        p = self.p
        z = (np.asarray(mfcc_db, dtype=float) - p["mean"]) / p["std"]
        self.h, self.c = rm.lstm_float(p["wx"], p["wh"], p["bx"], p["bh"], z, self.h, self.c)

    def classify(self) -> np.ndarray:
        return softmax((self.p["wo"] @ self.h + self.p["bo"])[None])[0]


def header(q: QLstm) -> str:
    arr, c, o = sq.c_array, q.cell, q.out
    return "\n".join(
        [
            f"/* Generated by mcubench from benchmarks/models/{NAME}.npz. Do not edit. */",
            "#ifndef GENRE_MODEL_TABLES_H",
            "#define GENRE_MODEL_TABLES_H",
            '#include "nn_rnn.h"',
            f"#define GENRE_NMFCC {c.wx.shape[1]}",
            f"#define GENRE_HIDDEN {c.hidden}",
            f"#define GENRE_CLASSES {len(gd.CLASSES)}",
            f"#define GENRE_IN_ZP {q.in_zp}",
            f"#define GENRE_RQX_MULT {c.rq_x[0]}",
            f"#define GENRE_RQX_SHIFT {c.rq_x[1]}",
            f"#define GENRE_RQH_MULT {c.rq_h[0]}",
            f"#define GENRE_RQH_SHIFT {c.rq_h[1]}",
            "/* the z-score bridge: per coefficient, the training mean (Q10.5) and "
            "1 / (std x input scale) */",
            arr("int16_t", "genre_mean_q5", q.mean_q5),
            arr("int32_t", "genre_bridge_rq", [v for pair in q.bridge_rq for v in pair]),
            *sq.cell_arrays("genre", "genre", c),
            *sq.layer_arrays("genre_out", o),
            arr("uint32_t", "genre_softmax_lut", q.softmax_lut),
            "#endif",
            "",
        ]
    )


def write_header():
    return sq.write_model_header(NAME, header(calibrated()), folder=NAME, file="genre_model_tables.h")

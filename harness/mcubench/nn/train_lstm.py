"""Training an LSTM classifier in numpy (backpropagation through time): x [N, T, F] ->
LSTM (PyTorch's equations, gates i, f, g, o; h0 = c0 = 0) -> dense on the last h.
Adam on softmax cross-entropy; deterministic for a seed. For model 5 (the genre
firmware's shape: MFCC per frame -> LSTM -> dense -> softmax). The loop is
nn/bptt.py's; this module is the LSTM step and its backward.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from mcubench.nn import bptt
from mcubench.nn.bptt import sigmoid


class LstmCell:
    gates = 4

    @staticmethod
    def zero_state(n: int, nh: int) -> tuple:
        return np.zeros((n, nh)), np.zeros((n, nh))

    @staticmethod
    def step(p: dict, x_s: np.ndarray, state: tuple, nh: int):
        h, c = state
        g = x_s @ p["wx"].T + p["bx"] + h @ p["wh"].T + p["bh"]
        i, f = sigmoid(g[:, :nh]), sigmoid(g[:, nh : 2 * nh])
        gg, o = np.tanh(g[:, 2 * nh : 3 * nh]), sigmoid(g[:, 3 * nh :])
        c_new = f * c + i * gg
        tc = np.tanh(c_new)
        return (o * tc, c_new), (c, i, f, gg, o, tc)

    @staticmethod
    def step_back(saved: tuple, dh: np.ndarray, dc, h_prev: np.ndarray):
        c_prev, i, f, gg, o, tc = saved
        do = dh * tc
        dc = dc + dh * o * (1 - tc**2)
        di, df, dgg = dc * gg, dc * c_prev, dc * i
        dpre = np.concatenate(
            [di * i * (1 - i), df * f * (1 - f), dgg * (1 - gg**2), do * o * (1 - o)], axis=1
        )
        return dpre, dpre, None, dc * f


CELL = LstmCell()
forward = partial(bptt.forward, CELL)
backward = partial(bptt.backward, CELL)
loss_and_grads = partial(bptt.loss_and_grads, CELL)
train = partial(bptt.train, CELL)


def init(n_in: int, n_h: int, n_out: int, rng) -> dict:
    p = bptt.init(CELL, n_in, n_h, n_out, rng)
    p["bx"][n_h : 2 * n_h] = 1.0  # forget-gate bias 1: remember by default
    return p


def predict(p, x) -> np.ndarray:
    return forward(p, x)[0]

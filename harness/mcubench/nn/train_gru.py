"""Training a GRU classifier in numpy (backpropagation through time), so no torch is
needed: x [N, T, F] -> GRU (PyTorch's equations, h0 = 0) -> dense on the last h.
Adam on softmax cross-entropy; deterministic for a seed. The loop is nn/bptt.py's;
this module is the GRU step and its backward.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from mcubench.nn import bptt
from mcubench.nn.bptt import sigmoid


class GruCell:
    gates = 3

    @staticmethod
    def zero_state(n: int, nh: int) -> tuple:
        return (np.zeros((n, nh)),)

    @staticmethod
    def step(p: dict, x_s: np.ndarray, state: tuple, nh: int):
        (h,) = state
        gx = x_s @ p["wx"].T + p["bx"]
        gh = h @ p["wh"].T + p["bh"]
        r = sigmoid(gx[:, :nh] + gh[:, :nh])
        z = sigmoid(gx[:, nh : 2 * nh] + gh[:, nh : 2 * nh])
        nn_ = np.tanh(gx[:, 2 * nh :] + r * gh[:, 2 * nh :])
        return ((1 - z) * nn_ + z * h,), (r, z, nn_, gh[:, 2 * nh :])

    @staticmethod
    def step_back(saved: tuple, dh: np.ndarray, carry, h_prev: np.ndarray):
        r, z, nn_, ghn = saved
        dn = dh * (1 - z)
        dz = dh * (h_prev - nn_)
        dh_prev = dh * z
        dan = dn * (1 - nn_**2)  # pre-activation of n
        dr = dan * ghn
        dghn = dan * r
        daz = dz * z * (1 - z)
        dar = dr * r * (1 - r)
        dgx = np.concatenate([dar, daz, dan], axis=1)
        dgh = np.concatenate([dar, daz, dghn], axis=1)
        return dgx, dgh, dh_prev, carry


CELL = GruCell()
init = partial(bptt.init, CELL)
forward = partial(bptt.forward, CELL)
backward = partial(bptt.backward, CELL)
loss_and_grads = partial(bptt.loss_and_grads, CELL)
train = partial(bptt.train, CELL)


def predict(p, x) -> np.ndarray:
    return forward(p, x)[0]

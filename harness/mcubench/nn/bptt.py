"""The backpropagation-through-time core the recurrent trainers share: x [N, T, F] ->
a cell run over time from a zero state -> dense on the last h; softmax cross-entropy,
Adam. A cell (train_gru.py, train_lstm.py) supplies only its step, the step's
backward and its state; the loop over time, the head, the gradient accumulation of
wx/wh/bx/bh and the training loop are here, once.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from mcubench.nn.train import adam_fit, softmax_xent


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


class Cell(Protocol):
    gates: int

    def zero_state(self, n: int, nh: int, /) -> tuple: ...

    def step(self, p: dict, x_s: np.ndarray, state: tuple, nh: int, /) -> tuple[tuple, tuple]:
        """(new state, whose [0] is h; what the backward step needs)."""
        ...

    def step_back(self, saved: tuple, dh: np.ndarray, carry, h_prev: np.ndarray, /) -> tuple:
        """(d pre-activations through wx, through wh; dh that bypasses wh or None; carry)."""
        ...


def init(cell: Cell, n_in: int, n_h: int, n_out: int, rng) -> dict:
    k = 1 / np.sqrt(n_h)
    g = cell.gates
    return {
        "wx": rng.uniform(-k, k, (g * n_h, n_in)),
        "wh": rng.uniform(-k, k, (g * n_h, n_h)),
        "bx": np.zeros(g * n_h),
        "bh": np.zeros(g * n_h),
        "wo": rng.standard_normal((n_out, n_h)) * np.sqrt(1 / n_h),
        "bo": np.zeros(n_out),
    }


def forward(cell: Cell, p: dict, x: np.ndarray):
    """(logits, last h, per-step cache)."""
    n, t, _ = x.shape
    nh = p["wh"].shape[1]
    state = cell.zero_state(n, nh)
    cache = []
    for s in range(t):
        h_prev = state[0]
        state, saved = cell.step(p, x[:, s], state, nh)
        cache.append((x[:, s], h_prev, saved))
    h = state[0]
    return h @ p["wo"].T + p["bo"], h, cache


def backward(cell: Cell, p: dict, d_logits: np.ndarray, h_last: np.ndarray, cache) -> dict:
    g = {k: np.zeros_like(v) for k, v in p.items()}
    g["wo"], g["bo"] = d_logits.T @ h_last, d_logits.sum(axis=0)
    dh = d_logits @ p["wo"]
    carry = np.zeros_like(dh)
    for x_s, h_prev, saved in reversed(cache):
        dgx, dgh, dh_direct, carry = cell.step_back(saved, dh, carry, h_prev)
        g["wx"] += dgx.T @ x_s
        g["bx"] += dgx.sum(axis=0)
        g["wh"] += dgh.T @ h_prev
        g["bh"] += dgh.sum(axis=0)
        dh = dgh @ p["wh"] if dh_direct is None else dh_direct + dgh @ p["wh"]
    return g


def loss_and_grads(cell: Cell, p: dict, x, y):
    logits, h, cache = forward(cell, p, x)
    loss, d = softmax_xent(logits, y)
    return loss, backward(cell, p, d, h, cache)


def train(cell: Cell, p: dict, x, y, *, epochs=30, batch=32, lr=5e-3, seed=0, clip=5.0) -> dict:
    return adam_fit(
        p,
        lambda idx: loss_and_grads(cell, p, x[idx], y[idx])[1],
        len(y),
        epochs=epochs,
        batch=batch,
        lr=lr,
        seed=seed,
        clip=clip,
    )

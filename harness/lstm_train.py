"""Training an LSTM classifier in numpy (backpropagation through time): x [N, T, F] ->
LSTM (PyTorch's equations, gates i, f, g, o; h0 = c0 = 0) -> dense on the last h.
Adam on softmax cross-entropy; deterministic for a seed. For model 5 (the genre
firmware's shape: MFCC per frame -> LSTM -> dense -> softmax).
"""

from __future__ import annotations

import numpy as np

from .nn_train import adam_fit, softmax_xent


def _sig(v):
    return 1.0 / (1.0 + np.exp(-v))


def init(n_in: int, n_h: int, n_out: int, rng) -> dict:
    k = 1 / np.sqrt(n_h)
    bx = np.zeros(4 * n_h)
    bx[n_h:2 * n_h] = 1.0  # forget-gate bias 1: remember by default
    return {"wx": rng.uniform(-k, k, (4 * n_h, n_in)), "wh": rng.uniform(-k, k, (4 * n_h, n_h)),
            "bx": bx, "bh": np.zeros(4 * n_h),
            "wo": rng.standard_normal((n_out, n_h)) * np.sqrt(1 / n_h), "bo": np.zeros(n_out)}


def forward(p: dict, x: np.ndarray):
    n, t, _ = x.shape
    nh = p["wh"].shape[1]
    h, c = np.zeros((n, nh)), np.zeros((n, nh))
    cache = []
    for s in range(t):
        g = x[:, s] @ p["wx"].T + p["bx"] + h @ p["wh"].T + p["bh"]
        i, f = _sig(g[:, :nh]), _sig(g[:, nh:2 * nh])
        gg, o = np.tanh(g[:, 2 * nh:3 * nh]), _sig(g[:, 3 * nh:])
        c_new = f * c + i * gg
        tc = np.tanh(c_new)
        cache.append((x[:, s], h, c, i, f, gg, o, tc))
        h, c = o * tc, c_new
    return h @ p["wo"].T + p["bo"], h, cache


def backward(p: dict, d_logits: np.ndarray, h_last: np.ndarray, cache) -> dict:
    g = {k: np.zeros_like(v) for k, v in p.items()}
    g["wo"], g["bo"] = d_logits.T @ h_last, d_logits.sum(axis=0)
    dh = d_logits @ p["wo"]
    dc = np.zeros_like(dh)
    for x_s, h_prev, c_prev, i, f, gg, o, tc in reversed(cache):
        do = dh * tc
        dc = dc + dh * o * (1 - tc ** 2)
        di, df, dgg = dc * gg, dc * c_prev, dc * i
        dpre = np.concatenate([di * i * (1 - i), df * f * (1 - f), dgg * (1 - gg ** 2), do * o * (1 - o)], axis=1)
        g["wx"] += dpre.T @ x_s
        g["bx"] += dpre.sum(axis=0)
        g["wh"] += dpre.T @ h_prev
        g["bh"] += dpre.sum(axis=0)
        dh = dpre @ p["wh"]
        dc = dc * f
    return g


def loss_and_grads(p, x, y):
    logits, h, cache = forward(p, x)
    loss, d = softmax_xent(logits, y)
    return loss, backward(p, d, h, cache)


def train(p: dict, x, y, *, epochs=30, batch=32, lr=5e-3, seed=0, clip=5.0) -> dict:
    return adam_fit(p, lambda idx: loss_and_grads(p, x[idx], y[idx])[1], len(y), epochs=epochs,
                    batch=batch, lr=lr, seed=seed, clip=clip)


def predict(p, x) -> np.ndarray:
    return forward(p, x)[0]

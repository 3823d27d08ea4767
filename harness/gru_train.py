"""Training a GRU classifier in numpy (backpropagation through time), so no torch is
needed: x [N, T, F] -> GRU (PyTorch's equations, h0 = 0) -> dense on the last h.
Adam on softmax cross-entropy; deterministic for a seed.
"""

from __future__ import annotations

import numpy as np

from .nn_train import adam_fit, softmax_xent


def _sig(v):
    return 1.0 / (1.0 + np.exp(-v))


def init(n_in: int, n_h: int, n_out: int, rng) -> dict:
    k = 1 / np.sqrt(n_h)
    return {"wx": rng.uniform(-k, k, (3 * n_h, n_in)), "wh": rng.uniform(-k, k, (3 * n_h, n_h)),
            "bx": np.zeros(3 * n_h), "bh": np.zeros(3 * n_h),
            "wo": rng.standard_normal((n_out, n_h)) * np.sqrt(1 / n_h), "bo": np.zeros(n_out)}


def forward(p: dict, x: np.ndarray):
    n, t, _ = x.shape
    nh = p["wh"].shape[1]
    h = np.zeros((n, nh))
    cache = []
    for s in range(t):
        gx = x[:, s] @ p["wx"].T + p["bx"]
        gh = h @ p["wh"].T + p["bh"]
        r = _sig(gx[:, :nh] + gh[:, :nh])
        z = _sig(gx[:, nh:2 * nh] + gh[:, nh:2 * nh])
        nn_ = np.tanh(gx[:, 2 * nh:] + r * gh[:, 2 * nh:])
        h_new = (1 - z) * nn_ + z * h
        cache.append((x[:, s], h, r, z, nn_, gh[:, 2 * nh:]))
        h = h_new
    return h @ p["wo"].T + p["bo"], h, cache


def backward(p: dict, logits_grad: np.ndarray, h_last: np.ndarray, cache) -> dict:
    g = {k: np.zeros_like(v) for k, v in p.items()}
    g["wo"] = logits_grad.T @ h_last
    g["bo"] = logits_grad.sum(axis=0)
    dh = logits_grad @ p["wo"]
    for x_s, h_prev, r, z, nn_, ghn in reversed(cache):
        dn = dh * (1 - z)
        dz = dh * (h_prev - nn_)
        dh_prev = dh * z
        dan = dn * (1 - nn_ ** 2)              # pre-activation of n
        dr = dan * ghn
        dghn = dan * r
        daz = dz * z * (1 - z)
        dar = dr * r * (1 - r)
        dgx = np.concatenate([dar, daz, dan], axis=1)
        dgh = np.concatenate([dar, daz, dghn], axis=1)
        g["wx"] += dgx.T @ x_s
        g["bx"] += dgx.sum(axis=0)
        g["wh"] += dgh.T @ h_prev
        g["bh"] += dgh.sum(axis=0)
        dh = dh_prev + dgh @ p["wh"]
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

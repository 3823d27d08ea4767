"""Training a small causal TCN in numpy: layers of (causal dilated taps -> dense ->
ReLU) over x [N, T, C], then dense on the last frame. A causal dilated conv1d is a
dense layer on the stacked taps x[t - (K-1-k) d], k = 0..K-1 (zeros before t = 0).
Adam on softmax cross-entropy; deterministic for a seed.
"""

from __future__ import annotations

import numpy as np

from mcubench.nn.train import adam_fit, softmax_xent


def taps(x: np.ndarray, kernel: int, dilation: int) -> np.ndarray:
    """[N, T, C] -> [N, T, K*C], tap k (oldest first) = x shifted by (K-1-k)*d."""
    n, t, c = x.shape
    out = np.zeros((n, t, kernel * c))
    for k in range(kernel):
        back = (kernel - 1 - k) * dilation
        out[:, back:, k * c : (k + 1) * c] = x[:, : t - back] if back else x
    return out


def taps_backward(g: np.ndarray, kernel: int, dilation: int, c: int) -> np.ndarray:
    n, t, _ = g.shape
    dx = np.zeros((n, t, c))
    for k in range(kernel):
        back = (kernel - 1 - k) * dilation
        dx[:, : t - back] += g[:, back:, k * c : (k + 1) * c]
    return dx


def init(n_in: int, layers, n_out: int, rng) -> dict:
    p, width = {}, n_in
    for i, (c_out, kernel, _) in enumerate(layers):
        p[f"w{i}"] = rng.standard_normal((c_out, kernel * width)) * np.sqrt(2 / (kernel * width))
        p[f"b{i}"] = np.zeros(c_out)
        width = c_out
    p["wo"] = rng.standard_normal((n_out, width)) * np.sqrt(1 / width)
    p["bo"] = np.zeros(n_out)
    return p


def forward(p, layers, x):
    cache = []
    for i, (_c_out, kernel, dilation) in enumerate(layers):
        u = taps(x, kernel, dilation)
        z = u @ p[f"w{i}"].T + p[f"b{i}"]
        cache.append((x.shape[2], u, z))
        x = np.maximum(z, 0)
    return x[:, -1] @ p["wo"].T + p["bo"], x, cache


def loss_and_grads(p, layers, x, y):
    logits, last, cache = forward(p, layers, x)
    loss, d = softmax_xent(logits, y)
    g = {"wo": d.T @ last[:, -1], "bo": d.sum(axis=0)}
    dx = np.zeros_like(last)
    dx[:, -1] = d @ p["wo"]
    for i in range(len(layers) - 1, -1, -1):
        c_in, u, z = cache[i]
        dz = dx * (z > 0)
        g[f"w{i}"] = dz.reshape(-1, dz.shape[2]).T @ u.reshape(-1, u.shape[2])
        g[f"b{i}"] = dz.sum(axis=(0, 1))
        dx = taps_backward(dz @ p[f"w{i}"], layers[i][1], layers[i][2], c_in)
    return loss, g


def train(p, layers, x, y, *, epochs=40, batch=32, lr=3e-3, seed=0):
    return adam_fit(
        p,
        lambda idx: loss_and_grads(p, layers, x[idx], y[idx])[1],
        len(y),
        epochs=epochs,
        batch=batch,
        lr=lr,
        seed=seed,
    )

"""A small numpy trainer for the kilobyte-sized models: dense layers (a layer applied
to every frame is a dense layer on [N*T, F] followed by a reshape), ReLU, softmax
cross-entropy, Adam. Deterministic for a seed; no torch needed.

A model is a list of ops: ("dense", n_out), ("relu",), ("reshape", (a, b)) where a
reshape to (-1, k) flattens frames into features.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_info


@dataclass
class Net:
    ops: list
    params: dict = field(default_factory=dict)  # layer index -> {"W": [out, in], "b": [out]}

    def init(self, n_in: int, rng) -> Net:
        width = n_in
        for i, op in enumerate(self.ops):
            if op[0] == "dense":
                self.params[i] = {
                    "W": rng.standard_normal((op[1], width)) * np.sqrt(2.0 / width),
                    "b": np.zeros(op[1]),
                }
                width = op[1]
            elif op[0] == "reshape":
                width = op[1][1]
        return self

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self.forward_keep(x)[0]

    def forward_keep(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """The output and every layer's activation (what backward needs)."""
        acts = [x]
        for i, op in enumerate(self.ops):
            if op[0] == "dense":
                x = x @ self.params[i]["W"].T + self.params[i]["b"]
            elif op[0] == "relu":
                x = np.maximum(x, 0)
            elif op[0] == "reshape":
                x = x.reshape(op[1])
            acts.append(x)
        return x, acts

    def backward(self, acts, grad) -> dict:
        grads = {}
        for i in range(len(self.ops) - 1, -1, -1):
            op, x_in = self.ops[i], acts[i]
            if op[0] == "dense":
                grads[i] = {"W": grad.T @ x_in, "b": grad.sum(axis=0)}
                grad = grad @ self.params[i]["W"]
            elif op[0] == "relu":
                grad = grad * (acts[i + 1] > 0)
            elif op[0] == "reshape":
                grad = grad.reshape(x_in.shape)
        return grads


def numeric_platform() -> str:
    """What float training results depend on beyond our code: the BLAS kernels numpy
    dispatches to (they sum in a CPU-dependent order) and numpy's own version (its SIMD
    exp/tanh). Training is bit-reproducible only on the same platform string."""
    blas = next(
        (
            f"{i['internal_api']}-{i.get('architecture')}"
            for i in threadpool_info()
            if i.get("user_api") == "blas"
        ),
        "blas-unknown",
    )
    return f"{blas}/numpy-{np.__version__}"


def adam_step(
    param: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray, step: int, lr: float
) -> None:
    """One Adam update in place (beta1 0.9, beta2 0.999, eps 1e-8): the one rule every
    trainer here uses."""
    m[...] = 0.9 * m + 0.1 * grad
    v[...] = 0.999 * v + 0.001 * grad**2
    param -= lr * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)


def softmax_xent(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy and its gradient with respect to the logits."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    prob = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(prob[np.arange(len(y)), y] + 1e-12))
    prob[np.arange(len(y)), y] -= 1
    return loss, prob / len(y)


def adam_fit(
    p: dict, grads_of, n: int, *, epochs: int, batch: int, lr: float, seed: int, clip: float | None = None
) -> dict:
    """Minibatch Adam over n samples: grads_of(indices) -> {name: gradient}; optional
    clipping of the global gradient norm. Deterministic for a seed."""
    rng = np.random.default_rng(seed)
    m = {k: np.zeros_like(val) for k, val in p.items()}
    v = {k: np.zeros_like(val) for k, val in p.items()}
    step = 0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch):
            g = grads_of(order[start : start + batch])
            scale = 1.0
            if clip is not None:
                norm = np.sqrt(sum(float((gv**2).sum()) for gv in g.values()))
                scale = min(1.0, clip / (norm + 1e-12))
            step += 1
            for k in p:
                adam_step(p[k], g[k] * scale if clip is not None else g[k], m[k], v[k], step, lr)
    return p


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def train(
    net: Net,
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int = 60,
    batch: int = 64,
    lr: float = 3e-3,
    weight_decay: float = 1e-4,
    seed: int = 0,
    frames: int = 1,
) -> Net:
    """Adam on softmax cross-entropy. `frames` > 1: each sample is `frames` rows of x."""
    rng = np.random.default_rng(seed)
    n = len(y)
    m = {i: {k: np.zeros_like(v) for k, v in p.items()} for i, p in net.params.items()}
    v = {i: {k: np.zeros_like(val) for k, val in p.items()} for i, p in net.params.items()}
    step = 0
    xs = x.reshape(n, frames, -1)
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            xb = xs[idx].reshape(len(idx) * frames, -1) if frames > 1 else xs[idx].reshape(len(idx), -1)
            out, acts = net.forward_keep(xb)
            p = softmax(out)
            p[np.arange(len(idx)), y[idx]] -= 1
            grads = net.backward(acts, p / len(idx))
            step += 1
            for i, g in grads.items():
                for k in g:
                    grad = g[k] + (weight_decay * net.params[i][k] if k == "W" else 0)
                    adam_step(net.params[i][k], grad, m[i][k], v[i][k], step, lr)
    return net


def accuracy(net: Net, x: np.ndarray, y: np.ndarray, frames: int = 1) -> float:
    n = len(y)
    xb = x.reshape(n * frames, -1) if frames > 1 else x.reshape(n, -1)
    return float(np.mean(net.forward(xb).argmax(axis=1) == y))

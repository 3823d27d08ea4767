"""The kilobyte-sized sound-event models, as float definitions and trained weights.

1. dct_mlp: a 2-D DCT of the log-mel patch (8 mel-DCT x 8 time-DCT coefficients, both
   orthonormal DCT-II, fixed) -> dense 64->20 ReLU -> dense 20->4.
2. frame_mlp: dense 32->8 ReLU on every frame (shared) -> the last 32 frames ->
   dense 256->16 ReLU -> dense 16->4.
Both stream: the per-frame part runs once per hop into a ring of 32 x 8 values, and
the head runs on the ring. Inputs are log-mel dB standardised by the training set's
per-band mean and deviation, folded into the first layer after training. Weights live
in benchmarks/models/<name>.npz, made by scripts/train-sed-models.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mcubench.base.paths import MODELS_DIR
from mcubench.data import sed_dataset as ds
from mcubench.nn.model_names import FAMILIES
from mcubench.nn.train import Net, numeric_platform, train

N_MEL_DCT, N_TIME_DCT = 8, 8
TRAIN_PER_CLASS, TEST_PER_CLASS = 400, 150


def dct_matrix(n_out: int, n_in: int) -> np.ndarray:
    k, i = np.arange(n_out)[:, None], np.arange(n_in)[None, :]
    d = np.cos(np.pi * k * (2 * i + 1) / (2 * n_in)) * np.sqrt(2.0 / n_in)
    d[0] /= np.sqrt(2.0)
    return d


def dct2(x: np.ndarray) -> np.ndarray:
    """[N, T, M] log-mel -> [N, N_TIME_DCT * N_MEL_DCT] (time-major, then mel)."""
    dm, dt = dct_matrix(N_MEL_DCT, x.shape[2]), dct_matrix(N_TIME_DCT, x.shape[1])
    return np.einsum("kt,ntm,cm->nkc", dt, x, dm).reshape(len(x), -1)


WIDTHS = {f: FAMILIES[f][0] for f in ("dct_mlp", "frame_mlp")}  # the hidden layer of the head
FRAME_WIDTH = 8  # frame_mlp's per-frame layer (the ring's width)


def architectures(frames: int = ds.FRAMES, widths: dict | None = None) -> dict:
    w = {**WIDTHS, **(widths or {})}
    return {
        "dct_mlp": [("dense", w["dct_mlp"]), ("relu",), ("dense", 4)],
        "frame_mlp": [
            ("dense", FRAME_WIDTH),
            ("relu",),
            ("reshape", (-1, frames * FRAME_WIDTH)),
            ("dense", w["frame_mlp"]),
            ("relu",),
            ("dense", 4),
        ],
    }


def data(n_per_class: int, seed: int, config: str = ds.CONFIG):
    audio, labels = ds.clips(n_per_class, seed)
    return ds.features(audio, config), labels


def fit(name: str, x: np.ndarray, y: np.ndarray, seed: int = 0, width: int | None = None) -> dict:
    """Train one model (x: [N, frames, mels]); returns its weights with the
    standardisation folded in."""
    ops = architectures(x.shape[1], {name: width or WIDTHS[name]})[name]
    net = Net(ops)
    if name == "dct_mlp":
        f = dct2(x)
        mu, sd = f.mean(axis=0), f.std(axis=0) + 1e-6
        net.init(f.shape[1], np.random.default_rng(seed))
        train(net, (f - mu) / sd, y, epochs=80, seed=seed)
        first = net.params[0]
    else:
        mu, sd = x.mean(axis=(0, 1)), x.std(axis=(0, 1)) + 1e-6
        net.init(x.shape[2], np.random.default_rng(seed))
        train(net, ((x - mu) / sd).reshape(-1, x.shape[2]), y, frames=x.shape[1], epochs=40, seed=seed)
        first = net.params[0]
    # fold the standardisation into the first dense layer: W (x - mu) / sd + b
    w = first["W"] / sd
    b = first["b"] - w @ mu
    params = {f"W{i}": p["W"] for i, p in net.params.items()}
    params.update({f"b{i}": p["b"] for i, p in net.params.items()})
    params["W0"], params["b0"] = w, b
    return params


def net_of(name: str, params: dict) -> Net:
    """The float net of trained weights (its width and patch length read off them)."""
    head = params["W3"] if name == "frame_mlp" else params["W0"]
    frames = head.shape[1] // FRAME_WIDTH if name == "frame_mlp" else ds.FRAMES
    net = Net(architectures(frames, {name: head.shape[0]})[name])
    for key, value in params.items():
        if key[0] in "Wb" and key[1:].isdigit():
            net.params.setdefault(int(key[1:]), {})["W" if key[0] == "W" else "b"] = value
    return net


def float_predict(name: str, params: dict, x: np.ndarray) -> np.ndarray:
    net = net_of(name, params)
    if name == "dct_mlp":
        return net.forward(dct2(x))
    n, t, m = x.shape
    return net.forward(x.reshape(n * t, m))


def float_accuracy(name: str, params: dict, x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(float_predict(name, params, x).argmax(axis=1) == y))


def load(name: str) -> dict:
    path = MODELS_DIR / f"{name}.npz"
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def save(name: str, params: dict, **info) -> Path:
    """Weights plus `info`, and the numeric platform they were trained on (see
    nn_train.numeric_platform: a retraining elsewhere may differ in the last bits)."""
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    path = MODELS_DIR / f"{name}.npz"
    info = {"platform": numeric_platform(), **info}
    arrays = {**params, **{k: np.asarray(v) for k, v in info.items()}}
    np.savez(path, **arrays)  # pyright: ignore[reportArgumentType]  # numpy's stub types **kwds narrowly
    return path

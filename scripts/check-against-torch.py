#!/usr/bin/env python3
"""Check the numpy trainers against PyTorch: the same weights and inputs through
torch.nn.GRU / torch.nn.LSTM / causal dilated torch conv1d + a dense head, in float64;
compare logits, loss and every gradient with ours (harness/mcubench/nn/train_gru.py, lstm_train.py,
tcn_train.py). Needs the optional extra: `.venv/bin/pip install -e .[train]`
(torch==2.13.0, CPU). Prints the largest relative differences; exit 1 if any is above 1e-9.
Usage: .venv/bin/python scripts/check-against-torch.py"""

import sys

import numpy as np
import torch
import torch.nn.functional as F

from mcubench.nn import train_gru as gru_train
from mcubench.nn import train_lstm as lstm_train
from mcubench.nn import train_tcn as tcn_train

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(0)
N, T, F_IN, H, C = 6, 9, 5, 7, 4
x, y = rng.standard_normal((N, T, F_IN)), rng.integers(0, C, N)
xt, yt = torch.tensor(x), torch.tensor(y)


def rel(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


def head(p, h_last):
    wo, bo = torch.tensor(p["wo"], requires_grad=True), torch.tensor(p["bo"], requires_grad=True)
    logits = h_last @ wo.T + bo
    return logits, F.cross_entropy(logits, yt), {"wo": wo, "bo": bo}


def check_rnn(name, module, cls):
    p = module.init(F_IN, H, C, rng)
    for k in ("bx", "bh"):  # non-zero biases, so their gradients and placement are tested
        p[k] = rng.standard_normal(p[k].shape) * 0.3
    loss, grads = module.loss_and_grads(p, x, y)
    logits = module.predict(p, x)
    net = cls(F_IN, H, batch_first=True)
    with torch.no_grad():
        for ours, theirs in (
            ("wx", "weight_ih_l0"),
            ("wh", "weight_hh_l0"),
            ("bx", "bias_ih_l0"),
            ("bh", "bias_hh_l0"),
        ):
            getattr(net, theirs).copy_(torch.tensor(p[ours]))
    out, _ = net(xt)
    t_logits, t_loss, head_params = head(p, out[:, -1])
    t_loss.backward()
    t_grads = {
        "wx": net.weight_ih_l0.grad,
        "wh": net.weight_hh_l0.grad,
        "bx": net.bias_ih_l0.grad,
        "bh": net.bias_hh_l0.grad,
        **{k: v.grad for k, v in head_params.items()},
    }
    return report(name, logits, t_logits, loss, t_loss, grads, t_grads)


def check_tcn():
    layers = ((6, 3, 1), (6, 3, 2), (6, 3, 4))
    p = tcn_train.init(F_IN, layers, C, rng)
    for i in range(len(layers)):
        p[f"b{i}"] = rng.standard_normal(p[f"b{i}"].shape) * 0.3
    loss, grads = tcn_train.loss_and_grads(p, layers, x, y)
    logits = tcn_train.forward(p, layers, x)[0]
    h, params = xt.transpose(1, 2), {}
    for i, (c_out, kernel, dilation) in enumerate(layers):
        c_in = h.shape[1]
        # ours: w[o][k * c_in + c], tap k = (kernel - 1 - k) * dilation back; torch: w[o][c][k], the same taps
        w = torch.tensor(
            p[f"w{i}"].reshape(c_out, kernel, c_in).transpose(0, 2, 1).copy(), requires_grad=True
        )
        b = torch.tensor(p[f"b{i}"], requires_grad=True)
        h = F.relu(F.conv1d(F.pad(h, ((kernel - 1) * dilation, 0)), w, b, dilation=dilation))
        params[f"w{i}"], params[f"b{i}"] = w, b
    t_logits, t_loss, head_params = head(p, h[:, :, -1])
    t_loss.backward()
    t_grads = {
        **{
            f"w{i}": params[f"w{i}"].grad.numpy().transpose(0, 2, 1).reshape(layers[i][0], -1)
            for i in range(len(layers))
        },
        **{f"b{i}": params[f"b{i}"].grad for i in range(len(layers))},
        **{k: v.grad for k, v in head_params.items()},
    }
    return report("tcn", logits, t_logits, loss, t_loss, grads, t_grads)


def report(name, logits, t_logits, loss, t_loss, grads, t_grads) -> float:
    diffs = {"logits": rel(logits, t_logits.detach().numpy()), "loss": rel(loss, t_loss.item())}
    diffs.update(
        {
            f"d{k}": rel(grads[k], t_grads[k].numpy() if hasattr(t_grads[k], "numpy") else t_grads[k])
            for k in sorted(t_grads)
        }
    )
    worst = max(diffs.values())
    print(
        f"{name}: largest relative difference {worst:.1e} "
        f"({', '.join(f'{k} {v:.0e}' for k, v in diffs.items())})"
    )
    return worst


worst = max(
    check_rnn("gru", gru_train, torch.nn.GRU), check_rnn("lstm", lstm_train, torch.nn.LSTM), check_tcn()
)
print(f"torch {torch.__version__}: {'OK' if worst < 1e-9 else 'MISMATCH'}")
sys.exit(0 if worst < 1e-9 else 1)

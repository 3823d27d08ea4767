"""The numpy trainers' gradients against numerical differentiation, and that they learn."""

import numpy as np
import pytest
import reproduce

from mcubench.nn import train_gru as gru_train
from mcubench.nn import train_lstm as lstm_train
from mcubench.nn import train_tcn as tcn_train


def _check(loss_fn, params, rng, tol=1e-5):
    _, grads = loss_fn()
    worst = 0.0
    for key, value in params.items():
        for _ in range(4):
            idx = tuple(int(rng.integers(0, s)) for s in value.shape)
            old = value[idx]
            value[idx] = old + 1e-6
            up, _ = loss_fn()
            value[idx] = old - 1e-6
            down, _ = loss_fn()
            value[idx] = old
            num = (up - down) / 2e-6
            worst = max(worst, abs(num - grads[key][idx]) / (abs(num) + abs(grads[key][idx]) + 1e-9))
    assert worst < tol, worst


@pytest.mark.parametrize("module", [gru_train, lstm_train])
def test_recurrent_gradients(module):
    rng = np.random.default_rng(0)
    p = module.init(5, 4, 3, rng)
    x, y = rng.standard_normal((3, 7, 5)), np.array([0, 2, 1])
    _check(lambda: module.loss_and_grads(p, x, y), p, rng)


def test_tcn_gradients():
    rng = np.random.default_rng(1)
    layers = [(4, 3, 1), (3, 3, 2)]
    p = tcn_train.init(5, layers, 3, rng)
    x, y = rng.standard_normal((3, 9, 5)), np.array([0, 2, 1])
    _check(lambda: tcn_train.loss_and_grads(p, layers, x, y), p, rng)


def test_lstm_learns_a_sequence_task():
    # the class is the sign pattern of the first frame: it must be remembered 12 steps
    rng = np.random.default_rng(2)
    n, t = 300, 12
    x = rng.standard_normal((n, t, 3)) * 0.1
    y = rng.integers(0, 3, n)
    x[np.arange(n), 0, y] += 2.0
    p = lstm_train.init(3, 8, 3, np.random.default_rng(3))
    lstm_train.train(p, x, y, epochs=40)
    assert np.mean(lstm_train.predict(p, x).argmax(axis=1) == y) > 0.9


def test_the_reproduction_check_is_exact_on_the_training_platform_and_by_accuracy_elsewhere(monkeypatch):
    committed = {"w": np.array([0.90]), "platform": np.asarray("blas-A/numpy-1")}
    accuracy = lambda p: float(p["w"][0])  # noqa: E731 - the "accuracy" of a one-number model
    monkeypatch.setattr(reproduce, "numeric_platform", lambda: "blas-A/numpy-1")
    reproduce.assert_reproduces({"w": np.array([0.90])}, committed, accuracy)
    with pytest.raises(AssertionError):  # same platform: the last bits must agree
        reproduce.assert_reproduces({"w": np.array([0.90 + 1e-6])}, committed, accuracy)
    monkeypatch.setattr(reproduce, "numeric_platform", lambda: "blas-B/numpy-2")
    reproduce.assert_reproduces({"w": np.array([0.92])}, committed, accuracy)
    with pytest.raises(AssertionError, match="retrained 0.850 vs committed 0.900"):
        reproduce.assert_reproduces({"w": np.array([0.85])}, committed, accuracy)

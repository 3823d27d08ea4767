#!/usr/bin/env python3
"""Train the kilobyte-sized sound-event models (harness/mcubench/nn/sed_models.py, sed_gru.py) on the
synthesized dataset and write their float weights to benchmarks/models/*.npz.
Deterministic (fixed seeds). Usage: .venv/bin/python scripts/train-sed-models.py"""

from mcubench.data import sed_dataset as ds
from mcubench.nn import sed_gru as sg
from mcubench.nn import sed_models as sm
from mcubench.nn import sed_tcn as st

x, y = sm.data(sm.TRAIN_PER_CLASS, ds.TRAIN_SEED)
xt, yt = sm.data(sm.TEST_PER_CLASS, ds.TEST_SEED)
for name in sm.architectures():
    params = sm.fit(name, x, y)
    train_acc, test_acc = sm.float_accuracy(name, params, x, y), sm.float_accuracy(name, params, xt, yt)
    path = sm.save(name, params, train_accuracy=train_acc, test_accuracy=test_acc)
    print(f"{name}: float accuracy train {train_acc:.3f}, test {test_acc:.3f} -> {path}")

params = sg.fit()
audio, labels = ds.clips(sm.TEST_PER_CLASS, ds.TEST_SEED)
test_acc = sg.float_stream_accuracy(params, ds.features_all(audio), labels)
print(f"gru: float stream accuracy test {test_acc:.3f} -> {sm.save('gru', params, test_accuracy=test_acc)}")

params = st.fit()
test_acc = st.float_accuracy(params, ds.features_all(audio), labels)
print(f"tcn: float accuracy test {test_acc:.3f} -> {sm.save('tcn', params, test_accuracy=test_acc)}")

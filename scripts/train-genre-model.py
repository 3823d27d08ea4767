#!/usr/bin/env python3
"""Train model 5, the genre LSTM (harness/mcubench/nn/genre_lstm.py), on the synthesized music
styles (harness/mcubench/data/genre_dataset.py) and write its float weights and z-score constants to
benchmarks/models/genre_lstm.npz. Deterministic (fixed seeds); about 2 minutes.
Usage: .venv/bin/python scripts/train-genre-model.py"""

from mcubench.data import genre_dataset as gd
from mcubench.nn import genre_lstm as gl
from mcubench.nn import sed_models as sm

params = gl.fit()
audio, labels = gd.clips(gl.TEST_PER_CLASS, gd.TEST_SEED)
test_acc = gl.float_stream_accuracy(params, gd.mfcc_float(audio), labels)
path = sm.save(gl.NAME, params, test_accuracy=test_acc)
print(f"{gl.NAME}: float stream accuracy test {test_acc:.3f} -> {path}")

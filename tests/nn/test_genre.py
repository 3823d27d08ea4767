"""Model 5, the genre LSTM: the synthesized music-style dataset, the committed weights,
the z-score bridge, and the firmware streaming bit for bit against the int8 reference."""

import numpy as np
import pytest
from reproduce import assert_reproduces

from mcubench.data import genre_dataset as gd
from mcubench.nn import genre_lstm as gl
from mcubench.nn import sed_models as sm

SOURCES = [
    "firmware/bench/genre_model_bench.c",
    "firmware/nn/genre_model.c",
    "firmware/nn/nn_int8.c",
    "firmware/nn/nn_rnn.c",
    "firmware/nn/nn_dot_int8.S",
]


def test_dataset_is_deterministic_balanced_split_and_the_styles_differ():
    a1, y1 = gd.clips(2, gd.TRAIN_SEED)
    a2, y2 = gd.clips(2, gd.TRAIN_SEED)
    at, _ = gd.clips(2, gd.TEST_SEED)
    assert np.array_equal(a1, a2) and np.array_equal(y1, y2) and not np.array_equal(a1, at)
    assert np.bincount(y1).tolist() == [2] * 10 and a1.dtype == np.int16
    x = gd.mfcc_float(a1)
    assert x.shape == (20, gd.HOPS, 18)
    assert np.all(np.abs(a1).max(axis=1) > 1000)  # no silent clip
    # the two clips of a style are not the same clip
    assert all(not np.array_equal(a1[i], a1[i + 10]) for i in range(10))


@pytest.mark.slow
def test_committed_weights_are_what_the_training_script_makes():
    _, mfcc, labels = gd.test_stream(8)
    assert_reproduces(gl.fit(), sm.load(gl.NAME), lambda p: gl.float_stream_accuracy(p, mfcc, labels))


def test_bridge_is_the_z_score_to_within_one_step():
    q = gl.calibrated()
    p = sm.load(gl.NAME)
    q5, mfcc, _ = gd.test_stream(8)
    frames = q5[:4].reshape(-1, 18)
    x8 = np.array([gl.bridge(q, f) for f in frames])
    z = (frames / gl.Q5 - p["mean"]) / p["std"]
    expect = np.clip(np.round(z / q.in_scale) + q.in_zp, -128, 127)
    assert np.max(np.abs(x8 - expect)) <= 1
    assert x8.min() >= -128 and x8.max() <= 127 and np.ptp(x8) > 100  # the range is used


def test_float_and_int8_accuracy_on_the_test_stream():
    q5, mfcc, labels = gd.test_stream(8)
    float_acc = gl.float_stream_accuracy(sm.load(gl.NAME), mfcc, labels)
    stream, preds = gl.Stream(gl.calibrated()), []
    for clip in q5:
        for frame in clip:
            stream.push(frame)
        preds.append(int(stream.classify().argmax()))
    int8_acc = float(np.mean(np.array(preds) == labels))
    assert float_acc > 0.75 and abs(int8_acc - float_acc) <= 0.05, (float_acc, int8_acc)


@pytest.mark.parametrize("target", ["rp2040", "py32f003"])
def test_firmware_streams_bit_exact(mcu, target):
    fw = mcu.build(SOURCES, target, include=[str(gl.write_header()), "firmware/nn"], opt="-O2", entry=True)
    q5, _, _ = gd.test_stream(8)
    fw.call("bench_init")
    stream = gl.Stream(gl.calibrated())
    for clip in q5[:2]:
        for frame in clip:
            fw.write("bench_input", frame)
            result = fw.call("bench_run")
            stream.push(frame)
            assert np.array_equal(fw.read("bench_output", "<i1"), stream.classify())
            assert np.array_equal(fw.read("genre_h", "<i2"), stream.h)
            assert np.array_equal(fw.read("genre_c", "<i2"), stream.c)
    assert result.stack_peak_bytes < 256

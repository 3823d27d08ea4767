"""The sound-event models: dataset, training, quantisation, and the firmware streaming
bit for bit against the int8 reference."""

import numpy as np
import pytest
from reproduce import assert_reproduces

from mcubench.data import sed_dataset as ds
from mcubench.nn import model_names
from mcubench.nn import sed_gru as sg
from mcubench.nn import sed_models as sm
from mcubench.nn import sed_quant as sq
from mcubench.nn import sed_tcn as st
from mcubench.nn import sed_variant as sv

SOURCES = [
    "firmware/bench/sed_model_bench.c",
    "firmware/nn/sed_model.c",
    "firmware/nn/nn_int8.c",
    "firmware/nn/nn_dot_int8.S",
]


def test_dataset_is_deterministic_balanced_and_split():
    a1, y1 = ds.clips(3, ds.TRAIN_SEED)
    a2, y2 = ds.clips(3, ds.TRAIN_SEED)
    at, _ = ds.clips(3, ds.TEST_SEED)
    assert np.array_equal(a1, a2) and np.array_equal(y1, y2)
    assert np.bincount(y1).tolist() == [3] * len(ds.CLASSES)
    assert not np.array_equal(a1, at)
    assert ds.features(a1).shape == (12, ds.FRAMES, 32)


def test_committed_weights_are_what_the_training_script_makes():
    x, y = sm.data(sm.TRAIN_PER_CLASS, ds.TRAIN_SEED)
    _, feats, labels = ds.test_stream(25)
    for name in sm.architectures():
        assert_reproduces(
            sm.fit(name, x, y), sm.load(name), lambda p, name=name: sm.float_accuracy(name, p, feats, labels)
        )


@pytest.mark.parametrize("name", ["dct_mlp", "frame_mlp"])
def test_int8_accuracy_is_within_two_points_of_float(name):
    q8, feats, labels = ds.test_stream(25)
    qm = sv.quantized(model_names.parse(name))
    float_acc = sm.float_accuracy(name, sm.load(name), feats, labels)
    int8_acc = float(np.mean(sq.int8_predict(qm, q8).argmax(axis=1) == labels))
    assert float_acc > 0.85 and abs(int8_acc - float_acc) <= 0.02, (float_acc, int8_acc)


@pytest.mark.parametrize("name", ["dct_mlp", "frame_mlp"])
def test_firmware_streams_bit_exact_with_the_int8_reference(mcu, name):
    fw = mcu.build(
        SOURCES,
        "py32f003",
        include=[str(sv.write_header(model_names.parse(name))), "firmware/nn"],
        opt="-O2",
        entry=True,
    )
    q8, _, _ = ds.test_stream(25)
    qm = sv.quantized(model_names.parse(name))
    fw.call("bench_init")
    stream = sq.Stream(qm)
    for clip in q8[:3]:
        for frame in clip:
            fw.write("bench_input", frame)
            result = fw.call("bench_run")
            stream.push(frame)
            assert np.array_equal(fw.read("bench_output", "<i1"), stream.classify())
    assert result.stack_peak_bytes < 256


def test_arena_plan_covers_every_phase():
    for name in ("dct_mlp", "frame_mlp"):
        qm = sv.quantized(model_names.parse(name))
        plan = sq.arena_plan(qm)
        assert plan["SED_ARENA_BYTES"] % 4 == 0 and plan["SED_ARENA_BYTES"] >= qm.frame[0].w.shape[1]
        text = sq.header(qm)
        assert f"#define SED_MODEL_{name.upper()} 1" in text and "__attribute__((aligned(4)))" in text


@pytest.mark.slow
def test_gru_weights_reproduce_and_int8_stays_within_two_points():
    q8, _, labels = ds.test_stream(25)
    x_all = ds.features_all(ds.clips(25, ds.TEST_SEED)[0])
    committed = sm.load("gru")
    assert_reproduces(sg.fit(), committed, lambda p: sg.float_stream_accuracy(p, x_all, labels))
    float_acc = sg.float_stream_accuracy(committed, x_all, labels)
    stream, preds = sg.Stream(sv.quantized(model_names.parse("gru"))), []
    for clip in q8:
        for frame in clip:
            stream.push(frame)
        preds.append(int(stream.classify().argmax()))
    int8_acc = float(np.mean(np.array(preds) == labels))
    assert float_acc > 0.85 and abs(int8_acc - float_acc) <= 0.02, (float_acc, int8_acc)


def test_gru_firmware_streams_bit_exact(mcu):
    fw = mcu.build(
        [*SOURCES, "firmware/nn/nn_rnn.c"],
        "py32f003",
        include=[str(sv.write_header(model_names.parse("gru"))), "firmware/nn"],
        opt="-O2",
        entry=True,
    )
    q8, _, _ = ds.test_stream(25)
    fw.call("bench_init")
    stream = sg.Stream(sv.quantized(model_names.parse("gru")))
    for clip in q8[:2]:
        for frame in clip:
            fw.write("bench_input", frame)
            fw.call("bench_run")
            stream.push(frame)
            assert np.array_equal(fw.read("bench_output", "<i1"), stream.classify())
            assert np.array_equal(fw.read("sed_h", "<i2"), stream.h)


def test_tcn_weights_reproduce_int8_stays_close_and_firmware_is_bit_exact(mcu):
    q8, _, labels = ds.test_stream(25)
    x_all = ds.features_all(ds.clips(25, ds.TEST_SEED)[0])
    committed = sm.load("tcn")
    assert_reproduces(st.fit(), committed, lambda p: st.float_accuracy(p, x_all, labels))
    float_acc = st.float_accuracy(committed, x_all, labels)
    q = sv.quantized(model_names.parse("tcn"))
    stream, preds = st.Stream(q), []
    fw = mcu.build(
        SOURCES,
        "py32f003",
        include=[str(sv.write_header(model_names.parse("tcn"))), "firmware/nn"],
        opt="-O2",
        entry=True,
    )
    fw.call("bench_init")
    for n, clip in enumerate(q8):
        for frame in clip:
            stream.push(frame)
            if n < 2:  # the firmware, bit for bit, on the first clips
                fw.write("bench_input", frame)
                fw.call("bench_run")
                assert np.array_equal(fw.read("bench_output", "<i1"), stream.classify())
        preds.append(int(stream.classify().argmax()))
    int8_acc = float(np.mean(np.array(preds) == labels))
    assert float_acc > 0.8 and abs(int8_acc - float_acc) <= 0.02, (float_acc, int8_acc)

"""The TFLite Micro front end's references: the pymicro-features wheel, and the same
pinned sources built for the host for the shapes the wheel does not offer."""

import numpy as np
import pytest
from pymicro_features import MicroFrontend

from mcubench.build import host_microfrontend as hm
from mcubench.data.signals import generate
from mcubench.dsp import tflm_float as tf


def test_the_host_build_equals_the_pymicro_features_wheel_on_its_configuration():
    x = generate({"kind": "speech"}, 160 * 24, 16000)
    fe, wheel = MicroFrontend(), []
    for k in range(24):
        got = fe.process_samples(x[k * 160 : (k + 1) * 160].astype("<i2").tobytes()).features
        wheel.append(np.round(np.asarray(got) * 128 / 5) if got else np.zeros(40))
    host = hm.features(hm.Shape(), x)
    assert host[5:].any() and np.array_equal(host, np.array(wheel, dtype=np.uint16))


def test_noise_reduction_and_pcan_change_the_features_and_the_hop_follows_the_step():
    x = generate({"kind": "speech"}, 320 * 12, 16000)
    full = hm.features(hm.Shape(step_ms=20), x)
    plain = hm.features(hm.Shape(step_ms=20, noise_reduction=False, pcan=False), x)
    assert full.shape == plain.shape == (12, 40) and not np.array_equal(full, plain)


@pytest.mark.parametrize("step_ms", [10, 20])
@pytest.mark.parametrize("kind", ["noise", "speech"])
def test_the_float_design_matches_the_integer_front_end_frame_for_frame(step_ms, kind):
    """Framing and scale of dsp/tflm_float.py: on average within a fraction of an output
    LSB (1 LSB = 1/64 in ln, 0.136 dB) of the integer pipeline, in both shapes. A window
    off by part of a hop (a 20 ms hop fed in one call leaves 10 ms unread) or a factor of
    2 in the scale (44 LSB) is far outside."""
    x = generate({"kind": kind}, 16000, 16000)
    shape = tf.TflmShape(step_ms=step_ms)
    got = hm.features(hm.Shape(step_ms=step_ms, noise_reduction=False, pcan=False), x).astype(float)
    first, frames = tf.frames_of(shape, x)
    assert not got[:first].any() and len(got) == first + len(frames)
    ref = tf.features_float(shape, frames)
    strong = ref > 64 * 6  # value e^6: the integer log's rounding and truncation are small
    diff = got[first:][strong] - ref[strong]
    assert strong.sum() > 500 and abs(diff.mean()) < 0.5 and np.abs(diff).mean() < 1.5
    acc = tf.accuracy(shape, got[first:], frames)
    assert 0 < acc["mean_abs_err_db"] < 0.2 and acc["bands"] > 500


def test_the_filterbank_is_triangles_that_sum_to_one_between_the_first_and_last_centre():
    fb = tf.filterbank(tf.TflmShape())
    assert fb.shape == (40, 257) and (fb >= 0).all() and (fb <= 1).all()
    total = fb.sum(axis=0)
    lo, hi = int(np.argmax(fb[0])), int(np.argmax(fb[-1]))
    assert 2 <= lo < hi < 257
    np.testing.assert_allclose(total[lo:hi], 1.0, atol=1e-9)  # each bin shared by two triangles
    assert total[0] == 0  # DC excluded

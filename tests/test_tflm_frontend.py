"""The TFLite Micro front end's references: the pymicro-features wheel, and the same
pinned sources built for the host for the shapes the wheel does not offer."""

import numpy as np
from pymicro_features import MicroFrontend

from mcubench.build import host_microfrontend as hm
from mcubench.data.signals import generate


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

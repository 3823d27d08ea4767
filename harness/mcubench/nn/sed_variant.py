"""The sound-event models as a family, a width and a front end, so a sweep can ask for
any of them: `gru` is the committed model (benchmarks/models/gru.npz, py32_1k features);
`gru/24@py32_1k~n_mels=24` is a 24-unit GRU trained on that front end's features.

A variant that is not committed is trained on demand with the committed models' seeds
and epochs (seconds in numpy) and kept in the per-user cache under a hash of what
determines it, so the processes of a sweep train it once. Quantisation and the C header
follow from the weights exactly as for the committed models. Names and parsing are in
nn/model_names.py (a suite loads without the trainers).
"""

from __future__ import annotations

import hashlib
import io
import json
from functools import lru_cache

import numpy as np

from mcubench.base.files import write_atomic
from mcubench.base.paths import cache_dir
from mcubench.data import sed_dataset as ds
from mcubench.dsp.config import get_config
from mcubench.nn import sed_gru, sed_quant, sed_tcn
from mcubench.nn import sed_models as sm
from mcubench.nn.model_names import Variant
from mcubench.nn.train import numeric_platform

TRAINING_VERSION = 1  # bump when training changes, so cached weights are not reused


def _cache_key(v: Variant) -> str:
    cfg = get_config(v.frontend)
    what = {
        "family": v.family,
        "width": v.width,
        "frontend": {k: getattr(cfg, k) for k in cfg.__dataclass_fields__ if k != "name"},
        "training": TRAINING_VERSION,
        "platform": numeric_platform(),
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:20]


def _train(v: Variant) -> dict:
    if v.family == "gru":
        return sed_gru.fit(hidden=v.width, config=v.frontend)
    if v.family == "tcn":
        return sed_tcn.fit(width=v.width, config=v.frontend)
    x, y = sm.data(sm.TRAIN_PER_CLASS, ds.TRAIN_SEED, v.frontend)
    return sm.fit(v.family, x, y, width=v.width)


@lru_cache(maxsize=16)
def params(v: Variant) -> dict:
    """The float weights: committed, cached, or trained now (and cached)."""
    if v.committed:
        return sm.load(v.family)
    path = cache_dir() / "sed_models" / f"{v.family}-{_cache_key(v)}.npz"
    if path.is_file():
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    p = _train(v)
    buf = io.BytesIO()
    np.savez(buf, **p)
    write_atomic(path, buf.getvalue())
    return p


@lru_cache(maxsize=16)
def quantized(v: Variant):
    """The int8 model, calibrated on the fixed calibration clips (100 training clips a class)."""
    audio, _ = ds.clips(100, ds.TRAIN_SEED)
    if v.family == "gru":
        return sed_gru.quantize(params(v), ds.features_all(audio, v.frontend))
    if v.family == "tcn":
        return sed_tcn.quantize(params(v), ds.features_all(audio, v.frontend))
    return sed_quant.quantize(v.family, params(v), ds.features(audio, v.frontend))


def int8_stream(v: Variant):
    mod = {"gru": sed_gru, "tcn": sed_tcn}.get(v.family, sed_quant)
    return mod.Stream(quantized(v))


def float_stream(v: Variant):
    return sed_gru.FloatStream(params(v)) if v.family == "gru" else None


def header_text(v: Variant) -> str:
    q = quantized(v)
    if isinstance(q, sed_gru.QGru):
        return sed_gru.header(q)
    if isinstance(q, sed_tcn.QTcn):
        return sed_tcn.header(q)
    return sed_quant.header(q)


def write_header(v: Variant):
    """build/gen/sed_<name>/sed_model_tables.h; returns the folder."""
    return sed_quant.write_model_header(v.name, header_text(v))


def float_accuracy(v: Variant, per_class: int) -> float:
    """The float model on the test clips (float features), classified at each clip's end."""
    if v.family in ("gru", "tcn"):
        labels = ds.test_stream(per_class, v.frontend)[2]
        feats = ds.features_all(ds.clips(per_class, ds.TEST_SEED)[0], v.frontend)
        acc = sed_gru.float_stream_accuracy if v.family == "gru" else sed_tcn.float_accuracy
        return acc(params(v), feats, labels)
    _, feats, labels = ds.test_stream(per_class, v.frontend)
    return sm.float_accuracy(v.family, params(v), feats, labels)

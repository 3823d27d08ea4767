"""The models the firmware can run, by name: an explicit registry, no string imports.

Every model offers the same protocol: its int8 twin as a stream (push one frame of
features, classify: exactly what the firmware computes), its float model as a stream
where it has one, its generated C header, its task's test stream (features as the
firmware gets them) and its float accuracy on that task. Adding a model is one entry
here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from mcubench.base.errors import ConfigError
from mcubench.data import genre_dataset as gd
from mcubench.data import sed_dataset as sd
from mcubench.nn import genre_lstm, sed_gru, sed_quant, sed_tcn
from mcubench.nn import sed_models as sm


@dataclass(frozen=True)
class Model:
    name: str
    classes: tuple[str, ...]
    int8_stream: Callable[[], object]  # .push(frame), .classify() -> int8 probs
    float_stream: Callable[[], object] | None  # the same in float, where there is one
    write_header: Callable[[], Path]  # the generated header's folder
    test_stream: Callable[[int], tuple]  # per_class -> (firmware features, float features, labels)
    float_accuracy: Callable[[int], float]  # per_class -> float model's accuracy


def _sequential(name: str) -> Model:
    def float_accuracy(per_class: int) -> float:
        _, feats, labels = sd.test_stream(per_class)
        return sm.float_accuracy(name, sm.load(name), feats, labels)

    return Model(
        name,
        sd.CLASSES,
        lambda: sed_quant.Stream(sed_quant.calibrated(name)),
        None,
        partial(sed_quant.write_header, name),
        sd.test_stream,
        float_accuracy,
    )


def _recurrent_sed(mod, accuracy) -> Model:
    def float_accuracy(per_class: int) -> float:
        labels = sd.test_stream(per_class)[2]
        return accuracy(sm.load(mod.NAME), sd.features_all(sd.clips(per_class, sd.TEST_SEED)[0]), labels)

    float_stream = getattr(mod, "FloatStream", None)
    return Model(
        mod.NAME,
        sd.CLASSES,
        lambda: mod.Stream(mod.calibrated()),
        float_stream and (lambda: float_stream(sm.load(mod.NAME))),
        mod.write_header,
        sd.test_stream,
        float_accuracy,
    )


def _genre() -> Model:
    def float_accuracy(per_class: int) -> float:
        _, mfcc, labels = gd.test_stream(per_class)
        return genre_lstm.float_stream_accuracy(sm.load(genre_lstm.NAME), mfcc, labels)

    return Model(
        genre_lstm.NAME,
        gd.CLASSES,
        lambda: genre_lstm.Stream(genre_lstm.calibrated()),
        lambda: genre_lstm.FloatStream(sm.load(genre_lstm.NAME)),
        genre_lstm.write_header,
        gd.test_stream,
        float_accuracy,
    )


MODELS: dict[str, Model] = {
    **{name: _sequential(name) for name in sm.architectures()},
    "gru": _recurrent_sed(sed_gru, sed_gru.float_stream_accuracy),
    "tcn": _recurrent_sed(sed_tcn, sed_tcn.float_accuracy),
    "genre_lstm": _genre(),
}


def get_model(name: str) -> Model:
    if name not in MODELS:
        raise ConfigError(f"unknown model {name!r}; valid: {', '.join(MODELS)}")
    return MODELS[name]


def header_dir(name: str) -> Path:
    """Write a model's generated C header; returns the folder to add to the include path."""
    return get_model(name).write_header()

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

from mcubench.data import genre_dataset as gd
from mcubench.data import sed_dataset as sd
from mcubench.nn import genre_lstm, model_names, sed_variant
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


def _sound_event(name: str) -> Model:
    v = model_names.parse(name)
    return Model(
        v.name,
        sd.CLASSES,
        lambda: sed_variant.int8_stream(v),
        (lambda: sed_variant.float_stream(v)) if v.family == "gru" else None,
        partial(sed_variant.write_header, v),
        partial(sd.test_stream, config=v.frontend),
        partial(sed_variant.float_accuracy, v),
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
    **{name: _sound_event(name) for name in model_names.FAMILIES},
    model_names.GENRE: _genre(),
}


def get_model(name: str) -> Model:
    """A model by name; a sound-event variant (`gru/24@py32_1k~n_mels=24`, see
    nn/sed_variant.py) is made on first use."""
    name = model_names.canonical(name)
    return MODELS[name] if name in MODELS else _sound_event(name)


def header_dir(name: str) -> Path:
    """Write a model's generated C header; returns the folder to add to the include path."""
    return get_model(name).write_header()

"""The references of the model benchmarks: the int8 model streamed exactly as the
firmware runs it (clip after clip, one state), with the float, int8 and firmware
accuracies at each clip's last hop. Kept apart because they import the model registry
and its trainers, which loading a suite does not need."""

from __future__ import annotations

import numpy as np

from mcubench.bench.expected import Expected
from mcubench.nn import genre_lstm as gl
from mcubench.nn.registry import get_model


def sed_model(image, x: np.ndarray, bench) -> Expected:
    """The int8 model streamed exactly as the firmware runs it (clip after clip, one
    ring or state), and accuracies at each clip's last hop, when the ring holds only
    that clip: float model (float features), int8 model, emulated firmware."""
    return _model_expected(get_model(bench.sed_model), int(bench.generator.get("per_class", 25)))


def genre_model(image, x: np.ndarray, bench) -> Expected:
    """Model 5 streamed as the firmware runs it (clip after clip, one state), and the
    accuracies at each clip's last hop: float (float MFCC), int8 model, firmware."""
    return _model_expected(get_model(gl.NAME), int(bench.generator.get("per_class", 8)))


def model_accuracies(name: str, per_class: int) -> dict:
    """A model's accuracies on `per_class` test clips a class: float, int8 (what the
    firmware computes when it is bit-exact), and the clip count."""
    expected = _model_expected(get_model(name), per_class)
    assert expected.float_metrics is not None  # a model's reference scores its accuracies
    scores = expected.float_metrics(expected.exact)["extra"]
    return {k: scores[k] for k in ("accuracy_float", "accuracy_int8", "test_clips")}


def _model_expected(model, per_class: int) -> Expected:
    frames, _, labels = model.test_stream(per_class)
    return _stream_expected(model.int8_stream(), frames, labels, model.float_accuracy(per_class))


def _stream_expected(stream, frames: np.ndarray, labels: np.ndarray, float_acc: float) -> Expected:
    """Push every clip's frames [N, hops, F] through a streamed int8 classifier (one
    state across clips, as the firmware), classifying after every hop: the bit-exact
    outputs, and accuracies at each clip's last hop (float model, int8 model, emulated
    firmware) as "extra" figures."""
    outs = []
    for clip in frames:
        for frame in clip:
            stream.push(frame)
            outs.append(stream.classify())
    exact, hops = np.concatenate(outs), frames.shape[1]
    n_classes = len(outs[0])
    last = (np.arange(len(labels)) + 1) * hops - 1
    int8_acc = float(np.mean(exact.reshape(-1, n_classes)[last].argmax(axis=1) == labels))

    def metrics(out):
        fw = np.asarray(out).reshape(-1, n_classes)[last].argmax(axis=1)
        return {
            "extra": {
                "accuracy_float": round(float_acc, 4),
                "accuracy_int8": round(int8_acc, 4),
                "accuracy_firmware": round(float(np.mean(fw == labels)), 4),
                "test_clips": int(len(labels)),
            }
        }

    return Expected(exact, metrics)

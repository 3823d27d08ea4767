"""What an app must output, hop by hop: a seed app's bit-exact and float pipelines (the
front end, the int8 model, the integer EMA), a project app's own reference function,
and the labelled demo audio with its segment accuracy."""

from __future__ import annotations

import numpy as np

from mcubench.apps.app import App
from mcubench.base.errors import ConfigError
from mcubench.base.imports import load_function
from mcubench.data import genre_dataset as gd
from mcubench.data import sed_dataset as sd
from mcubench.dsp.frontend import frames_of, logmel_float_db, logmel_frame, mfcc_float, mfcc_frame
from mcubench.nn import model_names
from mcubench.nn.registry import get_model


def hops_of(app: App, audio: np.ndarray) -> int:
    return len(audio) // app.hop


def ema_q15(probs: np.ndarray, alpha_q15: int) -> np.ndarray:
    """app_ema_q15 over a stream of int8 probabilities [T, C], from zero."""
    ema, out = np.zeros(probs.shape[1], dtype=np.int64), []
    for p in probs.astype(np.int64):
        ema = ema + ((((p + 128) << 7) - ema) * (32768 - alpha_q15) + (1 << 14) >> 15)
        out.append(ema)
    return np.array(out)


def ema_float(probs: np.ndarray, alpha: float) -> np.ndarray:
    ema, out = np.zeros(probs.shape[1]), []
    for p in probs:
        ema = alpha * ema + (1 - alpha) * p
        out.append(ema)
    return np.array(out)


def _run(stream, features) -> np.ndarray:
    out = []
    for f in features:
        stream.push(f)
        out.append(stream.classify())
    return np.array(out)


def custom_reference(app: App, audio: np.ndarray) -> dict | None:
    """A project app's expected outputs per hop ({symbol: [hops, n]}), None without a reference."""
    if app.reference is None:
        return None
    n = hops_of(app, audio)
    fn = load_function(app.reference, f"app {app.name}: reference")
    try:
        got = fn(np.asarray(audio[: n * app.hop], dtype=np.int16), app.hop)
    except Exception as exc:  # the user's code: one line naming it
        raise ConfigError(
            f"app {app.name}: reference {app.reference!r} failed: {type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(got, dict):
        got = {app.outputs[0][0]: got} if len(app.outputs) == 1 else got
    if not isinstance(got, dict) or set(got) != {s for s, _ in app.outputs}:
        raise ConfigError(
            f"app {app.name}: reference {app.reference!r} must return {{symbol: array}} for "
            f"{', '.join(s for s, _ in app.outputs)}"
        )
    return {k: np.asarray(v).reshape(n, -1) for k, v in got.items()}


def reference(app: App, audio: np.ndarray) -> dict | None:
    """Per hop: bit-exact features, probabilities (int8) and EMA (Q15); float features
    (dB), probabilities and EMA; and the frames (for the front end's accuracy)."""
    if not app.seed:
        return custom_reference(app, audio)
    cfg, n = app.config, hops_of(app, audio)
    audio = np.asarray(audio[: n * cfg.hop], dtype=np.int16)
    frames = frames_of(cfg, audio)[:n]
    q8 = np.stack([logmel_frame(cfg, f) for f in frames])  # the frames cut once, for both pipelines
    db = logmel_float_db(cfg, frames)
    if app.features == "mfcc":
        exact_feats = np.stack([mfcc_frame(cfg, f) for f in q8])
        float_feats = mfcc_float(cfg, db)
    else:
        exact_feats, float_feats = q8, db
    assert app.model is not None  # a seed app (compare() sends the others elsewhere)
    model = get_model(app.model)
    int8_stream = model.int8_stream()
    float_stream = model.float_stream and model.float_stream()
    probs = _run(int8_stream, exact_feats)
    out = {
        "frames": frames,
        "features": exact_feats,
        "probs": probs,
        "ema": ema_q15(probs, app.alpha_q15),
        "float_features": float_feats,
        "float_probs": None,
        "float_ema": None,
    }
    if float_stream is not None:
        fp = _run(float_stream, float_feats)
        out.update(float_probs=fp, float_ema=ema_float(fp, app.ema_alpha))
    return out


def demo_audio(
    app: App, per_class: int = 1, seconds: float | None = None
) -> tuple[np.ndarray, np.ndarray, int]:
    """A labelled stream for the app's task, from the test split: `per_class` segments of
    every class back to back (sound-event test clips, or music-style clips of `seconds`).
    Returns (int16 audio, label per segment, samples per segment)."""
    cfg = app.config
    if app.model == model_names.GENRE:
        n = int(round((seconds or 1.5) * cfg.sample_rate)) // cfg.hop * cfg.hop
        rng = np.random.default_rng(gd.TEST_SEED + 1000)  # not the test set itself: longer clips
        labels = np.tile(np.arange(len(gd.CLASSES)), per_class)
        segs = [gd.make_clip(rng, int(lab), n, cfg.sample_rate) for lab in labels]
    else:
        clips, labels = sd.clips(per_class, sd.TEST_SEED)
        segs, n = list(clips), clips.shape[1]
    return np.concatenate(segs), labels, n


def segment_accuracy(ema: np.ndarray, labels: np.ndarray, seg_len: int, hop: int) -> float:
    """Share of segments whose class leads the EMA at the segment's last hop."""
    last = (np.arange(len(labels)) + 1) * seg_len // hop - 1
    last = last[last < len(ema)]
    return float(np.mean(ema[last].argmax(axis=1) == labels[: len(last)]))

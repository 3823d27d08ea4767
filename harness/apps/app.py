"""The seed streaming applications (firmware/apps/apps.toml): their configuration, their
build, and the two Python pipelines the firmware is held against on the same audio:
bit-exact (the front-end model, the int8 model, integer EMA: must match exactly) and
float (float features, the float model, float EMA: how far the integer chain drifts).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mcubench.base.errors import ConfigError
from mcubench.base.paths import FIRMWARE_DIR, resolve
from mcubench.base.project import current
from mcubench.base.schema import Field, Source, check_table, one_of
from mcubench.base.toml_files import parse_toml, read_text
from mcubench.build.compile import BuildSpec, build
from mcubench.chip.targets import load_target
from mcubench.data import genre_dataset as gd
from mcubench.data import sed_dataset as sd
from mcubench.dsp.config import get_config
from mcubench.dsp.frontend import frames_of, logmel_float_db, logmel_frame, mfcc_float, mfcc_frame
from mcubench.dsp.tables import write_header
from mcubench.nn.registry import get_model, header_dir

APPS_FILE = FIRMWARE_DIR / "apps" / "apps.toml"


@dataclass(frozen=True)
class App:
    name: str
    target: str
    frontend: str
    model: str
    features: str  # "logmel" (Q7.8) or "mfcc" (Q10.5)
    ema_alpha: float
    dma_irqn: int
    sources: tuple[Path, ...]

    @property
    def config(self):
        return get_config(self.frontend)

    @property
    def alpha_q15(self) -> int:
        return int(round(self.ema_alpha * 32768))

    @property
    def classes(self) -> tuple[str, ...]:
        return get_model(self.model).classes


def load_apps() -> dict[str, App]:
    """mcubench's apps and the project's (its `apps` files); a name defined twice is an error."""
    apps: dict[str, App] = {}
    for path in (APPS_FILE, *current().app_files):
        for name, app in _load_app_file(path).items():
            if name in apps:
                raise ConfigError(f"{path}: app {name!r} is already defined")
            apps[name] = app
    return apps


APP_FIELDS = {
    "target": Field("str", required=True),
    "frontend": Field("str", required=True),
    "model": Field("str", required=True),
    "features": Field("str", required=True, check=one_of("logmel", "mfcc")),
    "ema_alpha": Field("number", required=True, check=lambda v: None if 0 <= v < 1 else "must be in [0, 1)"),
    "dma_irqn": Field("int", required=True, check=lambda v: None if 0 <= v < 32 else "must be 0..31"),
    "sources": Field("list[str]", required=True),
}


def _load_app_file(path: Path) -> dict[str, App]:
    src = Source(path, read_text(path))
    data = parse_toml(path, "\n".join(src.lines))
    apps = {}
    for name, d in data.items():
        check_table(d, APP_FIELDS, src, name)
        sources = tuple(resolve(s, path.parent) for s in d["sources"])
        for s in sources:
            if not s.is_file():
                raise ConfigError(f"{src.where('sources', name)}: {s} not found")
        apps[name] = App(
            name,
            d["target"],
            d["frontend"],
            d["model"],
            d["features"],
            float(d["ema_alpha"]),
            d["dma_irqn"],
            sources,
        )
    return apps


def list_apps() -> list[str]:
    return list(load_apps())


def get_app(name: str) -> App:
    apps = load_apps()
    if name not in apps:
        raise ConfigError(f"unknown app {name!r}; valid: {', '.join(apps)}")
    return apps[name]


def build_app(app: App, target_name: str | None = None) -> Path:
    """The application's ELF for a target (its own by default)."""
    target = load_target(target_name or app.target)
    includes = (
        write_header(app.frontend),
        header_dir(app.model),
        FIRMWARE_DIR / "apps",
        FIRMWARE_DIR / "dsp",
        FIRMWARE_DIR / "nn",
    )
    spec = BuildSpec(
        app.name,
        app.sources,
        opt="-O2",
        include_dirs=includes,
        bench_main=False,
        defines=(f"APP_EMA_ALPHA_Q15={app.alpha_q15}", f"APP_DMA_IRQN={app.dma_irqn}"),
    )
    return build(spec, target).elf


def hops_of(app: App, audio: np.ndarray) -> int:
    return len(audio) // app.config.hop


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


def reference(app: App, audio: np.ndarray) -> dict:
    """Per hop: bit-exact features, probabilities (int8) and EMA (Q15); float features
    (dB), probabilities and EMA; and the frames (for the front end's accuracy)."""
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
    if app.model == "genre_lstm":
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

"""Streaming applications as data: the seed ones (firmware/apps/apps.toml) and a
project's own (the files its `apps` key names).

A seed app names a front end and a model of mcubench's, and is held against two Python
pipelines on the same audio: bit-exact (the front-end model, the int8 model, integer
EMA: must match exactly) and float (how far the integer chain drifts). A project's app
declares its rate, hop and the buffers to read after every hop; it is measured for
timing, RAM and deadlines with no Python model at all, and bit-exact against its own
reference ("package.module:function") when it names one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcubench.base.errors import ConfigError
from mcubench.base.imports import load_function
from mcubench.base.paths import FIRMWARE_DIR, resolve
from mcubench.base.project import current
from mcubench.base.schema import Field, Source, check_table, one_of
from mcubench.base.toml_files import parse_toml, read_text
from mcubench.data.arrays import DTYPES
from mcubench.dsp.config import get_config
from mcubench.nn import model_names

APPS_FILE = FIRMWARE_DIR / "apps" / "apps.toml"


SEED_OUTPUTS = (("app_features", "<i2"), ("app_probs", "<i1"), ("app_ema", "<i2"))


@dataclass(frozen=True)
class App:
    name: str
    target: str
    frontend: str | None
    model: str | None  # None: a project's app, with no model of mcubench's
    features: str | None  # "logmel" (Q7.8) or "mfcc" (Q10.5)
    ema_alpha: float
    dma_irqn: int
    sources: tuple[Path, ...]
    rate: int | None = None  # a project's app without a front end: its own rate and hop
    hop_len: int | None = None
    outputs: tuple[tuple[str, str], ...] = SEED_OUTPUTS  # (symbol, dtype) read after every hop
    reference: str | None = None  # "package.module:function": fn(audio, hop) -> {symbol: [hops, n]}
    defines: tuple[str, ...] = ()
    opt: str = "-O2"

    @property
    def seed(self) -> bool:
        return self.model is not None

    @property
    def config(self):
        if self.frontend is None:
            raise ConfigError(f"app {self.name} has no front end")
        return get_config(self.frontend)

    @property
    def sample_rate(self) -> int:
        if self.frontend:
            return self.config.sample_rate
        assert self.rate is not None  # the apps file's check: sample_rate and hop without a front end
        return self.rate

    @property
    def hop(self) -> int:
        if self.frontend:
            return self.config.hop
        assert self.hop_len is not None
        return self.hop_len

    @property
    def alpha_q15(self) -> int:
        return int(round(self.ema_alpha * 32768))

    @property
    def classes(self) -> tuple[str, ...]:
        return model_names.classes(self.model) if self.model else ()


def load_apps() -> dict[str, App]:
    """mcubench's apps and the project's (its `apps` files); a name defined twice is an error."""
    apps: dict[str, App] = {}
    for path in (APPS_FILE, *current().app_files):
        for name, app in _load_app_file(path).items():
            if name in apps:
                raise ConfigError(f"{path}: app {name!r} is already defined")
            apps[name] = app
    return apps


_DTYPES = {k: v for k, v in DTYPES.items() if k != "float32"}  # app buffers are integers
APP_FIELDS = {
    "target": Field("str", required=True),
    "sources": Field("list[str]", required=True),
    "dma_irqn": Field("int", required=True, check=lambda v: None if 0 <= v < 32 else "must be 0..31"),
    "frontend": Field("str"),
    "model": Field("str"),
    "features": Field("str", check=one_of("logmel", "mfcc")),
    "ema_alpha": Field("number", check=lambda v: None if 0 <= v < 1 else "must be in [0, 1)"),
    "sample_rate": Field("int", check=lambda v: None if 4000 <= v <= 384_000 else "must be 4000..384000"),
    "hop": Field("int", check=lambda v: None if 1 <= v <= 65536 else "must be 1..65536"),
    "outputs": Field("table"),
    "reference": Field("str"),
    "defines": Field("list[str]"),
    "opt": Field("str", check=one_of("-O0", "-O1", "-O2", "-O3", "-Os", "-Og")),
}
SEED_KEYS = ("frontend", "model", "features", "ema_alpha")


def _app(name: str, d: dict, src: Source) -> App:
    check_table(d, APP_FIELDS, src, name)
    sources = tuple(resolve(s, src.path.parent) for s in d["sources"])
    for path in sources:
        if not path.is_file():
            raise ConfigError(f"{src.where('sources', name)}: {path} not found")
    common: dict[str, Any] = dict(
        name=name,
        target=d["target"],
        dma_irqn=d["dma_irqn"],
        sources=sources,
        defines=tuple(d.get("defines", ())),
        opt=d.get("opt", "-O2"),
    )
    if "model" in d:  # a seed-style app: mcubench's front end and model
        missing = [k for k in SEED_KEYS if k not in d]
        extra = [k for k in ("sample_rate", "hop", "outputs", "reference") if k in d]
        if missing or extra:
            what = f"needs {', '.join(missing)}" if missing else f"takes no {', '.join(extra)}"
            raise ConfigError(f"{src.where(None, name)}: an app with a model {what}")
        return App(
            frontend=d["frontend"],
            model=d["model"],
            features=d["features"],
            ema_alpha=float(d["ema_alpha"]),
            **common,
        )
    if ("frontend" in d) == ("sample_rate" in d or "hop" in d) or ("sample_rate" in d) != ("hop" in d):
        raise ConfigError(f"{src.where(None, name)}: an app needs either a frontend or sample_rate and hop")
    for key in ("features", "ema_alpha"):
        if key in d:
            raise ConfigError(f"{src.where(key, name)}: {key} goes with a model")
    outputs = check_table(d.get("outputs", {}), {}, src, f"{name}.outputs", extra=lambda k, v: None)
    for sym, dtype in outputs.items():
        if dtype not in _DTYPES:
            raise ConfigError(
                f"{src.where(sym, name + '.outputs')}: {sym} = {dtype!r}: one of {', '.join(_DTYPES)}"
            )
    ref = d.get("reference")
    if ref is not None:
        load_function(ref, src.where("reference", name))
    return App(
        frontend=d.get("frontend"),
        model=None,
        features=None,
        ema_alpha=0.0,
        rate=d.get("sample_rate"),
        hop_len=d.get("hop"),
        outputs=tuple((k, _DTYPES[v]) for k, v in outputs.items()),
        reference=ref,
        **common,
    )


def _load_app_file(path: Path) -> dict[str, App]:
    src = Source(path, read_text(path))
    data = parse_toml(path, "\n".join(src.lines))
    return {name: _app(name, d, src) for name, d in data.items()}


def list_apps() -> list[str]:
    return list(load_apps())


def get_app(name: str) -> App:
    apps = load_apps()
    if name not in apps:
        files = [str(f) for f in current().app_files]
        where = (
            f"read from {', '.join(files)}" if files else "no project apps file (apps.toml, or apps = [...])"
        )
        raise ConfigError(
            f"unknown app {name!r}; valid: {', '.join(apps)} (the seed apps and the project's: {where})"
        )
    return apps[name]

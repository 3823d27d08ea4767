"""The models a suite file may name and how a sound-event variant is spelled, with no
trainer imported: loading a suite checks names only, and the registry (nn/registry.py)
builds a model when a benchmark needs it. The default widths live here; the model
modules read them."""

from __future__ import annotations

from dataclasses import dataclass

from mcubench.base.errors import ConfigError
from mcubench.data import genre_dataset as gd
from mcubench.data import sed_dataset as ds

# family -> (default width, what the width is)
FAMILIES = {
    "dct_mlp": (20, "hidden units of the head"),
    "frame_mlp": (16, "hidden units of the head"),
    "gru": (16, "GRU units"),
    "tcn": (8, "channels of each conv layer"),
}
GENRE = "genre_lstm"
NAMES = (*FAMILIES, GENRE)
MAX_WIDTH = 64


@dataclass(frozen=True)
class Variant:
    family: str
    width: int
    frontend: str = ds.CONFIG

    @property
    def committed(self) -> bool:
        return self.width == FAMILIES[self.family][0] and self.frontend == ds.CONFIG

    @property
    def name(self) -> str:
        if self.committed:
            return self.family
        return f"{self.family}/{self.width}@{self.frontend}"


def is_variant_name(name: str) -> bool:
    return name in FAMILIES or ("/" in name and name.split("/", 1)[0] in FAMILIES)


def parse(name: str) -> Variant:
    """`family` or `family/width@frontend`."""
    if name in FAMILIES:
        return Variant(name, FAMILIES[name][0])
    family, _, rest = name.partition("/")
    width, _, frontend = rest.partition("@")
    if family not in FAMILIES or not width.isdigit() or not frontend:
        raise ConfigError(
            f"sound-event model {name!r}: not family/width@frontend (families: {', '.join(FAMILIES)})"
        )
    return make(family, int(width), frontend)


def make(family: str, width: int | None = None, frontend: str = ds.CONFIG) -> Variant:
    if family not in FAMILIES:
        raise ConfigError(f"unknown sound-event model family {family!r}; valid: {', '.join(FAMILIES)}")
    width = FAMILIES[family][0] if width is None else width
    if not 1 <= width <= MAX_WIDTH:
        raise ConfigError(f"model {family}: width {width} must be 1..{MAX_WIDTH}")
    ds.frames(frontend)  # a front end the data can use (16 kHz), or its error now
    return Variant(family, width, frontend)


def canonical(name: str) -> str:
    """The name a model is known by (a committed variant spelled in full is its family), or
    a ConfigError listing the valid ones."""
    if name in NAMES:
        return name
    if is_variant_name(name):
        return parse(name).name
    raise ConfigError(f"unknown model {name!r}; valid: {', '.join(NAMES)}, or family/width@frontend")


def classes(name: str) -> tuple[str, ...]:
    """The classes a model tells apart (its task's, from the data module)."""
    return gd.CLASSES if canonical(name) == GENRE else ds.CLASSES

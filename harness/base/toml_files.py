"""Read a TOML file, or say in one line which file is wrong and where."""

from __future__ import annotations

import tomllib
from pathlib import Path

from mcubench.base.errors import ConfigError


def load_toml(path: Path) -> dict:
    try:
        return tomllib.loads(Path(path).read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None

"""Read a TOML file, or say in one line which file is wrong and where."""

from __future__ import annotations

import tomllib
from pathlib import Path

from mcubench.base.errors import ConfigError
from mcubench.base.files import read_text_input

MAX_CONFIG_BYTES = 1 << 20  # a configuration file, not a data set


def read_text(path: Path) -> str:
    """The text of a configuration file: a regular, readable UTF-8 file of sane size."""
    return read_text_input(path, MAX_CONFIG_BYTES, ConfigError, "a configuration file")


def load_toml(path: Path) -> dict:
    return parse_toml(path, read_text(path))


def parse_toml(path: Path, text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None

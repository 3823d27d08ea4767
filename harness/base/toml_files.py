"""Read a TOML file, or say in one line which file is wrong and where."""

from __future__ import annotations

import tomllib
from pathlib import Path

from mcubench.base.errors import ConfigError

MAX_CONFIG_BYTES = 1 << 20  # a configuration file, not a data set


def read_text(path: Path) -> str:
    """The text of a configuration file: a regular, readable UTF-8 file of sane size."""
    path = Path(path)
    try:
        if not path.is_file():
            what = "a folder" if path.is_dir() else "missing" if not path.exists() else "not a regular file"
            raise ConfigError(f"{path}: {what}, not a configuration file")
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: over {MAX_CONFIG_BYTES} bytes, not a configuration file")
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None


def load_toml(path: Path) -> dict:
    return parse_toml(path, read_text(path))


def parse_toml(path: Path, text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None

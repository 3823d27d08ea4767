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
    except RecursionError:  # arrays or inline tables nested thousands deep
        raise ConfigError(f"{path}: nested too deeply to be an mcubench file") from None


def toml_value(v) -> str:
    """A value as TOML text: strings, numbers, booleans, lists and inline tables."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list | tuple):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"no TOML form for {type(v).__name__}")


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() else toml_value(k)


def dump_toml(data: dict, comment: str = "") -> str:
    """[sections] for the top tables and for tables whose values are all tables (budgets'
    per-target tables), inline tables below that; what tomllib reads back as `data`."""
    lines = [f"# {line}" if line else "#" for line in comment.splitlines()]

    def table(prefix: str, d: dict) -> None:
        sections = not prefix or all(isinstance(v, dict) for v in d.values())
        plain = {k: v for k, v in d.items() if not (sections and isinstance(v, dict))}
        if prefix and (plain or not d):
            lines.extend(["", f"[{prefix}]"])
        lines.extend(f"{_key(k)} = {toml_value(v)}" for k, v in plain.items())
        for k, v in d.items():
            if k not in plain:
                table(f"{prefix}.{_key(k)}" if prefix else _key(k), v)

    table("", data)
    return "\n".join(lines).lstrip("\n") + "\n"

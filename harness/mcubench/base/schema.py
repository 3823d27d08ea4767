"""Strict checking of configuration tables (suite files, targets, front ends, apps):
every key known, every value of the right type and range, and one line that says which
file, which line, which key and what was expected (with the valid names for an
unknown key). A typo must never silently disable a budget.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcubench.base.errors import ConfigError


@dataclass(frozen=True)
class Field:
    kind: str  # str | int | number | bool | list[str] | table | any
    required: bool = False
    check: Callable[[Any], str | None] | None = None  # returns what is wrong, or None


def positive(v) -> str | None:
    return None if v > 0 else "must be positive"


def at_least(n):
    return lambda v: None if v >= n else f"must be at least {n}"


def between(lo, hi):
    return lambda v: None if lo <= v <= hi else f"must be from {lo:,} to {hi:,}"


def power_of_two(v) -> str | None:
    return None if v > 0 and v & (v - 1) == 0 else "must be a power of two"


def one_of(*names):
    return lambda v: None if v in names else f"must be one of {', '.join(map(str, names))}"


def _type_ok(kind: str, v) -> bool:
    if kind == "str":
        return isinstance(v, str)
    if kind == "int":
        return isinstance(v, int) and not isinstance(v, bool)
    if kind == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    if kind == "bool":
        return isinstance(v, bool)
    if kind == "list[str]":
        return isinstance(v, list) and all(isinstance(x, str) for x in v)
    if kind == "table":
        return isinstance(v, dict)
    return True


_NAMES = {
    "str": "a string",
    "int": "an integer",
    "number": "a number",
    "bool": "true or false",
    "list[str]": "a list of strings",
    "table": "a table",
    "any": "a value",
}


class Source:
    """Where a table came from, to point at the line of a key in error messages."""

    def __init__(self, path: Path, text: str = ""):
        self.path, self.lines = path, text.splitlines()

    def where(self, key: str | None = None, table: str | None = None) -> str:
        line = self.line_of(key, table) if key or table else None
        return f"{self.path}:{line}" if line else str(self.path)

    def line_of(self, key: str | None, table: str | None) -> int | None:
        start = 0
        if table:
            header = re.compile(r"^\s*\[\s*" + re.escape(table).replace(r"\.", r"\s*\.\s*") + r"\s*\]")
            start = next((i for i, ln in enumerate(self.lines) if header.match(ln)), -1)
            if start < 0:
                return None
            if key is None:
                return start + 1
            start += 1
        if key is None:  # the table's own line was asked for and it has none
            return None
        pat = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
        for i in range(start, len(self.lines)):
            if table and self.lines[i].lstrip().startswith("["):
                break
            if pat.match(self.lines[i]):
                return i + 1
        return None


def check_table(
    data: Any,
    fields: dict[str, Field],
    src: Source,
    table: str | None,
    extra: Callable[[str, Any], None] | None = None,
    noun: str = "key",
) -> dict:
    """Check one table against its fields; unknown keys go to `extra` if given, else
    they are an error listing the valid keys."""
    label = f"[{table}]" if table else "the top level"
    if not isinstance(data, dict):
        raise ConfigError(f"{src.where(None, table)}: {label} must be a table")
    for key, value in data.items():
        spec = fields.get(key)
        if spec is None:
            if extra is not None:
                extra(key, value)
                continue
            raise ConfigError(
                f"{src.where(key, table)}: unknown {noun} {key!r} in {label}; valid: {', '.join(fields)}"
            )
        if not _type_ok(spec.kind, value):
            raise ConfigError(
                f"{src.where(key, table)}: {key} must be {_NAMES[spec.kind]}, not {_show(value)}"
            )
        problem = spec.check(value) if spec.check else None
        if problem:
            raise ConfigError(f"{src.where(key, table)}: {key} = {_show(value)} {problem}")
    for key, spec in fields.items():
        if spec.required and key not in data:
            raise ConfigError(f"{src.where(None, table)}: {label} needs {key!r}")
    return data


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."

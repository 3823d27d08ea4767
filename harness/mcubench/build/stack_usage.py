"""gcc's -fstack-usage figures: every compiled function's frame in bytes, kept beside the
ELF as stack_usage.json so that `mcubench inspect --all` can add them up along the
call graph (assembly functions have none: their frames come from their prologues)."""

from __future__ import annotations

import json
from pathlib import Path

STACK_FILE = "stack_usage.json"  # {function: [bytes, "static" | "dynamic" | "dynamic,bounded"]}


def parse_su(text: str) -> dict[str, tuple[int, str]]:
    """gcc .su lines: "file.c:12:6:name<TAB>bytes<TAB>static"."""
    out = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1].isdigit():
            out[parts[0].rsplit(":", 1)[-1]] = (int(parts[1]), parts[2])
    return out


def merge_su(objects: list[Path]) -> dict:
    """The frames gcc reported for the objects' functions."""
    out = {}
    for o in objects:
        su = Path(o).with_suffix(".su")
        if su.is_file():
            out.update({k: list(v) for k, v in parse_su(su.read_text()).items()})
    return dict(sorted(out.items()))


def read_stack_usage(elf: Path) -> dict[str, tuple[int, str]]:
    """The figures kept beside an ELF mcubench built (empty for any other ELF)."""
    path = Path(elf).parent / STACK_FILE
    if not path.is_file():
        return {}
    try:
        return {k: (int(v[0]), str(v[1])) for k, v in json.loads(path.read_text()).items()}
    except (ValueError, TypeError, IndexError, AttributeError):
        return {}

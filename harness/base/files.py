"""Files written whole or not at all: results, generated headers, caches.

A reader never sees half a file: text goes to a temporary file in the same folder and
is renamed over the target. Generated headers are rewritten only when their text
changes, so the build's content hashes (and its cache) stay put.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, doc: dict) -> None:
    write_atomic(path, json.dumps(doc, indent=2) + "\n")


def write_if_changed(path: Path, text: str) -> Path:
    """Write text to path unless it already holds exactly that; returns path."""
    path = Path(path)
    if not path.is_file() or path.read_text() != text:
        write_atomic(path, text)
    return path

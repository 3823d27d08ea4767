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

from mcubench.base.errors import ConfigError, McubenchError


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write text (or bytes) to path through a temporary file, synced, then renamed over
    it; the file gets the permissions a plain open() would give (umask applies)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb" if isinstance(text, bytes) else "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_writable(path: Path) -> Path:
    """Refuse an output path that cannot be written, before any work is done."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder; give a file name")
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise ConfigError(f"{path}: cannot write there ({parent} is not a writable folder)")
    return path


def check_writable_folder(path: Path) -> Path:
    """Refuse an output folder that cannot be made or written in, before any work is done."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{path}: is a file; give a folder")
    return path if path.is_dir() and os.access(path, os.W_OK) else check_writable(path)


def write_json(path: Path, doc: dict | list) -> None:
    write_atomic(path, json.dumps(doc, indent=2) + "\n")


def write_if_changed(path: Path, text: str) -> Path:
    """Write text to path unless it already holds exactly that; returns path."""
    path = Path(path)
    if not path.is_file() or path.read_text() != text:
        write_atomic(path, text)
    return path


def read_input(path: Path, max_bytes: int, error: type[McubenchError], what: str) -> bytes:
    """The bytes of an input file (ELF, WAV, suite, results): a regular file of at most
    max_bytes, or one line saying why not. A folder, a FIFO or /dev/zero is never read."""
    path = Path(path)
    try:
        if path.exists() and not path.is_file():
            raise error(f"{path}: {'a folder' if path.is_dir() else 'not a regular file'}, not {what}")
        if path.exists() and path.stat().st_size > max_bytes:
            raise error(f"{path}: over {max_bytes >> 20} MiB, not {what}")
        return path.read_bytes()
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror})") from None


def read_text_input(path: Path, max_bytes: int, error: type[McubenchError], what: str) -> str:
    """read_input, as UTF-8 text."""
    try:
        return read_input(path, max_bytes, error, what).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte {exc.start}), not {what}") from None

"""Shared libraries for the host (not the target), compiled once per content into the
per-user cache and loaded with ctypes: the native cycle hook, and the host build of the
TFLite Micro front end that serves as a reference. Never written into site-packages or
a user's tree."""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
from pathlib import Path

from mcubench.base.errors import BuildError
from mcubench.base.paths import cache_dir


def host_compiler(env_var: str, names: tuple[str, ...]) -> str | None:
    """The compiler $env_var names, else the first of `names` on PATH."""
    for cc in (os.environ.get(env_var), *names):
        if cc and shutil.which(cc):
            return cc
    return None


def shared_library(
    folder: str,
    stem: str,
    compiler: str,
    sources: list[Path],
    flags: list[str],
    depends: tuple[Path, ...] = (),
) -> Path:
    """cache/<folder>/<stem>-<digest>.so built from `sources` (and headers in `depends`),
    the digest covering their bytes, the flags, the compiler and the machine."""
    h = hashlib.sha256(f"{compiler}\0{platform.machine()}\0{flags}".encode())
    for path in (*sources, *depends):
        h.update(Path(path).read_bytes())
    out = cache_dir() / folder / f"{stem}-{h.hexdigest()[:16]}.so"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    cmd = [compiler, "-O2", "-shared", "-fPIC", *flags, *map(str, sources), "-o", str(tmp)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise BuildError(f"host build of {stem} failed: {proc.stderr.strip()[:300]}")
    os.replace(tmp, out)
    return out

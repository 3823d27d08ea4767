"""Build and load the native cycle hook (_native/cycle_hook.c) with the host C compiler.

The shared library is compiled once per source version and machine into the per-user
cache (base/paths.cache_dir: never site-packages, never the user's tree) and loaded
with ctypes. With no C compiler, or MCUBENCH_COUNTER=python, the harness uses
the pure-Python twin in counter.py, which gives identical counts, only slower.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
from pathlib import Path

from mcubench.base.paths import cache_dir

SOURCE = Path(__file__).resolve().parent / "_native" / "cycle_hook.c"

_lib: ctypes.CDLL | None = None
_tried = False


def _compiler() -> str | None:
    for cc in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if cc and shutil.which(cc):
            return cc
    return None


def load() -> ctypes.CDLL | None:
    """The native hook library, or None when it cannot be built here."""
    global _lib, _tried
    if _tried:
        return _lib
    _tried = True
    if os.environ.get("MCUBENCH_COUNTER", "").lower() == "python":
        return None
    cc = _compiler()
    if cc is None:
        return None
    digest = hashlib.sha256(SOURCE.read_bytes() + platform.machine().encode() + cc.encode()).hexdigest()[:16]
    out = cache_dir() / "native" / f"cycle_hook-{digest}.so"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        proc = subprocess.run(
            [cc, "-O2", "-shared", "-fPIC", "-o", str(tmp), str(SOURCE)], capture_output=True, text=True
        )
        if proc.returncode != 0:
            return None
        os.replace(tmp, out)
    lib = ctypes.CDLL(str(out))
    lib.mcubench_ctx_size.restype = ctypes.c_uint32
    _lib = lib
    return lib

"""Build and load the native cycle hook (_native/cycle_hook.c) with the host C compiler.

The shared library is compiled once per source version and machine into the per-user
cache (base/paths.cache_dir: never site-packages, never the user's tree) and loaded
with ctypes. With no C compiler, or MCUBENCH_COUNTER=python, the harness uses
the pure-Python twin in counter.py, which gives identical counts, only slower.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

from mcubench.base.errors import BuildError
from mcubench.build.host_library import host_compiler, shared_library

SOURCE = Path(__file__).resolve().parent / "_native" / "cycle_hook.c"

_lib: ctypes.CDLL | None = None
_tried = False


def load() -> ctypes.CDLL | None:
    """The native hook library, or None when it cannot be built here."""
    global _lib, _tried
    if _tried:
        return _lib
    _tried = True
    if os.environ.get("MCUBENCH_COUNTER", "").lower() == "python":
        return None
    cc = host_compiler("CC", ("cc", "gcc", "clang"))
    if cc is None:
        return None
    try:
        path = shared_library("native", "cycle_hook", cc, [SOURCE], [])
    except BuildError:
        return None
    lib = ctypes.CDLL(str(path))
    lib.mcubench_ctx_size.restype = ctypes.c_uint32
    lib.mcubench_blocks_bytes.restype = ctypes.c_uint32
    _lib = lib
    return lib

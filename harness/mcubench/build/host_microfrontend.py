"""The TFLite Micro audio front end built for the host from the same pinned sources as
the firmware (harness/build/microfrontend.py), through a small C shim
(_host/microfrontend_host.cc): the bit-exact reference for front-end shapes the
pymicro-features wheel does not offer (micro_speech's 20 ms hop; noise reduction and PCAN
off). Compiled once per source version into the per-user cache with the host C++
compiler, loaded with ctypes."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mcubench.base.errors import BuildError
from mcubench.base.paths import FIRMWARE_DIR
from mcubench.build import microfrontend
from mcubench.build.host_library import host_compiler, shared_library

SHIM = Path(__file__).resolve().parent / "_host" / "microfrontend_host.cc"
CONFIG = FIRMWARE_DIR / "bench" / "tflm_frontend_config.h"  # shared with the firmware
_lib: ctypes.CDLL | None = None


def library() -> ctypes.CDLL:
    global _lib
    if _lib is not None:
        return _lib
    cxx = host_compiler("CXX", ("c++", "g++", "clang++"))
    if cxx is None:
        raise BuildError(
            "no host C++ compiler (c++, g++ or clang++) for the TFLite Micro front end's reference"
        )
    tree = microfrontend.root()
    includes = [f"-I{d}" for d in (*microfrontend.include_dirs(tree), CONFIG.parent)]
    out = shared_library(
        "host",
        f"microfrontend-{microfrontend.VERSION}",
        cxx,
        [*microfrontend.sources(tree), SHIM],
        ["-std=c++17", *includes],
        depends=(CONFIG,),
    )
    lib = ctypes.CDLL(str(out))
    lib.mcubench_mf_create.restype = ctypes.c_void_p
    lib.mcubench_mf_create.argtypes = [ctypes.c_int] * 5
    lib.mcubench_mf_process.restype = ctypes.c_int
    lib.mcubench_mf_process.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    lib.mcubench_mf_free.argtypes = [ctypes.c_void_p]
    _lib = lib
    return lib


@dataclass(frozen=True)
class Shape:
    sample_rate: int = 16000
    window_ms: int = 30
    step_ms: int = 10
    channels: int = 40  # tflm_frontend_config.h: 40 channels, 125 to 7,500 Hz
    noise_reduction: bool = True
    pcan: bool = True

    @property
    def hop(self) -> int:
        return self.sample_rate * self.step_ms // 1000


def features(shape: Shape, x: np.ndarray) -> np.ndarray:
    """The front end's output for every hop of x ([hops, channels] uint16; zeros while its
    window is still filling, as the firmware benchmark writes)."""
    lib = library()
    handle = lib.mcubench_mf_create(
        shape.sample_rate, shape.window_ms, shape.step_ms, int(shape.noise_reduction), int(shape.pcan)
    )
    if not handle:
        raise BuildError("the TFLite Micro front end refused its configuration")
    try:
        hops = len(x) // shape.hop
        out = np.zeros((hops, shape.channels), dtype=np.uint16)
        for k in range(hops):
            chunk = np.ascontiguousarray(x[k * shape.hop : (k + 1) * shape.hop], dtype=np.int16)
            lib.mcubench_mf_process(handle, chunk.ctypes.data, shape.hop, out[k].ctypes.data)
        return out
    finally:
        lib.mcubench_mf_free(handle)

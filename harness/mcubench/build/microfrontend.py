"""The TFLite Micro audio front end (micro_speech, microWakeWord) as a real dependency:
its C++ sources from the pinned `pymicro-features` source distribution on PyPI (the same
version as the host `pymicro-features` wheel the tests use as the reference), fetched
into the per-user cache at build time, or a user's own checkout through
MICROFRONTEND_ROOT. KISS FFT (int16) comes with it. Nothing of it is committed here."""

from __future__ import annotations

from pathlib import Path

from mcubench.build.sdist import source_tree

PACKAGE, VERSION = "pymicro-features", "2.0.2"
LIB = "tensorflow/lite/experimental/microfrontend/lib"
SOURCES = (
    "fft.cc",
    "fft_util.cc",
    "filterbank.cc",
    "filterbank_util.cc",
    "frontend.cc",
    "frontend_util.cc",
    "kiss_fft_int16.cc",
    "log_lut.cc",
    "log_scale.cc",
    "log_scale_util.cc",
    "noise_reduction.cc",
    "noise_reduction_util.cc",
    "pcan_gain_control.cc",
    "pcan_gain_control_util.cc",
    "window.cc",
    "window_util.cc",
)


def root() -> Path:
    folder = f"pymicro_features-{VERSION}"
    return source_tree(PACKAGE, VERSION, f"{LIB}/frontend.h", "MICROFRONTEND_ROOT", folder)


def sources(tree: Path) -> tuple[Path, ...]:
    return tuple(tree / LIB / s for s in SOURCES)


def include_dirs(tree: Path) -> tuple[Path, ...]:
    return (tree, tree / "kissfft", tree / LIB)

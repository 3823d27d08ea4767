"""Where mcubench's own files live, and the per-user cache.

mcubench ships its firmware (contract header, startup, entry, linker scripts, chip
files, DSP/NN kernels) and its suite's data (speech WAVs, trained models). In a checkout
they are the top-level firmware/ and benchmarks/ folders; an installed wheel carries the
same files inside the package (mcubench/_firmware, mcubench/_suite). Everything a
*project* owns (its suite, results, build products) is in base/project.py instead.

The cache (the native cycle hook, fetched third-party sources) is per user, never in
site-packages or a user's tree: MCUBENCH_CACHE, else the platform's user cache folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = PACKAGE_DIR.parent.parent  # the checkout (harness/mcubench), when the package runs from one
_INSTALLED = (PACKAGE_DIR / "_firmware").is_dir()
FIRMWARE_DIR = PACKAGE_DIR / "_firmware" if _INSTALLED else REPO_ROOT / "firmware"
TARGETS_DIR = FIRMWARE_DIR / "targets"
SUITE_FILES_DIR = PACKAGE_DIR / "_suite" if _INSTALLED else REPO_ROOT / "benchmarks"
DATA_DIR = SUITE_FILES_DIR / "data"
MODELS_DIR = SUITE_FILES_DIR / "models"


def cache_dir() -> Path:
    """The per-user cache: MCUBENCH_CACHE, else the platform's user cache folder."""
    env = os.environ.get("MCUBENCH_CACHE")
    return Path(env) if env else Path(platformdirs.user_cache_dir("mcubench", appauthor=False))


SHIPPED = "mcubench:"  # prefix of a path into mcubench's own firmware folder


def resolve(text: str, base_dir: Path) -> Path:
    """A path named in a file: relative to that file's folder, or "mcubench:dsp/rfft_q15.c"
    for a file of mcubench's own firmware (its kernels, headers)."""
    if text.startswith(SHIPPED):
        return (FIRMWARE_DIR / text[len(SHIPPED) :]).resolve()
    return (base_dir / text).resolve()

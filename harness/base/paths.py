"""Where things live: the repository the package came from, and the folders under it.

One module names them so that no other module derives "the repository root" from its
own location. Build products and the native hook's cache can be moved with
MCUBENCH_BUILD_DIR and MCUBENCH_CACHE.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = PACKAGE_DIR.parent
FIRMWARE_DIR = REPO_ROOT / "firmware"
TARGETS_DIR = FIRMWARE_DIR / "targets"
SUITE_DIR = REPO_ROOT / "benchmarks"
DATA_DIR = SUITE_DIR / "data"
MODELS_DIR = SUITE_DIR / "models"
RESULTS_DIR = REPO_ROOT / "results"
BUILD_DIR = Path(os.environ.get("MCUBENCH_BUILD_DIR", REPO_ROOT / "build"))
GEN_DIR = BUILD_DIR / "gen"
CACHE_DIR = Path(os.environ.get("MCUBENCH_CACHE", REPO_ROOT / ".cache"))

"""Results files: versioned JSON with stable keys, written atomically.

Every file records schema_version, the git sha, the toolchain and the compiler flags;
each entry in results[] has the same keys whatever its status, so diffs stay clean.
Cycle counts are deterministic, so two runs of the same tree give identical files.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from .build import BASE_CFLAGS, CPU_FLAGS, LDFLAGS
from .targets import FIRMWARE_DIR
from .toolchain import gcc_version

SCHEMA_VERSION = 1
RESULTS_DIR = FIRMWARE_DIR.parent / "results"
ENTRY_KEYS = ("bench", "target", "status", "cycles", "cycles_per_frame", "instructions",
              "flash_bytes", "ram_static_bytes", "stack_peak_bytes", "ram_peak_bytes", "snr_db",
              "max_abs_err", "bit_exact", "budgets", "violations", "error")


def empty_entry(bench: str, target: str) -> dict:
    entry = dict.fromkeys(ENTRY_KEYS)
    entry.update(bench=bench, target=target, status="error", budgets={}, violations=[])
    return entry


def git_sha() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=FIRMWARE_DIR.parent,
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if out.returncode != 0:
        return "unknown"
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                           cwd=FIRMWARE_DIR.parent, capture_output=True, text=True)
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def document(entries: list[dict]) -> dict:
    try:
        toolchain = gcc_version()
    except Exception:  # the toolchain may be what is missing
        toolchain = "unavailable"
    return {
        "schema_version": SCHEMA_VERSION,
        "git_sha": git_sha(),
        "toolchain": toolchain,
        "flags": {"cpu": CPU_FLAGS, "cflags": BASE_CFLAGS, "ldflags": LDFLAGS},
        "results": sorted(entries, key=lambda e: (e["bench"], e["target"])),
    }


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

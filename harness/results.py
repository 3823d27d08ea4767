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
_INT = {"type": ["integer", "null"]}
_NUM = {"type": ["number", "null"]}
# Every results entry has exactly these keys, whatever its status.
ENTRY_FIELDS = {
    "bench": {"type": "string"},
    "target": {"type": "string"},
    "status": {"enum": ["pass", "fail", "error"]},
    "cycles": _INT,
    "cycles_per_frame": _INT,
    "instructions": _INT,
    "flash_bytes": _INT,
    "ram_static_bytes": _INT,
    "stack_peak_bytes": _INT,
    "ram_peak_bytes": _INT,
    "snr_db": _NUM,
    "max_abs_err": _NUM,
    "bit_exact": {"type": ["boolean", "null"]},
    "clock_hz": _INT,
    "cpu_load_pct": _NUM,
    "flash_net_bytes": _INT,
    "extra": {"type": "object"},
    "budgets": {"type": "object"},
    "violations": {"type": "array", "items": {"type": "string"}},
    "error": {"type": ["string", "null"]},
}
ENTRY_KEYS = tuple(ENTRY_FIELDS)
SCHEMA_PATH = RESULTS_DIR / "schema.json"


def results_schema() -> dict:
    """The JSON Schema of a results file, generated from ENTRY_FIELDS (committed as
    results/schema.json; tests/test_results_schema.py fails when they drift)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "mcubench results",
        "type": "object",
        "required": ["schema_version", "git_sha", "toolchain", "flags", "results"],
        "additionalProperties": False,
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "git_sha": {"type": "string"},
            "toolchain": {"type": "string"},
            "flags": {"type": "object"},
            "results": {"type": "array", "items": {
                "type": "object", "required": list(ENTRY_KEYS), "additionalProperties": False,
                "properties": ENTRY_FIELDS}},
        },
    }


def empty_entry(bench: str, target: str) -> dict:
    entry = dict.fromkeys(ENTRY_KEYS)
    entry.update(bench=bench, target=target, status="error", budgets={}, violations=[], extra={})
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


if __name__ == "__main__":  # python -m harness.results: regenerate results/schema.json
    write_json(SCHEMA_PATH, results_schema())
    print(f"wrote {SCHEMA_PATH}")

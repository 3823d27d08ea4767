"""A results document: the header every mcubench JSON file starts with (schema version,
git sha, toolchain, compiler flags) and the entries, sorted so two runs of the same
tree give identical files."""

from __future__ import annotations

import subprocess
from pathlib import Path

from mcubench.base.paths import REPO_ROOT
from mcubench.base.project import current
from mcubench.build.compile import BASE_CFLAGS, CPU_FLAGS, LDFLAGS
from mcubench.build.toolchain import gcc_version
from mcubench.results.entry import SCHEMA_VERSION, Entry

SCHEMA_PATH = REPO_ROOT / "results" / "schema.json"  # the committed copy (in a checkout)


def git_sha() -> str:
    """The commit of the project being measured (its root), "-dirty" when it has changes."""
    root = current().root or Path.cwd()
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if out.returncode != 0:
        return "unknown"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def header() -> dict:
    """What every results-like file records: schema version, git sha, toolchain, flags."""
    try:
        toolchain = gcc_version()
    except Exception:  # the toolchain may be what is missing
        toolchain = "unavailable"
    return {
        "schema_version": SCHEMA_VERSION,
        "git_sha": git_sha(),
        "toolchain": toolchain,
        "flags": {"cpu": CPU_FLAGS, "cflags": BASE_CFLAGS, "ldflags": LDFLAGS},
    }


def document(entries: list[Entry], partial: bool = False) -> dict:
    """The results file; `partial` (only written when true) marks a run that was
    interrupted and holds only the benchmarks that finished."""
    rows = sorted((e.as_dict() for e in entries), key=lambda e: (e["bench"], e["target"]))
    return {**header(), **({"partial": True} if partial else {}), "results": rows}

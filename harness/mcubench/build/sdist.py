"""Third-party C sources as real dependencies: a pinned source distribution from PyPI,
fetched into the per-user cache at build time, or the user's own checkout named by an
environment variable. Nothing of them is committed here."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from mcubench.base.errors import BuildError
from mcubench.base.paths import cache_dir


def source_tree(package: str, version: str, marker: str, env_var: str, folder: str | None = None) -> Path:
    """The source tree of `package`==`version`: $env_var, or the cached sdist's folder
    (`folder`, default `<package_with_underscores>-<version>`); `marker` is a file it must contain."""
    env = os.environ.get(env_var)
    if env:
        path = Path(env)
        if not (path / marker).is_file():
            raise BuildError(f"{env_var}={env} has no {marker}")
        return path
    tree = cache_dir() / (folder or f"{package.replace('-', '_')}-{version}")  # sdists use _ in names
    if (tree / marker).is_file():
        return tree
    cache_dir().mkdir(parents=True, exist_ok=True)
    # One process fetches and unpacks; the others (pool workers, parallel tests) wait.
    with open(cache_dir() / f".{tree.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (tree / marker).is_file():
            _fetch(package, version, env_var, tree)
    if not (tree / marker).is_file():
        raise BuildError(f"the {package} {version} source distribution has no {marker}")
    return tree


def _fetch(package: str, version: str, env_var: str, tree: Path) -> None:
    downloads = cache_dir() / "downloads"
    sdist = downloads / f"{package.replace('-', '_')}-{version}.tar.gz"
    alt = downloads / f"{package}-{version}.tar.gz"
    if not sdist.is_file() and not alt.is_file():
        downloads.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-binary",
            package,
            "-d",
            str(downloads),
            f"{package}=={version}",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0 or not (sdist.is_file() or alt.is_file()):
            raise BuildError(
                f"cannot fetch the {package} {version} source distribution from PyPI "
                f"(set {env_var} to a checkout instead)"
            )
    staging = Path(tempfile.mkdtemp(prefix=f".{tree.name}.", dir=cache_dir()))
    try:
        with tarfile.open(sdist if sdist.is_file() else alt) as tar:
            tar.extractall(staging, filter="data")
        unpacked = staging / tree.name
        if unpacked.is_dir():
            if tree.exists():
                shutil.rmtree(tree)  # a partial tree left by an older, unlocked fetch
            os.replace(unpacked, tree)  # appears whole or not at all
    finally:
        shutil.rmtree(staging, ignore_errors=True)

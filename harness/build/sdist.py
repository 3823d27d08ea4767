"""Third-party C sources as real dependencies: a pinned source distribution from PyPI,
fetched into the per-user cache at build time, or the user's own checkout named by an
environment variable. Nothing of them is committed here."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
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
    with tarfile.open(sdist if sdist.is_file() else alt) as tar:
        tar.extractall(cache_dir(), filter="data")
    if not (tree / marker).is_file():
        raise BuildError(f"the {package} {version} source distribution has no {marker}")
    return tree

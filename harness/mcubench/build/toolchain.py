"""The cross toolchain: where arm-none-eabi-gcc is and which version it is."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

from mcubench.base.errors import BuildError

INSTALL_HINT = "install the Debian packages gcc-arm-none-eabi and libnewlib-arm-none-eabi (make test does it)"


def tool(name: str) -> str:
    prefix = os.environ.get("MCUBENCH_CROSS_PREFIX", "arm-none-eabi-")
    path = shutil.which(prefix + name)
    if path is None:
        raise BuildError(f"{prefix}{name} not found: {INSTALL_HINT}")
    return path


@functools.cache
def gcc_version() -> str:
    out = subprocess.run([tool("gcc"), "--version"], capture_output=True, text=True, check=False)
    return out.stdout.splitlines()[0].strip() if out.stdout else "unknown"

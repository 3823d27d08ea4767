"""Shared fixtures: real ELFs built with arm-none-eabi-gcc from C or assembly."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from harness.build import COMMON, CPU_FLAGS
from harness.elf_image import ElfImage
from harness.machine import Machine
from harness.targets import FIRMWARE_DIR, load_target
from harness.toolchain import tool

ROOT = FIRMWARE_DIR.parent
ASM_PRELUDE = ".syntax unified\n.cpu cortex-m0plus\n.thumb\n.text\n"


def link(tmp_dir: Path, source: str, suffix: str, target_name: str, extra=()) -> Path:
    """Compile or assemble one source file and link it for a target (no libc, no startup)."""
    target = load_target(target_name)
    key = hashlib.sha256((source + suffix + target_name + repr(extra)).encode()).hexdigest()[:12]
    src = tmp_dir / f"snippet_{key}{suffix}"
    elf = src.with_suffix(".elf")
    if elf.exists():
        return elf
    src.write_text(source)
    cmd = [tool("gcc"), *CPU_FLAGS, *extra, "-nostdlib", "-nostartfiles", "-Wl,-e,0",
           f"-L{COMMON}", f"-T{target.linker_script}", str(src), "-o", str(elf)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return elf


def thumb_functions(body: dict[str, str]) -> str:
    """Assembly source with one global Thumb function per entry of body."""
    out = [ASM_PRELUDE]
    for name, code in body.items():
        out.append(f".global {name}\n.type {name}, %function\n.thumb_func\n{name}:\n{code}\n"
                   f".size {name}, .-{name}\n")
    return "\n".join(out)


@pytest.fixture(scope="session")
def snippet_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("snippets")


@pytest.fixture(scope="session")
def asm_machine(snippet_dir):
    """asm_machine({'f': 'movs r0, #1\\nbx lr'}, target='py32f003') -> Machine."""

    def make(functions: dict[str, str], target: str = "py32f003", counter: str = "auto",
             target_obj=None, data: str = "", **kw) -> Machine:
        source = thumb_functions(functions) + data
        elf = link(snippet_dir, source, ".s", target)
        return Machine(ElfImage.load(elf), target_obj or load_target(target), counter=counter, **kw)

    return make


@pytest.fixture(scope="session")
def c_elf(snippet_dir):
    """c_elf(source, target='py32f003', flags=('-Os',)) -> Path of a linked ELF."""

    def make(source: str, target: str = "py32f003", flags=("-Os",)) -> Path:
        return link(snippet_dir, source, ".c", target, tuple(flags))

    return make

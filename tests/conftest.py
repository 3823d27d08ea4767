"""Shared fixtures on top of the mcubench pytest plugin's `mcu` fixture."""

from __future__ import annotations

import pytest

from mcubench.build.sdist import source_tree
from mcubench.pytest_plugin import Mcu, thumb_functions


@pytest.fixture(scope="session")
def asm_machine():
    """asm_machine({'f': 'movs r0, #1\\nbx lr'}, target='py32f003') -> Machine."""
    mcu = Mcu()

    def make(
        functions: dict[str, str],
        target: str = "py32f003",
        counter: str = "auto",
        target_obj=None,
        data: str = "",
        **kw,
    ):
        source = thumb_functions(functions) + data
        return mcu.build(source, target_obj or target, lang="asm", counter=counter, **kw).machine

    return make


@pytest.fixture(scope="session")
def asm_elf():
    """asm_elf({'f': ...}, target) -> Path of the linked ELF."""
    mcu = Mcu()

    def make(functions: dict[str, str], target: str = "py32f003"):
        return mcu.build_elf(thumb_functions(functions), target, lang="asm")

    return make


@pytest.fixture(scope="session")
def c_elf():
    """c_elf(source, target='py32f003', flags=('-O2',)) -> Path of a linked ELF (no startup)."""
    mcu = Mcu()

    def make(source: str, target: str = "py32f003", flags=("-Os",)):
        opt = next((f for f in flags if f.startswith("-O")), "-Os")
        rest = tuple(f for f in flags if not f.startswith("-O"))
        return mcu.build_elf(source, target, opt=opt, cflags=rest)

    return make


WAKE_WORDS = ("alexa", "hey_jarvis", "hey_mycroft", "okay_nabu")


@pytest.fixture(scope="session")
def wake_word_models():
    """The four int8 wake-word models of the pymicro-wakeword 2.5.0 source distribution
    (fetched from PyPI into the cache, or PYMICRO_WAKEWORD_ROOT): name -> .tflite path."""
    tree = source_tree(
        "pymicro-wakeword", "2.5.0", "pymicro_wakeword/models/alexa.tflite", "PYMICRO_WAKEWORD_ROOT"
    )
    return {name: tree / "pymicro_wakeword" / "models" / f"{name}.tflite" for name in WAKE_WORDS}

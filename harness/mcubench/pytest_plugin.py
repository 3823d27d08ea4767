"""pytest plugin: the `mcu` fixture, so firmware unit tests are plain pytest functions.

    def test_fir(mcu):
        fw = mcu.build("firmware/bench/fir_q15.c", target="py32f003", entry=True)
        fw.call("bench_init")
        fw.write("bench_input", samples)
        r = fw.call("bench_run")          # cycles, instructions, stack_peak_bytes, r0
        out = fw.read("bench_output")

Sources are paths (relative to the working directory; "mcubench:dsp/rfft_q15.c" names a
file of mcubench's own firmware) or code strings (C, or assembly with lang="asm"); builds are cached by
content hash, so repeated tests do not recompile. Registered through the `pytest11`
entry point of the mcubench package: installing it is all the set-up a user needs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from mcubench.base.errors import McubenchError
from mcubench.base.paths import resolve
from mcubench.base.project import current
from mcubench.build.compile import BuildSpec, build
from mcubench.chip.targets import Target, load_target
from mcubench.dsp.frontend_tables import write_header
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.machine import CallResult, Machine

ASM_PRELUDE = ".syntax unified\n.cpu cortex-m0plus\n.thumb\n.text\n"


def thumb_functions(functions: dict[str, str]) -> str:
    """Assembly source with one global Thumb function per {name: body} entry."""
    out = [ASM_PRELUDE]
    for name, body in functions.items():
        out.append(
            f".global {name}\n.type {name}, %function\n.thumb_func\n{name}:\n{body}\n.size {name}, .-{name}\n"
        )
    return "\n".join(out)


@dataclass
class Firmware:
    """A built ELF running on one emulated chip."""

    elf: Path
    machine: Machine
    last: CallResult | None = None

    @property
    def image(self) -> ElfImage:
        return self.machine.image

    def call(self, function, *args: int, **kw) -> CallResult:
        self.last = self.machine.call(function, *args, **kw)
        return self.last

    def read(self, symbol: str, dtype="<i2", count: int | None = None):
        return self.machine.read_array(symbol, dtype, count)

    def write(self, symbol: str, values, dtype="<i2") -> None:
        self.machine.write_array(symbol, values, dtype)

    def on_read(self, addr: int, read, cycles: int | None = None):
        """Stub a peripheral register: reads give `read` (constant, sequence or function of
        the read count), e.g. an ADC data register fed from the audio under test."""
        if self.machine.target.region_at(addr) is not None:
            raise McubenchError(f"0x{addr:08x} is memory of {self.machine.target.name}, not a register")
        return self.machine.bus.on_read(addr, read, cycles)

    def writes(self, addr: int) -> list:
        """What the firmware wrote to a stubbed register, in order."""
        return self.machine.bus.writes(addr)


class Mcu:
    """Builds firmware for a target and puts it on an emulated chip."""

    def build_elf(
        self,
        source,
        target="py32f003",
        *,
        lang: str | None = None,
        opt: str = "-Os",
        defines=(),
        cflags=(),
        entry: bool = False,
        include=(),
        tables: str | None = None,
    ) -> Path:
        """Only build: the ELF's path (for ELFs a machine would refuse, say). `source` is
        one path or code string, or a list of them; `tables` generates a front-end
        configuration's (or "fftN"'s) fe_tables.h and puts it on the include path."""
        name = target.name if isinstance(target, Target) else target
        sources = source if isinstance(source, (list, tuple)) else [source]
        paths = tuple(self._source_path(s, lang) for s in sources)
        includes = tuple(resolve(str(d), Path.cwd()) for d in include)
        if tables:
            includes = (write_header(tables),) + includes
        spec = BuildSpec(
            paths[0].stem,
            paths,
            opt=opt,
            defines=tuple(defines),
            cflags=tuple(cflags),
            include_dirs=includes,
            with_entry=entry,
        )
        return build(spec, load_target(name)).elf

    def build(
        self,
        source,
        target="py32f003",
        *,
        lang: str | None = None,
        opt: str = "-Os",
        defines=(),
        cflags=(),
        entry: bool = False,
        include=(),
        tables: str | None = None,
        counter: str = "auto",
        **machine_kw,
    ) -> Firmware:
        """Build and load on an emulated chip (target: a name or a Target object)."""
        elf = self.build_elf(
            source,
            target,
            lang=lang,
            opt=opt,
            defines=defines,
            cflags=cflags,
            entry=entry,
            include=include,
            tables=tables,
        )
        tgt = target if isinstance(target, Target) else load_target(target)
        return Firmware(elf, Machine(ElfImage.load(elf), tgt, counter=counter, **machine_kw))

    @staticmethod
    def _source_path(source, lang) -> Path:
        if isinstance(source, Path) or (
            isinstance(source, str) and "\n" not in source and source.endswith((".c", ".s", ".S"))
        ):
            return resolve(str(source), Path.cwd())
        suffix = ".s" if lang == "asm" else ".c"
        digest = hashlib.sha256(source.encode()).hexdigest()[:16]
        path = current().build_dir / "snippets" / f"snippet_{digest}{suffix}"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_text(source)
            tmp.replace(path)
        return path


@pytest.fixture
def mcu() -> Mcu:
    """Build C or assembly for a chip and call it: see the module docstring."""
    return Mcu()

"""Chips as data: each target is one TOML file, mcubench's in firmware/targets/<name>/,
a project's in its target folders.

A target says where memory is (regions with permissions and access costs), how fast
the core runs, how many cycles MULS takes, and how many flash wait states the clock
needs. Nothing outside the declared regions is mapped.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from mcubench.base.errors import ConfigError
from mcubench.base.files import write_if_changed
from mcubench.base.paths import TARGETS_DIR
from mcubench.base.project import Project, current
from mcubench.base.schema import Field, Source, between, check_table, one_of, positive, power_of_two
from mcubench.base.toml_files import parse_toml, read_text
from mcubench.chip.peripherals import Peripheral, check_layout, core_peripherals, parse_peripherals


@dataclass(frozen=True)
class Cache:
    """A set-associative read cache in front of a region (RP2040 XIP)."""

    size: int
    ways: int
    line: int
    miss_cycles: int

    @property
    def sets(self) -> int:
        return self.size // (self.ways * self.line)


@dataclass(frozen=True)
class FlashInterface:
    """How instruction fetches reach a flash with wait states (STM32G0/C0/L0, SAMD21): the
    array returns `line` bytes a read; a fetch from the line last read costs nothing, the
    next line is free when the prefetch buffer read it ahead, and an instruction cache of
    `icache_lines` lines (`icache_ways`-way, LRU) keeps lines met before. Enable bits are
    (peripheral, register, bit) the firmware sets, their reset values the state at start;
    None: always on (a prefetch/cache given as true) or absent."""

    line: int = 4
    prefetch: bool = False
    prefetch_bit: tuple[str, str, int] | None = None
    icache_lines: int = 0
    icache_ways: int = 1
    icache_bit: tuple[str, str, int] | None = None
    icache_reset_bit: tuple[str, str, int] | None = None


@dataclass(frozen=True)
class Region:
    name: str
    kind: str  # flash | sram | io
    base: int
    size: int
    perms: str  # subset of "rwx"
    access_cycles: int | None = None  # load/store cycles when not the standard 2
    cache: Cache | None = None

    @property
    def end(self) -> int:
        return self.base + self.size

    def contains(self, addr: int, length: int = 1) -> bool:
        return self.base <= addr and addr + length <= self.end


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    clock_hz: int
    mul_cycles: int
    linker_script: Path
    flash_wait_states: tuple[tuple[int, int], ...]
    regions: tuple[Region, ...] = field(default_factory=tuple)
    peripherals: tuple[Peripheral, ...] = field(default_factory=tuple)  # core + the chip's
    # the register field where firmware sets the flash wait states: (peripheral, register, mask)
    flash_latency: tuple[str, str, int] | None = None
    flash_interface: FlashInterface | None = None  # None: a wait state per fetched word, no buffers

    def region(self, kind: str) -> Region:
        for r in self.regions:
            if r.kind == kind:
                return r
        raise ConfigError(f"target {self.name} has no {kind} region")

    @property
    def flash(self) -> Region:
        return self.region("flash")

    @property
    def sram(self) -> Region:
        return self.region("sram")

    def region_at(self, addr: int) -> Region | None:
        for r in self.regions:
            if r.contains(addr):
                return r
        return None

    def wait_states(self, clock_hz: int | None = None) -> int:
        """Flash wait states needed at clock_hz (default: the target's clock)."""
        clock = self.clock_hz if clock_hz is None else clock_hz
        for max_hz, ws in self.flash_wait_states:
            if clock <= max_hz:
                return ws
        top = self.flash_wait_states[-1][0]
        raise ConfigError(f"{self.name} cannot run at {clock} Hz (at most {top} Hz)")

    def with_clock(self, clock_hz: int) -> Target:
        self.wait_states(clock_hz)  # validates
        return dataclasses.replace(self, clock_hz=clock_hz)


def _target_files(project: Project) -> dict[str, Path]:
    """Every known chip file by name: mcubench's own, then the project's target folders
    (`<dir>/<name>.toml` or `<dir>/<name>/target.toml`). A name defined twice is an error."""
    found: dict[str, Path] = {}
    for folder in (TARGETS_DIR, *project.target_dirs):
        for path in sorted(folder.glob("*/target.toml")) + sorted(folder.glob("*.toml")):
            name = path.parent.name if path.name == "target.toml" else path.stem
            if name in found:
                raise ConfigError(f"{path}: target {name!r} is already defined by {found[name]}")
            found[name] = path
    return found


def target_names(project: Project | None = None) -> list[str]:
    """Every chip known to `project` (by default the current one, base/project.py)."""
    return sorted(_target_files(project or current()))


# Ranges: what the counters can represent exactly (the native one keeps 32-bit costs) and
# what any Cortex-M0+ memory system has; a value outside is a typo, never a chip.
PAGE = 1024  # Unicorn maps ARM memory in 1 KiB pages (TARGET_PAGE_BITS 10)
MAX_ACCESS_CYCLES = 1000
MAX_WAIT_STATES = 100
MAX_MISS_CYCLES = 10_000
_CACHE_FIELDS = {
    "size": Field("int", required=True, check=power_of_two),
    "ways": Field("int", required=True, check=between(1, 64)),
    "line": Field("int", required=True, check=lambda v: power_of_two(v) or between(4, 1024)(v)),
    "miss_cycles": Field("int", required=True, check=between(0, MAX_MISS_CYCLES)),
}
_REGION_FIELDS = {
    "name": Field("str", required=True),
    "kind": Field("str", required=True, check=one_of("flash", "sram", "io")),
    "base": Field("int", required=True, check=lambda v: None if 0 <= v < 1 << 32 else "must fit 32 bits"),
    "size": Field("int", required=True, check=positive),
    "perms": Field(
        "str", required=True, check=lambda v: None if set(v) <= set("rwx") else "must be letters of 'rwx'"
    ),
    "access_cycles": Field("int", check=between(1, MAX_ACCESS_CYCLES)),
    "cache": Field("table"),
}
TARGET_FIELDS = {
    "name": Field("str", required=True),
    "description": Field("str", required=True),
    "clock_hz": Field("int", required=True, check=between(1, 1_000_000_000)),
    "mul_cycles": Field("int", required=True, check=one_of(1, 32)),
    "linker_script": Field("str"),
    "flash_wait_states": Field("any", required=True),
    "region": Field("any", required=True),
    "peripheral": Field("any"),
    "flash_latency": Field("table"),
    "flash_interface": Field("table"),
}
_FLASH_INTERFACE_FIELDS = {
    "line": Field("int", required=True, check=one_of(4, 8, 16, 32)),
    "prefetch": Field("any"),
    "icache_lines": Field("int", check=power_of_two),
    "icache_ways": Field("int", check=between(1, 64)),
    "icache": Field("any"),
    "icache_reset": Field("str"),
}
_LATENCY_FIELDS = {
    "register": Field("str", required=True),
    "mask": Field(
        "int", required=True, check=lambda v: None if 0 < v < 1 << 32 else "a non-zero 32-bit mask"
    ),
}


def _region(data, src: Source, i: int) -> Region:
    where = f"region {i + 1}"
    check_table(data, _REGION_FIELDS, src, where)
    cache = data.get("cache")
    if cache is not None:
        check_table(cache, _CACHE_FIELDS, src, f"{where}.cache")
    if data["base"] + data["size"] > 1 << 32:
        raise ConfigError(f"{src.path}: {where} ({data['name']}) runs past 4 GiB")
    if data["base"] % PAGE or data["size"] % PAGE:
        raise ConfigError(
            f"{src.path}: {where} ({data['name']}): base {data['base']:#x} and size {data['size']:#x} "
            f"must be multiples of 1 KiB (0x400), the emulator's page"
        )
    if cache is not None:
        sets, rem = divmod(cache["size"], cache["ways"] * cache["line"])
        if rem or not sets or power_of_two(sets):
            raise ConfigError(
                f"{src.path}: {where}.cache: size {cache['size']} is not ways {cache['ways']} x line "
                f"{cache['line']} x a power-of-two number of sets"
            )
    return Region(
        name=data["name"],
        kind=data["kind"],
        base=data["base"],
        size=data["size"],
        perms=data["perms"],
        access_cycles=data.get("access_cycles"),
        cache=Cache(**cache) if cache else None,
    )


def _one_each(regions: tuple[Region, ...], src: Source) -> None:
    """One flash and one SRAM region; at most one with its own access cost and one with a
    cache (the counters keep one of each: a second would silently replace the first)."""
    rules = (
        ("flash region", lambda r: r.kind == "flash"),
        ("sram region", lambda r: r.kind == "sram"),
        ("region with access_cycles other than 2", lambda r: r.access_cycles not in (None, 2)),
        ("cached region", lambda r: r.cache is not None),
    )
    for what, test in rules:
        found = [r.name for r in regions if test(r)]
        if len(found) > 1:
            raise ConfigError(f"{src.path}: more than one {what}: {', '.join(found)} (mcubench models one)")


def _register_bit(text, target: Target, src: Source, key: str) -> tuple[str, str, int]:
    """ "FLASH.ACR:8": a bit of a register this chip declares."""
    name, _, bit = str(text).partition(":")
    periph, _, reg = name.partition(".")
    p = next((p for p in target.peripherals if p.name == periph), None)
    if p is None or not any(r.name == reg for r in p.registers) or not bit.isdigit() or int(bit) > 31:
        raise ConfigError(
            f"{src.where(key, 'flash_interface')}: {text!r} is not PERIPHERAL.REGISTER:BIT "
            "of a register of this chip"
        )
    return periph, reg, int(bit)


def _flash_interface(value: dict, target: Target, src: Source) -> FlashInterface:
    """`[flash_interface]`: line = bytes per flash read; prefetch and icache = true, false or
    "PERIPHERAL.REGISTER:BIT" (the enable bit; its reset value is the state at start)."""
    data = check_table(value, _FLASH_INTERFACE_FIELDS, src, "flash_interface")
    out: dict = {"line": data["line"]}
    for key in ("prefetch", "icache"):
        v = data.get(key, False)
        if isinstance(v, bool):
            out[key if key == "prefetch" else "_icache_on"] = v
        else:
            out[f"{key}_bit"] = _register_bit(v, target, src, key)
            out[key if key == "prefetch" else "_icache_on"] = True
    if out.pop("_icache_on", False):
        if "icache_lines" not in data:
            raise ConfigError(f"{src.where('icache', 'flash_interface')}: an icache needs icache_lines")
        out["icache_lines"] = data["icache_lines"]
        out["icache_ways"] = data.get("icache_ways", 1)
        sets, rem = divmod(out["icache_lines"], out["icache_ways"])
        if rem or power_of_two(sets) is not None:
            raise ConfigError(
                f"{src.where('icache_ways', 'flash_interface')}: "
                "icache_lines / icache_ways must be a power of two"
            )
    if "icache_reset" in data:
        out["icache_reset_bit"] = _register_bit(data["icache_reset"], target, src, "icache_reset")
    return FlashInterface(**out)


def _latency(value: dict, target: Target, src: Source) -> tuple[str, str, int]:
    """`flash_latency = { register = "FLASH.ACR", mask = 0x7 }`: the field firmware writes
    its flash wait states to (then honoured, or refused when too few for the clock)."""
    data = check_table(value, _LATENCY_FIELDS, src, "flash_latency")
    periph, _, reg = data["register"].partition(".")
    p = next((p for p in target.peripherals if p.name == periph), None)
    if p is None or not any(r.name == reg for r in p.registers):
        raise ConfigError(
            f"{src.where('register', 'flash_latency')}: {data['register']!r} is not a register of this chip "
            "(PERIPHERAL.REGISTER)"
        )
    return periph, reg, data["mask"]


def _wait_states(value, src: Source) -> tuple[tuple[int, int], ...]:
    ok = (
        isinstance(value, list)
        and value
        and all(
            isinstance(p, list)
            and len(p) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in p)
            and p[1] <= MAX_WAIT_STATES
            for p in value
        )
        and [p[0] for p in value] == sorted({p[0] for p in value})
    )
    if not ok:
        raise ConfigError(
            f"{src.where('flash_wait_states')}: flash_wait_states must be [[max_clock_hz, wait_states], ...] "
            f"with ascending clocks and at most {MAX_WAIT_STATES} wait states"
        )
    return tuple((a, b) for a, b in value)


def generated_linker_script(name: str, regions: tuple[Region, ...], gen_dir: Path) -> Path:
    """A linker script from the target's flash and SRAM regions (user chips need not
    write one): MEMORY plus the shared section layout."""
    flash = next((r for r in regions if r.kind == "flash"), None)
    sram = next((r for r in regions if r.kind == "sram"), None)
    if flash is None or sram is None:
        raise ConfigError(f"target {name}: needs a flash and an sram region")
    text = (
        f"/* Generated by mcubench from target {name}'s regions. */\n"
        "MEMORY\n{\n"
        f"  FLASH (rx)  : ORIGIN = {flash.base:#010x}, LENGTH = {flash.size:#x}\n"
        f"  RAM   (rwx) : ORIGIN = {sram.base:#010x}, LENGTH = {sram.size:#x}\n"
        "}\nINCLUDE mcubench_sections.ld\n"
    )
    path = gen_dir / "targets" / f"{name}-{hashlib.sha256(text.encode()).hexdigest()[:12]}.ld"
    write_if_changed(path, text)
    return path


def load_target(name: str, project: Project | None = None) -> Target:
    """A chip by name, from mcubench's files and `project`'s (by default the current
    project); a linker script it needs is generated into the project's gen folder."""
    project = project or current()
    files = _target_files(project)
    path = files.get(name)
    if path is None:
        raise ConfigError(f"unknown target {name!r}; valid targets: {', '.join(sorted(files))}")
    st = path.stat()
    return _parse_target(name, path, st.st_mtime_ns, st.st_size, project.gen_dir)


@functools.lru_cache(maxsize=64)
def _parse_target(name: str, path: Path, _mtime_ns: int, _size: int, gen_dir: Path) -> Target:
    """A target file read and checked once per version of the file (every Machine asks)."""
    src = Source(path, read_text(path))
    data = check_table(parse_toml(path, "\n".join(src.lines)), TARGET_FIELDS, src, None)
    if not isinstance(data["region"], list) or not data["region"]:
        raise ConfigError(f"{src.where('region')}: a target needs [[region]] tables")
    regions = tuple(_region(r, src, i) for i, r in enumerate(data["region"]))
    _one_each(regions, src)
    if data["name"] != name:
        raise ConfigError(f"{src.where('name')}: name {data['name']!r} differs from the file's name {name!r}")
    script = data.get("linker_script")
    target = Target(
        name=data["name"],
        description=data["description"],
        clock_hz=data["clock_hz"],
        mul_cycles=data["mul_cycles"],
        linker_script=path.parent / script if script else generated_linker_script(name, regions, gen_dir),
        flash_wait_states=_wait_states(data["flash_wait_states"], src),
        regions=regions,
        peripherals=core_peripherals() + parse_peripherals(data.get("peripheral", []), src),
    )
    if "flash_interface" in data:
        target = dataclasses.replace(
            target, flash_interface=_flash_interface(data["flash_interface"], target, src)
        )
    if "flash_latency" in data:
        target = dataclasses.replace(target, flash_latency=_latency(data["flash_latency"], target, src))
    check_layout(target.peripherals, regions, str(path))
    if not target.linker_script.is_file():
        raise ConfigError(f"{src.where('linker_script')}: {target.linker_script} not found")
    target.wait_states()  # the default clock must be one the chip can run at
    return target

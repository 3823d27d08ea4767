"""Chips as data: each target is one TOML file in firmware/targets/<name>/.

A target says where memory is (regions with permissions and access costs), how fast
the core runs, how many cycles MULS takes, and how many flash wait states the clock
needs. Nothing outside the declared regions is mapped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mcubench.base.errors import ConfigError
from mcubench.base.paths import TARGETS_DIR
from mcubench.base.toml_files import load_toml


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
        return Target(
            self.name,
            self.description,
            clock_hz,
            self.mul_cycles,
            self.linker_script,
            self.flash_wait_states,
            self.regions,
        )


def target_names() -> list[str]:
    return sorted(p.parent.name for p in TARGETS_DIR.glob("*/target.toml"))


def _region(data: dict, where: str) -> Region:
    try:
        cache = data.get("cache")
        perms = data["perms"]
        if not set(perms) <= set("rwx"):
            raise ConfigError(f"{where}: perms must be letters of 'rwx', not {perms!r}")
        return Region(
            name=data["name"],
            kind=data["kind"],
            base=int(data["base"]),
            size=int(data["size"]),
            perms=perms,
            access_cycles=data.get("access_cycles"),
            cache=Cache(**cache) if cache else None,
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{where}: bad region entry ({exc})") from None


def load_target(name: str) -> Target:
    path = TARGETS_DIR / name / "target.toml"
    if not path.is_file():
        raise ConfigError(f"unknown target {name!r}; valid targets: {', '.join(target_names())}")
    data = load_toml(path)
    try:
        regions = tuple(_region(r, f"{path}: region {i}") for i, r in enumerate(data["region"]))
        target = Target(
            name=data["name"],
            description=data["description"],
            clock_hz=int(data["clock_hz"]),
            mul_cycles=int(data["mul_cycles"]),
            linker_script=path.parent / data["linker_script"],
            flash_wait_states=tuple((int(a), int(b)) for a, b in data["flash_wait_states"]),
            regions=regions,
        )
    except KeyError as exc:
        raise ConfigError(f"{path}: missing key {exc}") from None
    if target.mul_cycles not in (1, 32):
        raise ConfigError(f"{path}: mul_cycles must be 1 or 32 (a Cortex-M0+ option)")
    return target

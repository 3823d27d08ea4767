"""Peripherals as data: the registers firmware touches, declared per chip.

Every Cortex-M0+ has the same core peripherals (SysTick, NVIC, SCB: ARMv6-M ARM, DDI
0419, B3), declared once in firmware/common/cortex_m0plus.toml; each target file adds
its chip's own (`[[peripheral]]` tables). A register has a name, an offset, a reset
value and a behaviour:

- plain: read/write storage (`access = "ro"` ignores writes; `writable` masks bits);
- `ready = [[enable_bit, ready_bit], ...]`: a status bit that reads as its enable bit
  (an oscillator that is ready as soon as it is switched on);
- `mirror = [[from_bit, to_bit, width], ...]`: a status field that reads as a control
  field (the clock switch status follows the switch);
- a peripheral `model` for behaviour that is not a table (SysTick counting from the
  cycle model, the NVIC's set/clear registers, the RP2040 SIO's divider and spinlocks,
  the RP2040 TIMER's microseconds);
- `modelled = false`: the peripheral is named for messages only, and any access is a
  fault that names the register ("read of ADC DR (0x40012440)").

A peripheral's `access_cycles` is what one load or store to it costs on its bus.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from mcubench.base.errors import ConfigError
from mcubench.base.paths import FIRMWARE_DIR
from mcubench.base.schema import Field, Source, at_least, check_table, one_of
from mcubench.base.toml_files import parse_toml, read_text

CORE_FILE = FIRMWARE_DIR / "common" / "cortex_m0plus.toml"
MODELS = ("systick", "nvic", "scb", "rp2040_sio", "rp2040_timer")


@dataclass(frozen=True)
class Register:
    name: str
    offset: int
    reset: int = 0
    access: str = "rw"  # rw | ro | wo
    writable: int = 0xFFFF_FFFF
    ready: tuple[tuple[int, int], ...] = ()
    mirror: tuple[tuple[int, int, int], ...] = ()


@dataclass(frozen=True)
class Peripheral:
    name: str
    base: int
    size: int
    access_cycles: int = 2
    model: str | None = None
    modelled: bool = True
    registers: tuple[Register, ...] = field(default_factory=tuple)

    @property
    def end(self) -> int:
        return self.base + self.size

    def register_at(self, offset: int) -> Register | None:
        for r in self.registers:
            if r.offset <= offset < r.offset + 4:
                return r
        return None


def _u32(v) -> str | None:
    return None if 0 <= v < 1 << 32 else "must fit 32 bits"


def _pairs(width: int):
    def check(v) -> str | None:
        ok = isinstance(v, list) and all(
            isinstance(p, list) and len(p) == width and all(isinstance(x, int) and 0 <= x < 32 for x in p)
            for p in v
        )
        return None if ok else f"must be a list of [{', '.join(['bit'] * width)}] lists of bit numbers"

    return check


REGISTER_FIELDS = {
    "name": Field("str", required=True),
    "offset": Field("int", required=True, check=at_least(0)),
    "reset": Field("int", check=_u32),
    "access": Field("str", check=one_of("rw", "ro", "wo")),
    "writable": Field("int", check=_u32),
    "ready": Field("any", check=_pairs(2)),
    "mirror": Field("any", check=_pairs(3)),
}
PERIPHERAL_FIELDS = {
    "name": Field("str", required=True),
    "base": Field("int", required=True, check=_u32),
    "size": Field("int", required=True, check=lambda v: None if 0 < v <= 1 << 20 else "must be 1..1 MiB"),
    "access_cycles": Field("int", check=at_least(1)),
    "model": Field("str", check=one_of(*MODELS)),
    "modelled": Field("bool"),
    "registers": Field("any"),
}


def _register(data, src: Source, where: str) -> Register:
    check_table(data, REGISTER_FIELDS, src, where)
    return Register(
        name=data["name"],
        offset=data["offset"],
        reset=data.get("reset", 0),
        access=data.get("access", "rw"),
        writable=data.get("writable", 0xFFFF_FFFF),
        ready=tuple(tuple(p) for p in data.get("ready", [])),
        mirror=tuple(tuple(p) for p in data.get("mirror", [])),
    )


def parse_peripherals(items, src: Source) -> tuple[Peripheral, ...]:
    """The `[[peripheral]]` tables of a file."""
    if not isinstance(items, list):
        raise ConfigError(f"{src.where('peripheral')}: peripheral must be an array of tables")
    out = []
    for i, data in enumerate(items):
        where = f"peripheral {i + 1}"
        check_table(data, PERIPHERAL_FIELDS, src, where)
        regs = data.get("registers", [])
        if not isinstance(regs, list):
            raise ConfigError(f"{src.path}: {where} ({data['name']}): registers must be a list of tables")
        registers = tuple(_register(r, src, f"{where} register {j + 1}") for j, r in enumerate(regs))
        for r in registers:
            if r.offset + 4 > data["size"]:
                raise ConfigError(
                    f"{src.path}: {data['name']} {r.name} at offset {r.offset:#x} is outside it"
                )
        names = [r.name for r in registers]
        if len(set(names)) != len(names):
            raise ConfigError(f"{src.path}: {data['name']} names a register twice")
        out.append(
            Peripheral(
                name=data["name"],
                base=data["base"],
                size=data["size"],
                access_cycles=data.get("access_cycles", 2),
                model=data.get("model"),
                modelled=data.get("modelled", True),
                registers=registers,
            )
        )
    return tuple(out)


@functools.cache
def core_peripherals() -> tuple[Peripheral, ...]:
    """SysTick, NVIC and SCB: the same on every Cortex-M0+ (read once)."""
    return load_peripheral_file(CORE_FILE)


def load_peripheral_file(path: Path) -> tuple[Peripheral, ...]:
    src = Source(path, read_text(path))
    data = parse_toml(path, "\n".join(src.lines))
    check_table(data, {"peripheral": Field("any", required=True)}, src, None)
    return parse_peripherals(data["peripheral"], src)


def check_layout(peripherals: tuple[Peripheral, ...], regions, where: str) -> None:
    """No two peripherals overlap, and none overlaps a memory region."""
    spans = sorted(
        [(p.base, p.end, p.name) for p in peripherals] + [(r.base, r.end, r.name) for r in regions]
    )
    for (_a0, a1, an), (b0, _, bn) in zip(spans, spans[1:]):
        if b0 < a1:
            raise ConfigError(f"{where}: {an} and {bn} overlap at {b0:#010x}")

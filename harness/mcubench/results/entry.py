"""One results entry: the figures of one benchmark on one target, as a typed record.

Every entry has exactly these fields whatever its status, so diffs stay clean. The
JSON Schema of a results file is generated from this class (committed as
results/schema.json; tests/results/test_results_schema.py fails when the two drift).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

SCHEMA_VERSION = 2  # 2: frames and definition (a version 1 file is read as 2 without them)
STATUSES = ("pass", "fail", "error")


@dataclass
class Entry:
    bench: str
    target: str
    status: str = "error"  # one of STATUSES
    cycles: int | None = None  # all frames (calls, hops, steps) together
    cycles_per_frame: int | None = None  # the worst frame (what real time must hold)
    frames: int | None = None  # the calls measured (hops of a stream, steps of a model)
    instructions: int | None = None
    flash_bytes: int | None = None
    ram_static_bytes: int | None = None
    stack_peak_bytes: int | None = None
    ram_peak_bytes: int | None = None  # static + peak stack
    snr_db: float | None = None
    max_abs_err: float | None = None
    bit_exact: bool | None = None
    clock_hz: int | None = None
    cpu_load_pct: float | None = None
    flash_net_bytes: int | None = None  # net of the empty build
    extra: dict = field(default_factory=dict)
    # what was measured, as the suite file says (sources, input, frames, build options...):
    # the gate compares figures only between entries with the same definition
    definition: dict = field(default_factory=dict)
    budgets: dict = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def failed(cls, bench: str, target: str, error: str) -> Entry:
        return cls(bench, target, status="error", error=error)


_JSON_TYPES = {
    "str": {"type": "string"},
    "int | None": {"type": ["integer", "null"]},
    "float | None": {"type": ["number", "null"]},
    "bool | None": {"type": ["boolean", "null"]},
    "str | None": {"type": ["string", "null"]},
    "dict": {"type": "object"},
    "list[str]": {"type": "array", "items": {"type": "string"}},
}
ENTRY_KEYS = tuple(f.name for f in dataclasses.fields(Entry))
# counts: never negative (a clock is at least 1 Hz)
COUNT_KEYS = (
    "cycles",
    "cycles_per_frame",
    "frames",
    "instructions",
    "flash_bytes",
    "ram_static_bytes",
    "stack_peak_bytes",
    "ram_peak_bytes",
    "clock_hz",
)
# what every measured entry (status pass or fail) has: null only in an error
MEASURED_KEYS = (
    "cycles",
    "cycles_per_frame",
    "flash_bytes",
    "ram_static_bytes",
    "stack_peak_bytes",
    "ram_peak_bytes",
    "clock_hz",
)


def entry_schema() -> dict:
    props = {f.name: dict(_JSON_TYPES[str(f.type)]) for f in dataclasses.fields(Entry)}
    props["status"] = {"enum": list(STATUSES)}
    for key in COUNT_KEYS:
        props[key]["minimum"] = 1 if key == "clock_hz" else 0
    return {
        "type": "object",
        "required": list(ENTRY_KEYS),
        "additionalProperties": False,
        "properties": props,
    }


def results_schema() -> dict:
    """The JSON Schema of a results file."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "mcubench results",
        "type": "object",
        "required": ["schema_version", "git_sha", "toolchain", "flags", "results"],
        "additionalProperties": False,
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "git_sha": {"type": "string"},
            "toolchain": {"type": "string"},
            "flags": {"type": "object"},
            "partial": {"type": "boolean"},
            "results": {"type": "array", "items": entry_schema()},
        },
    }

"""A sweep file: a base benchmark, the keys to vary (axes), how to pick points from
their grid, and the figure to maximise.

    [sweep]
    name = "py32_sed"
    base = "../py32_sed.toml"        # a benchmark file; every point changes some of its keys
    target = "py32f003"              # default: the base's first target
    objective = "accuracy_int8"      # a point figure to maximise (or { figure = ..., goal = "min" })
    sample = { kind = "grid" }       # or { kind = "random", n = 12, seed = 1 }
    accuracy_per_class = 50          # test clips a class for the model accuracies

    [set]                            # keys every point sets
    model = { family = "gru" }

    [axes]                           # key = [values]; "a.b" sets b in table a
    "model.family" = ["dct_mlp", "gru"]
    "model.width" = [8, 16]
    opt = ["-Os", "-O2"]

Keys are [benchmark] keys; "budgets.<target>.<key>" reaches the budgets; the axis "target"
runs points on different chips. Every point is
checked as a benchmark file would be when the sweep is loaded, so a typo in an axis is
one line naming the sweep file before anything runs.
"""

from __future__ import annotations

import copy
import itertools
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from mcubench.base.errors import ConfigError
from mcubench.base.paths import resolve
from mcubench.base.schema import Field, Source, check_table, one_of, positive
from mcubench.base.toml_files import parse_toml, read_text
from mcubench.bench.suite import Benchmark, load_benchmark


def _plain_name(v) -> str | None:
    """A sweep's name becomes file names (results, cache folder): no path in it."""
    ok = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", v) and ".." not in v
    return None if ok else "must be letters, digits, '_', '-' and '.' (it names files), no path"


SWEEP_FIELDS = {
    "name": Field("str", required=True, check=_plain_name),
    "base": Field("str", required=True),
    "target": Field("str"),
    "objective": Field("any"),
    "sample": Field("table"),
    "accuracy_per_class": Field("int", check=positive),
    "description": Field("str"),
}
TOP_FIELDS = {
    "sweep": Field("table", required=True),
    "axes": Field("table", required=True),
    "set": Field("table"),
}
SAMPLE_FIELDS = {
    "kind": Field("str", required=True, check=one_of("grid", "random")),
    "n": Field("int", check=positive),
    "seed": Field("int"),
}
MAX_POINTS = 10_000
# The figures of a point (sweep_run.py records them): what an objective may name.
ENTRY_FIGURES = (
    "cycles_per_frame",
    "cpu_load_pct",
    "clock_hz",
    "ram_peak_bytes",
    "ram_static_bytes",
    "stack_peak_bytes",
    "flash_bytes",
    "bit_exact",
)
ACCURACY_FIGURES = ("accuracy_float", "accuracy_int8", "accuracy_firmware", "segment_accuracy")
POINT_FIGURES = (*ENTRY_FIGURES, "deadline_misses", *ACCURACY_FIGURES)


@dataclass(frozen=True)
class Point:
    index: int
    values: dict  # axis key -> value
    data: dict  # the base file's tables with the point's keys set
    target: str = ""
    bench: Benchmark | None = None  # what `data` loads as (checked when the sweep is loaded)

    @property
    def label(self) -> str:
        return ", ".join(f"{k}={_show(v)}" for k, v in self.values.items())


@dataclass
class Sweep:
    name: str
    path: Path
    base: Path
    target: str
    objective: str
    maximise: bool
    axes: dict
    points: list = field(default_factory=list)
    accuracy_per_class: int = 50
    description: str = ""
    sample: dict = field(default_factory=dict)

    def benchmark(self, point: Point) -> Benchmark:
        return point.bench if point.bench is not None else load_benchmark(self.base, point.data)


def _show(v) -> str:
    return v if isinstance(v, str) else repr(v)


def _set(data: dict, key: str, value, where: str) -> None:
    """Set a dotted key in the [benchmark] table (or under budgets.)."""
    parts = key.split(".")
    table = data if parts[0] == "budgets" else data.setdefault("benchmark", {})
    for p in parts[:-1]:
        sub = table.setdefault(p, {})
        if not isinstance(sub, dict):
            raise ConfigError(f"{where}: {key!r}: {p} is {sub!r}, not a table (set it to a table in [set])")
        table = sub
    table[parts[-1]] = copy.deepcopy(value)


def _objective(value, src: Source) -> tuple[str, bool]:
    """(figure, maximise); a figure no point records is refused before anything runs."""
    if value is None:
        return "accuracy_int8", True
    if isinstance(value, str):
        figure, maximise = value, True
    elif isinstance(value, dict):
        check_table(
            value,
            {"figure": Field("str", required=True), "goal": Field("str", check=one_of("max", "min"))},
            src,
            "sweep.objective",
        )
        figure, maximise = value["figure"], value.get("goal", "max") == "max"
    else:
        raise ConfigError(
            f'{src.where("objective", "sweep")}: a figure name or {{ figure = ..., goal = "max" }}'
        )
    if figure not in POINT_FIGURES:
        raise ConfigError(
            f"{src.where('objective', 'sweep')}: unknown figure {figure!r}; valid: {', '.join(POINT_FIGURES)}"
        )
    return figure, maximise


def _choose(grid: list, sample: dict, src: Source) -> list:
    if sample.get("kind", "grid") == "grid":
        return grid
    n = sample.get("n")
    if n is None:
        raise ConfigError(f"{src.where('sample', 'sweep')}: a random sample needs n")
    rng = random.Random(sample.get("seed", 0))
    return sorted(rng.sample(range(len(grid)), min(n, len(grid))))


def load_sweep(path: Path) -> Sweep:
    path = Path(path)
    src = Source(path, read_text(path))
    data = parse_toml(path, "\n".join(src.lines))
    check_table(data, TOP_FIELDS, src, None)
    head = check_table(data["sweep"], SWEEP_FIELDS, src, "sweep")
    sample = check_table(head.get("sample", {"kind": "grid"}), SAMPLE_FIELDS, src, "sweep.sample")
    base = resolve(head["base"], path.parent)
    if not base.is_file():
        raise ConfigError(f"{src.where('base', 'sweep')}: {base} not found")
    base_data = parse_toml(base, read_text(base))
    first = load_benchmark(base, base_data)
    target = head.get("target", first.targets[0])
    axes = data["axes"]
    for key, values in axes.items():
        if not isinstance(values, list) or not values:
            raise ConfigError(f"{src.where(key, 'axes')}: an axis is a non-empty list of values")
    size = 1
    for values in axes.values():
        size *= len(values)
    if size > MAX_POINTS:
        raise ConfigError(
            f"{src.where(None, 'axes')}: {size} points (at most {MAX_POINTS}); use a random sample"
        )
    common = copy.deepcopy(base_data)
    for key, value in data.get("set", {}).items():
        _set(common, key, value, src.where(key, "set"))
    grid = list(itertools.product(*axes.values()))
    chosen = _choose(list(range(len(grid))), sample, src)
    objective, maximise = _objective(head.get("objective"), src)
    sweep = Sweep(
        head["name"],
        path,
        base,
        target,
        objective,
        maximise,
        axes,
        accuracy_per_class=head.get("accuracy_per_class", 50),
        description=head.get("description", ""),
        sample=dict(sample),
    )
    for i in chosen:
        values = dict(zip(axes, grid[i]))
        point_data = copy.deepcopy(common)
        point_target = values.get("target", target)
        for key, value in values.items():
            if key == "target":  # that chip only, with its budgets only
                point_data.setdefault("benchmark", {})["targets"] = [value]
                if isinstance(point_data.get("budgets"), dict):
                    point_data["budgets"] = {t: b for t, b in point_data["budgets"].items() if t == value}
            else:
                _set(point_data, key, value, src.where(key, "axes"))
        label = Point(i, values, point_data).label
        try:
            bench = load_benchmark(base, point_data)
        except ConfigError as exc:
            raise ConfigError(f"{src.where(None, 'axes')}: point {label}: {exc}") from None
        if point_target not in bench.targets:
            raise ConfigError(f"{src.where('target', 'sweep')}: {point_target!r} is not a target of {base}")
        if objective in ACCURACY_FIGURES and not _has_model(bench):
            raise ConfigError(
                f"{src.where('objective', 'sweep')}: the objective {objective!r} needs a model (an app "
                f"or sed_model), and point {label} has none; name a figure such as cycles_per_frame"
            )
        sweep.points.append(Point(i, values, point_data, point_target, bench))
    return sweep


def _has_model(bench: Benchmark) -> bool:
    """Whether a point's record will have accuracies (sweep_run.evaluate)."""
    return bool(bench.app or bench.sed_model or bench.reference in ("sed_model", "genre_model"))

"""The benchmark suite as data: one TOML file per benchmark in benchmarks/.

A file names the firmware sources and build options, the targets, the input
generator, the Python reference and tolerance, and budgets per target. Mistakes are
reported as one line with the file (and line, for TOML syntax errors); unknown
targets, generators, references and budget keys list the valid names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mcubench.apps.app import get_app
from mcubench.base.errors import ConfigError
from mcubench.base.paths import REPO_ROOT, SUITE_DIR
from mcubench.base.toml_files import load_toml
from mcubench.bench.budgets import BUDGET_KEYS
from mcubench.bench.references import REFERENCES
from mcubench.chip.targets import target_names
from mcubench.data.signals import GENERATORS
from mcubench.dsp.config import FFT_SIZES, load_configs
from mcubench.nn.registry import MODELS

DTYPES = {
    "int8": "<i1",
    "int16": "<i2",
    "int32": "<i4",
    "uint8": "<u1",
    "uint16": "<u2",
    "uint32": "<u4",
    "float32": "<f4",
}


@dataclass(frozen=True)
class Buffer:
    symbol: str
    dtype: str  # numpy dtype string


@dataclass(frozen=True)
class Benchmark:
    name: str
    path: Path
    description: str
    sources: tuple[Path, ...]
    targets: tuple[str, ...]
    opt: str = "-Os"
    defines: tuple[str, ...] = ()
    frames: int = 1
    frame_period_s: float | None = None  # real time one frame stands for (hop / sample_rate)
    input: Buffer | None = None
    output: Buffer | None = None
    generator: dict = field(default_factory=dict)
    reference: str | None = None
    budgets: dict = field(default_factory=dict)  # target -> {key: value}
    tables: str | None = None  # generated tables: a front-end config or "fftN"
    include_dirs: tuple[Path, ...] = ()
    sample_rate: int | None = None
    component_ram_symbols: tuple[str, ...] = ()  # RAM the component itself owns
    warmup_calls: int = 0  # unmeasured bench_run calls first (stateless kernels only)
    cmsis: str | None = None  # link CMSIS-DSP (harness/build/cmsis.py): "rfft_q15" or "mfcc_q15"
    sed_model: str | None = None  # a model of harness/nn/sed_models.py: its generated tables
    app: str | None = None  # a streaming application (firmware/apps/apps.toml), run by harness/apps/stream.py
    stream: dict = field(default_factory=dict)  # its audio: {wav = "path"} or {per_class, seconds} (demo)

    @property
    def frontend(self) -> str | None:
        return self.tables if self.tables and not self.tables.startswith("fft") else None


def _buffer(data, where) -> Buffer | None:
    if data is None:
        return None
    try:
        dtype = DTYPES[data.get("dtype", "int16")]
        return Buffer(data["symbol"], dtype)
    except KeyError as exc:
        raise ConfigError(
            f"{where}: buffer needs 'symbol' and a dtype in {', '.join(DTYPES)} ({exc})"
        ) from None


def _frame_period(bench: dict, where) -> float | None:
    rate, hop = bench.get("sample_rate"), bench.get("hop")
    if rate is None and hop is None:
        return None
    if not (isinstance(rate, (int, float)) and isinstance(hop, int) and rate > 0 and hop > 0):
        raise ConfigError(f"{where}: 'sample_rate' and 'hop' go together, as positive numbers")
    return hop / rate


def _cmsis(name, where) -> str | None:
    if name not in (None, "rfft_q15", "mfcc_q15"):
        raise ConfigError(f"{where}: unknown cmsis {name!r}; valid: rfft_q15, mfcc_q15")
    return name


def _tables(name, where) -> str | None:
    if name is None:
        return None

    valid = list(load_configs()) + [f"fft{n}" for n in FFT_SIZES]
    if name not in valid:
        raise ConfigError(f"{where}: unknown tables {name!r}; valid: {', '.join(valid)}")
    return name


def load_benchmark(path: Path) -> Benchmark:
    data = load_toml(path)
    bench = data.get("benchmark")
    if not isinstance(bench, dict):
        raise ConfigError(f"{path}: missing [benchmark] table")
    app = bench.get("app")
    try:
        name = bench["name"]
        if app is not None:  # an application brings its sources and its chip
            try:
                own = get_app(app).target
            except ConfigError as exc:
                raise ConfigError(f"{path}: {exc}") from None
            sources, targets = (), tuple(bench.get("targets", (own,)))
        else:
            sources = tuple(REPO_ROOT / s for s in bench["sources"])
            targets = tuple(bench["targets"])
    except KeyError as exc:
        raise ConfigError(f"{path}: [benchmark] needs {exc}") from None
    stream = bench.get("stream", {})
    if not isinstance(stream, dict) or set(stream) - {"wav", "per_class", "seconds"}:
        raise ConfigError(f"{path}: 'stream' takes wav, or per_class and seconds (a demo stream)")
    for t in targets:
        if t not in target_names():
            raise ConfigError(f"{path}: unknown target {t!r}; valid targets: {', '.join(target_names())}")
    gen = bench.get("generator", {})
    if gen and gen.get("kind") not in GENERATORS:
        raise ConfigError(f"{path}: unknown generator {gen.get('kind')!r}; valid: {', '.join(GENERATORS)}")
    model = bench.get("sed_model")
    if model is not None:
        if model not in MODELS:
            raise ConfigError(f"{path}: unknown sed_model {model!r}; valid: {', '.join(MODELS)}")
    ref = bench.get("reference")
    if ref is not None and ref not in REFERENCES:
        raise ConfigError(f"{path}: unknown reference {ref!r}; valid: {', '.join(REFERENCES)}")
    budgets = data.get("budgets", {})
    for t, b in budgets.items():
        if t not in targets:
            raise ConfigError(f"{path}: budgets for {t!r}, which is not in targets {list(targets)}")
        for key in b:
            if key not in BUDGET_KEYS:
                raise ConfigError(f"{path}: unknown budget {key!r} for {t}; valid: {', '.join(BUDGET_KEYS)}")
    return Benchmark(
        name=name,
        path=path,
        description=bench.get("description", ""),
        sources=sources,
        targets=targets,
        opt=bench.get("opt", "-Os"),
        defines=tuple(bench.get("defines", ())),
        frames=int(bench.get("frames", 1)),
        frame_period_s=_frame_period(bench, path),
        tables=_tables(bench.get("tables"), path),
        include_dirs=tuple(REPO_ROOT / d for d in bench.get("include", ())),
        sample_rate=bench.get("sample_rate"),
        component_ram_symbols=tuple(bench.get("component_ram_symbols", ())),
        warmup_calls=int(bench.get("warmup_calls", 0)),
        cmsis=_cmsis(bench.get("cmsis"), path),
        sed_model=bench.get("sed_model"),
        app=app,
        stream=stream,
        input=_buffer(bench.get("input"), path),
        output=_buffer(bench.get("output"), path),
        generator=gen,
        reference=ref,
        budgets=budgets,
    )


def load_suite(suite_dir: Path | None = None) -> list[Benchmark]:
    folder = Path(suite_dir) if suite_dir else SUITE_DIR
    benches = [load_benchmark(p) for p in sorted(folder.glob("*.toml"))]
    seen = set()
    for b in benches:
        if b.name in seen:
            raise ConfigError(f"{b.path}: benchmark name {b.name!r} is used twice")
        seen.add(b.name)
    return benches


def select(benches: list[Benchmark], names: list[str]) -> list[Benchmark]:
    if not names:
        return benches
    known = {b.name: b for b in benches}
    for n in names:
        if n not in known:
            raise ConfigError(f"unknown benchmark {n!r}; valid: {', '.join(sorted(known))}")
    return [known[n] for n in names]

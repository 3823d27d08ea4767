"""The benchmark suite as data: one TOML file per benchmark in benchmarks/.

A file names the firmware sources and build options, the targets, the input
generator, the Python reference and tolerance, and budgets per target. Mistakes are
reported as one line with the file (and line, for TOML syntax errors); unknown
targets, generators, references and budget keys list the valid names.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from mcubench.apps.app import get_app, list_apps
from mcubench.base.errors import ConfigError
from mcubench.base.imports import is_function_spec, load_function
from mcubench.base.paths import FIRMWARE_DIR, SHIPPED, SUITE_FILES_DIR, resolve
from mcubench.base.project import current
from mcubench.base.schema import Field, Source, at_least, check_table, one_of, positive
from mcubench.base.toml_files import parse_toml, read_text
from mcubench.bench.budgets import BUDGET_KEYS, BUDGETS
from mcubench.bench.reference_names import REFERENCE_NAMES
from mcubench.chip.targets import target_names
from mcubench.data.arrays import DTYPES
from mcubench.data.signals import GENERATORS, parameters
from mcubench.dsp.config import FFT_SIZES, get_config, load_configs, variant_name
from mcubench.nn import model_names


@dataclass(frozen=True)
class Buffer:
    symbol: str
    dtype: str  # numpy dtype string
    file: Path | None = None  # input: the data fed (.npy/.wav); output: the expected values


@dataclass(frozen=True)
class Benchmark:
    name: str
    path: Path
    description: str
    sources: tuple[Path, ...]
    targets: tuple[str, ...]
    opt: str = "-Os"
    defines: tuple[str, ...] = ()
    cflags: tuple[str, ...] = ()  # extra compiler flags (e.g. -Werror); never ones that change the CPU
    frames: int | None = None  # hops fed; default 1, or all of an input file
    frame_period_s: float | None = None  # real time one frame stands for (hop / sample_rate)
    input: Buffer | None = None
    output: Buffer | None = None
    generator: dict = field(default_factory=dict)
    reference: str | None = None  # a built-in name or "package.module:function"
    budgets: dict = field(default_factory=dict)  # target -> {key: value}
    tables: str | None = None  # generated tables: a front-end config or "fftN"
    include_dirs: tuple[Path, ...] = ()
    sample_rate: int | None = None
    component_ram_symbols: tuple[str, ...] = ()  # RAM the component itself owns
    warmup_calls: int = 0  # unmeasured bench_run calls first (stateless kernels only)
    cmsis: str | None = None  # link CMSIS-DSP (harness/mcubench/build/cmsis.py): "rfft_q15" or "mfcc_q15"
    microfrontend: bool = (
        False  # link the TFLite Micro audio front end (harness/mcubench/build/microfrontend.py)
    )
    sed_model: str | None = None  # a model of harness/mcubench/nn/sed_models.py: its generated tables
    app: str | None = (
        None  # a streaming application (firmware/apps/apps.toml), run by harness/mcubench/apps/stream.py
    )
    stream: dict = field(default_factory=dict)  # its audio: {wav = Path} or {per_class, seconds} (demo)
    app_overrides: dict = field(default_factory=dict)  # a seed app's frontend, model, opt for this run
    clock_hz: int | None = None  # run at this clock instead of the target's (its flash wait states too)
    tflite_model: Path | None = None  # `model = "x.tflite"`: a user's model, run by bench/model_run.py
    model_input: Path | None = None  # its input: int8 .npy steps or a 16 kHz WAV (wake-word features)
    weights_in_sram: bool = False

    @property
    def frontend(self) -> str | None:
        return self.tables if self.tables and not self.tables.startswith("fft") else None


OPT_LEVELS = ("-O0", "-O1", "-O2", "-O3", "-Os", "-Og", "-Oz")
_BUFFER = {"symbol": Field("str", required=True), "dtype": Field("str", check=one_of(*DTYPES))}
_INPUT = {**_BUFFER, "file": Field("str")}
_OUTPUT = {**_BUFFER, "expected": Field("str")}
_STREAM = {
    "wav": Field("str"),
    "per_class": Field("int", check=positive),
    "seconds": Field("number", check=positive),
}
BENCHMARK_FIELDS = {
    "name": Field("str", required=True),
    "description": Field("str"),
    "sources": Field("list[str]"),
    "targets": Field("list[str]"),
    "opt": Field("str", check=one_of(*OPT_LEVELS)),
    "defines": Field("list[str]"),
    "cflags": Field("list[str]", check=lambda v: _cflags_problem(v)),
    "include": Field("list[str]"),
    "frames": Field("int", check=positive),
    "sample_rate": Field("number", check=positive),
    "hop": Field("int", check=positive),
    "input": Field("table"),
    "output": Field("table"),
    "generator": Field("table"),
    "reference": Field("str"),
    "tables": Field("str"),
    "component_ram_symbols": Field("list[str]"),
    "warmup_calls": Field("int", check=at_least(0)),
    "cmsis": Field("str", check=one_of("rfft_q15", "mfcc_q15")),
    "microfrontend": Field("bool"),
    "sed_model": Field("str"),
    "app": Field("str"),
    "stream": Field("table"),
    "frontend": Field("any"),
    "model": Field("any"),
    "clock_hz": Field("int", check=positive),
    "model_input": Field("str"),
    "weights_in_sram": Field("bool"),
}
# flags a benchmark may not set: the core (ARMv6-M, Thumb, soft float) and the -O level
# (its own key) are mcubench's
_RESERVED_FLAGS = ("-mcpu", "-march", "-mtune", "-marm", "-mthumb", "-mfloat-abi", "-mfpu", "-O")


def _cflags_problem(flags: list[str]) -> str | None:
    for f in flags:
        if f.startswith(_RESERVED_FLAGS):
            return f"{f!r} is mcubench's to set (the core is a Cortex-M0+; the -O level is 'opt')"
    return None


APP_KEYS = ("frontend", "model")  # a seed app's, replaced for this benchmark
TOP_FIELDS = {"benchmark": Field("table", required=True), "budgets": Field("table")}


def _buffer(data, src: Source, table: str, fields: dict, file_key: str) -> Buffer | None:
    if data is None:
        return None
    check_table(data, fields, src, table)
    file = data.get(file_key)
    path = resolve(file, src.path.parent) if file else None
    if path is not None and not path.is_file():
        raise ConfigError(f"{src.where(file_key, table)}: {path} not found")
    return Buffer(data["symbol"], DTYPES[data.get("dtype", "int16")], path)


def _sources(paths, src: Source) -> tuple[Path, ...]:
    """Paths relative to the file that names them ("mcubench:..." for mcubench's own
    firmware). A missing source is the build's error, so the other benchmarks still run."""
    return tuple(resolve(p, src.path.parent) for p in paths)


def _frame_period(bench: dict, src: Source) -> float | None:
    rate, hop = bench.get("sample_rate"), bench.get("hop")
    if rate is None and hop is None:
        return None
    if rate is None or hop is None:
        raise ConfigError(
            f"{src.where('hop' if hop is None else 'sample_rate', 'benchmark')}: "
            "'sample_rate' and 'hop' go together"
        )
    return hop / rate


def _known(kind: str, name, valid, src: Source, key: str, table: str = "benchmark"):
    if name is not None and is_function_spec(name) and kind in ("reference", "generator"):
        load_function(name, src.where(key, table))  # the project's own: it must import
        return name
    if name is not None and name not in valid:
        raise ConfigError(f"{src.where(key, table)}: unknown {kind} {name!r}; valid: {', '.join(valid)}")
    return name


def _budgets(data: dict, targets, src: Source) -> dict:
    check_table(data, {}, src, "budgets", extra=lambda t, v: None)
    for target, table in data.items():
        if target not in targets:
            raise ConfigError(
                f"{src.where(None, f'budgets.{target}')}: budgets for {target!r}, "
                f"which is not in targets {list(targets)}"
            )
        fields = {
            k: Field(
                "bool" if BUDGETS[k].kind == "flag" else "number",
                check=None if BUDGETS[k].kind == "flag" else at_least(0),
            )
            for k in BUDGET_KEYS
        }
        check_table(table, fields, src, f"budgets.{target}", noun="budget")
    return data


def _model(name, src: Source, key: str, table: str = "benchmark") -> None:
    if name is not None:
        try:
            model_names.canonical(name)
        except ConfigError as exc:
            raise ConfigError(f"{src.where(key, table)}: {exc}") from None


def _frontend_name(value, src: Source) -> str:
    """`frontend = "py32_1k"` or a variant: `{ base = "py32_1k", n_mels = 24, hop = 256 }`."""
    try:
        if isinstance(value, str):
            get_config(value)
            return value
        if isinstance(value, dict) and isinstance(value.get("base"), str):
            return variant_name(value["base"], **{k: v for k, v in value.items() if k != "base"})
    except ConfigError as exc:
        raise ConfigError(f"{src.where('frontend', 'benchmark')}: {exc}") from None
    raise ConfigError(
        f"{src.where('frontend', 'benchmark')}: a configuration name or {{ base = ..., key = value }}"
    )


def _model_name(value, frontend: str, src: Source) -> str:
    """`model = "gru"` (or any registry name) or `{ family = "gru", width = 24 }`: a
    sound-event model trained on the app's front end."""
    try:
        if (
            isinstance(value, str) and model_names.is_variant_name(value) and "@" not in value
        ):  # gru, tcn/12: for this front end
            v = model_names.parse(value)
            return model_names.make(v.family, v.width, frontend).name
        if isinstance(value, str):
            return model_names.canonical(value)
        if isinstance(value, dict) and set(value) <= {"family", "width"} and "family" in value:
            return model_names.make(value["family"], value.get("width"), frontend).name
    except ConfigError as exc:
        raise ConfigError(f"{src.where('model', 'benchmark')}: {exc}") from None
    raise ConfigError(f"{src.where('model', 'benchmark')}: a model name or {{ family = ..., width = N }}")


def _app_overrides(bench: dict, app: str | None, src: Source) -> dict:
    given = [k for k in APP_KEYS if k in bench]
    if not given:
        return {}
    base = get_app(app) if app is not None else None
    if base is None or not base.seed:
        raise ConfigError(f"{src.where(given[0], 'benchmark')}: {given[0]} goes with a seed app (app = ...)")
    frontend = _frontend_name(bench["frontend"], src) if "frontend" in bench else base.frontend
    out = {"frontend": frontend}
    if frontend is None:  # a seed app always has a front end
        raise ConfigError(f"{src.where(given[0], 'benchmark')}: {given[0]} needs an app with a front end")
    if "model" in bench or frontend != base.frontend:
        out["model"] = _model_name(bench.get("model", base.model), frontend, src)
    if "opt" in bench:
        out["opt"] = bench["opt"]
    return out


def _tflite(bench: dict, app: str | None, path: Path, src: Source) -> Path | None:
    """`model = "kws.tflite"` (no app): the user's model, relative to the benchmark file."""
    value = bench.get("model")
    if app is not None or not isinstance(value, str) or not value.lower().endswith(".tflite"):
        if "model_input" in bench or "weights_in_sram" in bench:
            key = "model_input" if "model_input" in bench else "weights_in_sram"
            raise ConfigError(f'{src.where(key, "benchmark")}: {key} goes with model = "FILE.tflite"')
        return None
    model = resolve(value, path.parent)
    if not model.is_file():
        raise ConfigError(f"{src.where('model', 'benchmark')}: no such .tflite file: {model}")
    return model


def load_benchmark(path: Path, data: dict | None = None) -> Benchmark:
    """A benchmark file, or `data` standing for its contents (a sweep's point: the base
    file with some keys changed; errors still name the file)."""
    src = Source(path, read_text(path))
    if data is None:
        data = parse_toml(path, "\n".join(src.lines))
    check_table(data, TOP_FIELDS, src, None)
    bench = check_table(data["benchmark"], BENCHMARK_FIELDS, src, "benchmark")
    app = _known("app", bench.get("app"), list_apps(), src, "app")
    tflite_model = _tflite(bench, app, path, src)
    if tflite_model is not None:  # C generated from the model: no sources
        if "targets" not in bench:
            raise ConfigError(f"{src.where(None, 'benchmark')}: [benchmark] needs 'targets'")
        sources, targets = (), tuple(bench["targets"])
    elif app is not None:  # an application brings its sources and its chip
        sources, targets = (), tuple(bench.get("targets", (get_app(app).target,)))
    else:
        for key in ("sources", "targets"):
            if key not in bench:
                raise ConfigError(f"{src.where(None, 'benchmark')}: [benchmark] needs {key!r}")
        sources, targets = _sources(bench["sources"], src), tuple(bench["targets"])
    stream = dict(check_table(bench.get("stream", {}), _STREAM, src, "benchmark.stream"))
    if "wav" in stream:
        stream["wav"] = resolve(stream["wav"], path.parent)
    for t in targets:
        _known("target", t, target_names(), src, "targets")
    gen = bench.get("generator", {})
    if gen:
        check_table(
            gen, {"kind": Field("str", required=True)}, src, "benchmark.generator", extra=lambda k, v: None
        )
        _known("generator", gen["kind"], list(GENERATORS), src, "kind", "benchmark.generator")
        params = {p: Field("any") for p in parameters(gen["kind"])}
        check_table(gen, {"kind": Field("str"), **params}, src, "benchmark.generator")
    _model(bench.get("sed_model"), src, "sed_model")
    ref = _known("reference", bench.get("reference"), list(REFERENCE_NAMES), src, "reference")
    tables = _known(
        "tables", bench.get("tables"), list(load_configs()) + [f"fft{n}" for n in FFT_SIZES], src, "tables"
    )
    return Benchmark(
        name=bench["name"],
        path=path,
        description=bench.get("description", ""),
        sources=sources,
        targets=targets,
        opt=bench.get("opt", "-Os"),
        defines=tuple(bench.get("defines", ())),
        cflags=tuple(bench.get("cflags", ())),
        frames=bench.get("frames"),
        frame_period_s=_frame_period(bench, src),
        tables=tables,
        include_dirs=_sources(bench.get("include", ()), src),
        sample_rate=bench.get("sample_rate"),
        component_ram_symbols=tuple(bench.get("component_ram_symbols", ())),
        warmup_calls=bench.get("warmup_calls", 0),
        cmsis=bench.get("cmsis"),
        microfrontend=bench.get("microfrontend", False),
        sed_model=bench.get("sed_model"),
        app=app,
        app_overrides=_app_overrides(
            {k: v for k, v in bench.items() if k != "model" or not tflite_model}, app, src
        ),
        tflite_model=tflite_model,
        model_input=resolve(bench["model_input"], path.parent) if "model_input" in bench else None,
        weights_in_sram=bench.get("weights_in_sram", False),
        clock_hz=bench.get("clock_hz"),
        stream=stream,
        input=_buffer(bench.get("input"), src, "benchmark.input", _INPUT, "file"),
        output=_buffer(bench.get("output"), src, "benchmark.output", _OUTPUT, "expected"),
        generator=gen,
        reference=ref,
        budgets=_budgets(data.get("budgets", {}), targets, src),
    )


def load_suite(suite_dir: Path | None = None) -> list[Benchmark]:
    """The benchmarks of a suite folder (default: the project's suite)."""
    folder = Path(suite_dir) if suite_dir else current().require("the suite").suite_dir
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such suite folder")
    benches = [load_benchmark(p) for p in sorted(folder.glob("*.toml"))]
    if not benches:
        raise ConfigError(f"{folder}: no benchmark files (*.toml)")
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


# What a benchmark's figures depend on besides the code: everything in its file but its
# name, description, targets and budgets.
_NOT_DEFINITION = ("name", "path", "description", "targets", "budgets")


def _portable(value):
    """A definition value as JSON that is the same in every checkout: paths relative to
    the project (or mcubench's own firmware and suite), tuples as lists."""
    if isinstance(value, Path):
        root = current().root
        for base, prefix in ((FIRMWARE_DIR, SHIPPED), (SUITE_FILES_DIR, "mcubench-suite:"), (root, "")):
            if base is not None and value.is_relative_to(base):
                return prefix + value.relative_to(base).as_posix()
        return value.as_posix()
    if dataclasses.is_dataclass(value):
        return {f.name: _portable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _portable(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_portable(v) for v in value]
    return value


def definition(bench: Benchmark) -> dict:
    """What was measured, for the results entry: the gate compares a benchmark's figures
    with the baseline's only while this is the same (frames, hop, input, sources...)."""
    return {
        f.name: _portable(getattr(bench, f.name))
        for f in dataclasses.fields(bench)
        if f.name not in _NOT_DEFINITION
    }

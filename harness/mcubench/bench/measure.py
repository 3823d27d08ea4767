"""Measure one benchmark on one target: build, load, feed inputs frame by frame, call,
check against the reference, and read off cycles, stack, RAM and flash as a results
entry held against the benchmark's budgets."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from mcubench.apps.app_firmware import build_app
from mcubench.base.errors import ConfigError
from mcubench.base.paths import FIRMWARE_DIR
from mcubench.bench import model_run
from mcubench.bench.app_bench import bench_app, measure_app
from mcubench.bench.budgets import judge
from mcubench.bench.outcome import Measured
from mcubench.bench.references import expected_from_file, reference_function
from mcubench.bench.suite import Benchmark, definition
from mcubench.build import cmsis, microfrontend
from mcubench.build.compile import BuildSpec, build
from mcubench.chip.targets import Target, load_target
from mcubench.data.arrays import read_array
from mcubench.data.signals import generate
from mcubench.dsp import frontend as fm
from mcubench.dsp.config import get_config
from mcubench.dsp.frontend_tables import write_header
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.machine import Machine
from mcubench.emu.sizes import sizes
from mcubench.nn.registry import header_dir
from mcubench.results.entry import Entry
from mcubench.tflite import codegen


def accuracy(out: np.ndarray, ref: np.ndarray) -> tuple[float | None, int, bool]:
    """(SNR in dB or None when exact, max |error|, exact)."""
    err = out.astype(np.float64) - ref.astype(np.float64)
    noise = float(np.sum(err**2))
    signal = float(np.sum(ref.astype(np.float64) ** 2))
    snr = None if noise == 0 else (10 * math.log10(signal / noise) if signal > 0 else -math.inf)
    return snr, int(np.max(np.abs(err))) if err.size else 0, noise == 0


def build_spec(bench: Benchmark) -> BuildSpec:
    """The build of a kernel benchmark: its sources plus generated tables, a model's
    header or CMSIS-DSP's sources, as the benchmark asks."""
    include, sources, defines = tuple(bench.include_dirs), tuple(bench.sources), tuple(bench.defines)
    if bench.tables:
        include = (write_header(bench.tables),) + include
    if bench.sed_model:
        include = (header_dir(bench.sed_model),) + include
    if bench.cmsis:
        tree = cmsis.root()
        sources += cmsis.mfcc_sources(tree) if bench.cmsis == "mfcc_q15" else cmsis.rfft_sources(tree)
        defines += cmsis.DEFINES
        include += ((cmsis.mfcc_header(),) if bench.cmsis == "mfcc_q15" else ()) + cmsis.include_dirs(tree)
    if bench.microfrontend:
        tree = microfrontend.root()
        sources += microfrontend.sources(tree)
        include += microfrontend.include_dirs(tree)
    return BuildSpec(
        bench.name, sources, opt=bench.opt, defines=defines, cflags=bench.cflags, include_dirs=include
    )


def _short_warning(line: str) -> str:
    """A compiler warning with its file's folder taken out (the same on every machine)."""
    path, sep, rest = line.partition(":")
    return Path(path).name + sep + rest


def bench_elf(bench: Benchmark, target_name: str):
    """The ELF a benchmark measures on a target (built, or found in the build cache): what
    `mcubench inspect --bench` looks at."""
    if bench.app:
        return build_app(bench_app(bench), target_name)
    if bench.tflite_model is not None:
        return model_run.firmware(
            codegen.generate(bench.tflite_model, bench.weights_in_sram), load_target(target_name)
        )
    return build(build_spec(bench), load_target(target_name)).elf


def empty_sizes(target: Target, opt: str):
    """Sizes of the empty benchmark (startup + entry only) at the benchmark's -O level."""
    spec = BuildSpec("empty", (FIRMWARE_DIR / "bench" / "empty.c",), opt=opt)
    return sizes(ElfImage.load(build(spec, target).elf), target)


def load(bench: Benchmark, target: Target) -> tuple[ElfImage, Machine, list[str]]:
    """The benchmark built, loaded and initialised (bench_init has run), and the
    compiler's warnings."""
    result = build(build_spec(bench), target)
    image = ElfImage.load(result.elf)
    machine = Machine(image, target)
    machine.call("bench_init")
    return image, machine, result.warnings


def bench_input(bench: Benchmark, image: ElfImage) -> np.ndarray | None:
    """The whole input signal: the generator's samples for every frame, or the input
    file's (all of it, or the first `frames` hops)."""
    if not bench.input:
        return None
    hop = image.symbol(bench.input.symbol, "object").size // np.dtype(bench.input.dtype).itemsize
    if bench.input.file is None:
        return generate(bench.generator, hop * (bench.frames or 1), bench.sample_rate or 16000)
    x = read_array(bench.input.file, bench.input.dtype)
    frames = bench.frames or len(x) // hop
    if frames == 0 or len(x) < frames * hop:
        raise ConfigError(
            f"{bench.input.file}: {len(x)} values, fewer than {max(frames, 1)} hop(s) of "
            f"{hop} ({bench.input.symbol})"
        )
    return x[: frames * hop]


def frame_count(bench: Benchmark, hop: int, x) -> int:
    return len(x) // hop if bench.input and hop else (bench.frames or 1)


def feed(machine: Machine, bench: Benchmark, image: ElfImage, x):
    """Feed the input one frame at a time (bench_input holds one hop); returns the
    outputs of every call, the per-call results."""
    outputs, calls = [], []
    hop = 0
    if bench.input:
        hop = image.symbol(bench.input.symbol, "object").size // np.dtype(bench.input.dtype).itemsize
    for _ in range(bench.warmup_calls):  # e.g. a warm RP2040 XIP cache, for stateless kernels
        if bench.input:
            machine.write_array(bench.input.symbol, x[:hop], bench.input.dtype)
        machine.call("bench_run")
    for f in range(frame_count(bench, hop, x)):
        if bench.input:
            machine.write_array(bench.input.symbol, x[f * hop : (f + 1) * hop], bench.input.dtype)
        calls.append(machine.call("bench_run"))
        if bench.output:
            outputs.append(machine.read_array(bench.output.symbol, bench.output.dtype))
    return (np.concatenate(outputs) if outputs else None), calls


def measure_kernel(bench: Benchmark, target_name: str) -> Entry:
    """Everything about one kernel benchmark on one target, as a results entry."""
    entry = Entry(bench.name, target_name)
    target = load_target(target_name)
    if bench.clock_hz:
        target = target.with_clock(bench.clock_hz)
    image, machine, warnings = load(bench, target)
    x = bench_input(bench, image)
    out, calls = feed(machine, bench, image, x)
    rep, empty = sizes(image, target), empty_sizes(target, bench.opt)
    total = sum(c.cycles for c in calls)
    per_frame = max(c.cycles for c in calls)  # the worst frame is what real time must hold
    stack = max(c.stack_peak_bytes for c in calls)
    if bench.frame_period_s:
        entry.cpu_load_pct = round(100 * per_frame / (target.clock_hz * bench.frame_period_s), 3)
    entry.cycles, entry.cycles_per_frame, entry.clock_hz = total, per_frame, target.clock_hz
    entry.frames = len(calls)
    entry.instructions = sum(c.instructions for c in calls)
    entry.flash_bytes, entry.flash_net_bytes = rep.flash_bytes, rep.flash_bytes - empty.flash_bytes
    entry.ram_static_bytes, entry.stack_peak_bytes = rep.ram_static_bytes, stack
    entry.ram_peak_bytes = rep.ram_static_bytes + stack
    entry.extra = {
        "code_net_bytes": rep.text_bytes - empty.text_bytes,
        "tables_net_bytes": rep.rodata_bytes - empty.rodata_bytes,
    }
    if warnings:  # shown, never swallowed; `cflags = ["-Werror"]` makes them errors
        entry.extra["compiler_warnings"] = len(warnings)
        entry.extra["first_compiler_warning"] = _short_warning(warnings[0])
    if len(calls) > 1:
        entry.extra["cycles_per_frame_min"] = min(c.cycles for c in calls)
        entry.extra["cycles_per_frame_mean"] = total // len(calls)
    if bench.component_ram_symbols:
        owned = sum(image.symbol(n, "object").size for n in bench.component_ram_symbols)
        entry.extra["component_ram_bytes"] = owned + stack
    expected = None
    if out is None or bench.output is None:  # no output buffer: nothing to compare
        pass
    elif bench.output.file is not None:
        expected = expected_from_file(bench.output.file, bench.output.dtype)
    elif bench.reference and x is not None:
        expected = reference_function(bench.reference)(image, x, bench)
    if expected is not None and out is not None and bench.output is not None:
        if len(expected.exact) != len(out):  # a short reference would check only a prefix
            source = bench.output.file or f"reference {bench.reference!r}"
            raise ConfigError(
                f"{bench.name}: {source} has {len(expected.exact)} values, the firmware gave {len(out)} "
                f"({bench.output.symbol} over every call): every output value must be checked"
            )
        snr, max_err, exact = accuracy(out, expected.exact)
        entry.snr_db, entry.max_abs_err, entry.bit_exact = (
            None if snr is None else round(snr, 2),
            max_err,
            exact,
        )
        if expected.float_metrics:
            scores = expected.float_metrics(out)
            entry.extra.update(scores.pop("extra", {}))
            for key in ("snr_db", "max_abs_err"):
                if scores.get(key) is not None:
                    setattr(entry, key, round(float(scores[key]), 4))
    return entry


def measure_tflite(bench: Benchmark, target_name: str) -> Entry:
    """A user's .tflite model (`model = "x.tflite"`): generated, built and run on the chip
    step by step (frames = steps), every operator held to TFLite Micro's interpreter."""
    entry = Entry(bench.name, target_name)
    target = load_target(target_name)
    if bench.clock_hz:
        target = target.with_clock(bench.clock_hz)
    path = bench.tflite_model
    x = model_run.read_steps(path, bench.model_input, bench.frames) if bench.model_input else None
    r = model_run.run(path, target, x, steps=bench.frames or 1, weights_in_sram=bench.weights_in_sram)
    empty = empty_sizes(target, "-O2")
    entry.cycles, entry.cycles_per_frame, entry.clock_hz = (
        r.total_cycles,
        r.worst_step_cycles,
        target.clock_hz,
    )
    entry.flash_bytes, entry.flash_net_bytes = r.flash_bytes, r.flash_bytes - empty.flash_bytes
    entry.frames = r.steps
    entry.ram_static_bytes, entry.stack_peak_bytes = r.ram_static_bytes, r.stack_peak_bytes
    entry.ram_peak_bytes = r.ram_static_bytes + r.stack_peak_bytes
    entry.bit_exact = r.bit_exact
    if bench.frame_period_s:
        entry.cpu_load_pct = round(100 * r.worst_step_cycles / (target.clock_hz * bench.frame_period_s), 3)
    macs = sum(o.macs for o in r.ops)
    entry.extra = {
        "steps": r.steps,
        "macs": macs,
        "weight_bytes": r.weight_bytes,
        "code_bytes": r.code_bytes,
        "arena_bytes": r.arena_bytes,
        "state_bytes": r.state_bytes,
        "cycles_per_frame_mean": r.cycles,
    }
    first = next((o for o in r.ops if not o.bit_exact), None)
    if first is not None:
        entry.extra["first_difference"] = {"op": first.index, "name": first.name, **(first.first_diff or {})}
    return entry


def measure(bench: Benchmark, target_name: str) -> Measured:
    """One benchmark on one target, judged against its budgets."""
    if bench.tflite_model is not None:
        measured = Measured(measure_tflite(bench, target_name))
    elif bench.app:
        measured = measure_app(bench, target_name)
    else:
        measured = Measured(measure_kernel(bench, target_name))
    measured.entry.definition = definition(bench)
    judge(measured.entry, bench.budgets.get(target_name, {}))
    return measured


def logmel_picture(bench: Benchmark, target_name: str = "py32f003") -> dict:
    """A front-end benchmark run in the emulator, with the float log-mel of the same
    frames: the data of report.charts.logmel_chart."""
    assert bench.frontend is not None  # only front-end benchmarks are charted
    cfg = get_config(bench.frontend)
    target = load_target(target_name)
    image, machine, _ = load(bench, target)
    x = generate(bench.generator, cfg.hop * (bench.frames or 1), cfg.sample_rate)
    out, _ = feed(machine, bench, image, x)
    if out is None:
        raise ConfigError(f"{bench.name}: a front-end benchmark needs an output buffer")
    frames = fm.frames_of(cfg, x)
    return {
        "fw": out.reshape(len(frames), -1)[:, : cfg.n_mels] / 256.0,
        "ref": fm.logmel_float_db(cfg, frames),
        "hop": cfg.hop,
        "target": target_name,
        "title": f"{bench.name}: {bench.description}",
    }

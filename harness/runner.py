"""Run benchmarks: build, load, feed inputs, call, check against the reference,
measure, and hold the figures against the budgets. One benchmark x target per job,
in parallel across cores; an error in one never stops the others.
"""

from __future__ import annotations

import math
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from . import report
from .build import BuildSpec, build
from .elf_image import ElfImage
from .errors import McubenchError
from .machine import Machine
from .metrics import sizes
from .frontend_tables import write_header
from .references import REFERENCES
from .signals import generate
from .targets import FIRMWARE_DIR
from .runner_metrics import BUDGET_COLUMNS
from .results import RESULTS_DIR, document, empty_entry, write_atomic, write_json
from .suite import Benchmark, load_suite, select
from .targets import load_target


def _accuracy(out: np.ndarray, ref: np.ndarray) -> tuple[float | None, int, bool]:
    err = out.astype(np.float64) - ref.astype(np.float64)
    noise = float(np.sum(err ** 2))
    signal = float(np.sum(ref.astype(np.float64) ** 2))
    snr = None if noise == 0 else (10 * math.log10(signal / noise) if signal > 0 else -math.inf)
    return snr, int(np.max(np.abs(err))) if err.size else 0, noise == 0


def _spec(bench: Benchmark, target) -> BuildSpec:
    include, sources, defines = tuple(bench.include_dirs), tuple(bench.sources), tuple(bench.defines)
    if bench.tables:
        include = (write_header(bench.tables),) + include
    if bench.sed_model:
        from .sed_models import header_dir
        include = (header_dir(bench.sed_model),) + include
    if bench.cmsis:
        from . import cmsis
        tree = cmsis.root()
        sources += cmsis.mfcc_sources(tree) if bench.cmsis == "mfcc_q15" else cmsis.rfft_sources(tree)
        defines += cmsis.DEFINES
        include += ((cmsis.mfcc_header(),) if bench.cmsis == "mfcc_q15" else ()) + cmsis.include_dirs(tree)
    return BuildSpec(bench.name, sources, opt=bench.opt, defines=defines, include_dirs=include)


def _empty_sizes(target, opt: str):
    """Sizes of the empty benchmark (startup + entry only) at the benchmark's -O level."""
    spec = BuildSpec("empty", (FIRMWARE_DIR / "bench" / "empty.c",), opt=opt)
    return sizes(ElfImage.load(build(spec, target).elf), target)


def _stream(machine: Machine, bench: Benchmark, image, x):
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
    for f in range(bench.frames):
        if bench.input:
            machine.write_array(bench.input.symbol, x[f * hop:(f + 1) * hop], bench.input.dtype)
        calls.append(machine.call("bench_run"))
        if bench.output:
            outputs.append(machine.read_array(bench.output.symbol, bench.output.dtype))
    return (np.concatenate(outputs) if outputs else None), calls


def measure(bench: Benchmark, target_name: str) -> dict:
    """Everything about one benchmark on one target, as a results entry."""
    if bench.app:
        from .stream_bench import measure_app
        return _judge(measure_app(bench, target_name), bench, target_name)
    entry = empty_entry(bench.name, target_name)
    target = load_target(target_name)
    image = ElfImage.load(build(_spec(bench, target), target).elf)
    machine = Machine(image, target)
    machine.call("bench_init")
    x = None
    if bench.input:
        hop = image.symbol(bench.input.symbol, "object").size // np.dtype(bench.input.dtype).itemsize
        x = generate(bench.generator, hop * bench.frames, bench.sample_rate or 16000)
    out, calls = _stream(machine, bench, image, x)
    rep, empty = sizes(image, target), _empty_sizes(target, bench.opt)
    total = sum(c.cycles for c in calls)
    per_frame = max(c.cycles for c in calls)  # the worst frame is what real time must hold
    stack = max(c.stack_peak_bytes for c in calls)
    load = None
    if bench.frame_period_s:
        load = round(100 * per_frame / (target.clock_hz * bench.frame_period_s), 3)
    entry.update(
        cycles=total, cycles_per_frame=per_frame, clock_hz=target.clock_hz, cpu_load_pct=load,
        instructions=sum(c.instructions for c in calls), flash_bytes=rep.flash_bytes,
        flash_net_bytes=rep.flash_bytes - empty.flash_bytes,
        ram_static_bytes=rep.ram_static_bytes, stack_peak_bytes=stack,
        ram_peak_bytes=rep.ram_static_bytes + stack)
    entry["extra"] = {"code_net_bytes": rep.text_bytes - empty.text_bytes,
                      "tables_net_bytes": rep.rodata_bytes - empty.rodata_bytes}
    if bench.frames > 1:
        entry["extra"]["cycles_per_frame_min"] = min(c.cycles for c in calls)
        entry["extra"]["cycles_per_frame_mean"] = total // len(calls)
    if bench.component_ram_symbols:
        owned = sum(image.symbol(n, "object").size for n in bench.component_ram_symbols)
        entry["extra"]["component_ram_bytes"] = owned + stack
    if out is not None and bench.reference:
        expected = REFERENCES[bench.reference](image, x, bench)
        snr, max_err, exact = _accuracy(out[: len(expected.exact)], expected.exact)
        entry.update(snr_db=None if snr is None else round(snr, 2), max_abs_err=max_err, bit_exact=exact)
        if expected.float_metrics:
            scores = expected.float_metrics(out[: len(expected.exact)])
            entry["extra"].update(scores.pop("extra", {}))
            for key in ("snr_db", "max_abs_err"):
                if scores.get(key) is not None:
                    entry[key] = round(float(scores[key]), 4)
    return _judge(entry, bench, target_name)


def _judge(entry: dict, bench: Benchmark, target_name: str) -> dict:
    budgets = bench.budgets.get(target_name, {})
    entry["budgets"] = budgets
    entry["violations"] = check_budgets(entry, budgets)
    entry["status"] = "fail" if entry["violations"] else "pass"
    return entry


BUDGET_METRIC = {budget: metric for _, metric, budget in BUDGET_COLUMNS}
BUDGET_METRIC.update(max_cycles="cycles", max_flash_net_bytes="flash_net_bytes", max_abs_err="max_abs_err",
                     max_cpu_load_pct="cpu_load_pct")


def check_budgets(entry: dict, budgets: dict) -> list[str]:
    out = []
    for key, limit in budgets.items():
        if key in BUDGET_METRIC:
            value = entry[BUDGET_METRIC[key]]
            if value is None or value > limit:
                out.append(f"{BUDGET_METRIC[key]} {value} > {key} {limit}")
        elif key == "min_snr_db":
            snr = entry["snr_db"]
            if not entry["bit_exact"] and (snr is None or snr < limit):
                out.append(f"snr_db {snr} < min_snr_db {limit}")
        elif key == "max_deadline_misses":
            value = entry["extra"].get("deadline_misses")
            if value is None or value > limit:
                out.append(f"deadline_misses {value} > {key} {limit}")
        elif key == "max_component_ram_bytes":
            value = entry["extra"].get("component_ram_bytes")
            if value is None or value > limit:
                out.append(f"component_ram_bytes {value} > {key} {limit}")
        elif key == "bit_exact" and limit and not entry["bit_exact"]:
            out.append(f"not bit-exact (max_abs_err {entry['max_abs_err']})")
    return out


def run_one(job: tuple[Benchmark, str]) -> dict:
    bench, target = job
    try:
        return measure(bench, target)
    except McubenchError as exc:
        entry = empty_entry(bench.name, target)
        entry["error"] = str(exc)
        return entry
    except Exception as exc:  # an internal error in one job must not lose the others
        entry = empty_entry(bench.name, target)
        entry["error"] = f"internal error: {type(exc).__name__}: {exc}"
        return entry


def _progress(done: int, total: int, entry: dict, stream) -> None:
    """One line per finished job; on a terminal, a bar that redraws in place."""
    label = f"{entry['bench']} on {entry['target']}: {entry['status']}"
    if stream.isatty():
        width = 24
        filled = width * done // total
        end = "\n" if done == total else ""
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label:50}{end}")
    else:
        stream.write(f"[{done}/{total}] {label}\n")
    stream.flush()


def run_suite(benches: list[Benchmark], targets: list[str], jobs: int | None = None,
              progress=None) -> list[dict]:
    work = [(b, t) for b in benches for t in b.targets if not targets or t in targets]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(work)))
    entries = []

    def done(entry):
        entries.append(entry)
        if progress is not None:
            _progress(len(entries), len(work), entry, progress)

    if jobs == 1:
        for w in work:
            done(run_one(w))
        return entries
    with ProcessPoolExecutor(jobs) as pool:
        for fut in as_completed([pool.submit(run_one, w) for w in work]):
            done(fut.result())
    return entries


def run_suite_command(args) -> int:
    for t in args.target:
        load_target(t)  # unknown target: one line listing the valid ones
    benches = select(load_suite(Path(args.suite) if args.suite else None), args.bench)
    entries = run_suite(benches, args.target, args.jobs, progress=sys.stderr)
    doc = document(entries)
    write_json(Path(args.json) if args.json else RESULTS_DIR / "latest.json", doc)
    write_atomic(Path(args.markdown) if args.markdown else RESULTS_DIR / "latest.md", report.markdown(doc))
    if args.junit:
        write_atomic(Path(args.junit), report.junit(doc))
    print(report.table(doc, color=sys.stdout.isatty()))
    for e in doc["results"]:
        if e["status"] == "error":
            print(f"mcubench: {e['bench']} on {e['target']}: {e['error']}", file=sys.stderr)
    statuses = {e["status"] for e in doc["results"]}
    return 2 if "error" in statuses else 1 if "fail" in statuses else 0

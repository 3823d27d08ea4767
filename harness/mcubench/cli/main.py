"""The `mcubench` command line: one sub-command per job, dispatched from a table.

Every user-facing failure is one line on stderr and exit code 2; a budget that does
not hold is exit code 1. Set MCUBENCH_DEBUG=1 to see a traceback for internal errors.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import signal
import sys

from mcubench import __version__
from mcubench.base.errors import Interrupted, McubenchError
from mcubench.cli.output_paths import check_output_paths
from mcubench.emu import deadline


def _int(text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def _int_in(lo: int, hi: int):
    """An integer option that must lie in [lo, hi]: nothing wraps or means the default."""

    def parse(text: str) -> int:
        value = _int(text)
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{text} is outside {lo}..{hi}")
        return value

    return parse


def _float_in(lo: float, hi: float, what: str, open_low: bool = False):
    """A number option that must be finite and lie in its range (NaN never passes)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not (math.isfinite(value) and lo <= value <= hi) or (open_low and value == lo):
            raise argparse.ArgumentTypeError(f"{text} is not {what}")
        return value

    return parse


_percent = _float_in(0, 1e6, "a finite percentage >= 0")
_seconds = _float_in(0, 7 * 24 * 3600, "a number of seconds in 0..604800", open_low=True)
DEFAULT_TIMEOUT_S = 3600
ARG32 = _int_in(-(1 << 31), (1 << 32) - 1)  # a register: signed or unsigned 32 bits
MAX_CYCLES = _int_in(1, 1 << 62)
JOBS = _int_in(1, 256)
CLOCK_HZ = _int_in(1, 1_000_000_000)
JSON_HELP = "print JSON on stdout instead of the table"
TARGET_HELP = "a chip: py32f003, rp2040, stm32g030, ... or the project's (`mcubench targets` lists them)"
DTYPE_CHOICES = ("int8", "int16", "int32", "uint8", "uint16", "uint32", "float32")


def _tolerance(text: str) -> tuple[str | None, float]:
    """PCT for every metric, or METRIC=PCT for one (cycles, flash, ram, stack...)."""
    metric, sep, pct = text.rpartition("=")
    return (metric if sep else None), _percent(pct)


def _add_init(sub):
    p = sub.add_parser(
        "init", help="make a working mcubench project here (kernel, benchmark, test, CI, baseline)"
    )
    p.add_argument("dir", nargs="?", default=".", help="the project folder (default: the current one)")
    p.add_argument(
        "--no-baseline", action="store_true", help="only write the files; do not measure the suite"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="say what init would write, append or keep; write nothing"
    )


def _add_model(sub):
    p = sub.add_parser("model", help="will a .tflite model fit a chip: weights, planned arena, state, MACs")
    p.add_argument("model", help="the .tflite file")
    p.add_argument("--target", required=True, help=TARGET_HELP)
    p.add_argument(
        "--run",
        action="store_true",
        help="generate C, build and run it on the chip: cycles per operator, flash, RAM, and "
        "every operator's output against TFLite Micro's host interpreter (pip install 'mcubench[tflm]')",
    )
    p.add_argument(
        "--input",
        metavar="X.npy|X.wav",
        help="with --run: int8 input, one step or several back to back (.npy), or 16 kHz audio turned "
        "into microWakeWord's features for a model with a [1, frames, 40] input (.wav); "
        "default: seeded random",
    )
    p.add_argument(
        "--steps", type=int, help="with --run: invocations (a streaming model keeps its state between them)"
    )
    p.add_argument("--seed", type=int, default=0, help="with --run: seed of the random input (default 0)")
    p.add_argument(
        "--weights-in-sram",
        action="store_true",
        help="with --run: weights as initialised data in SRAM, not const in flash (an RP2040's XIP "
        "cache holds 16 KiB)",
    )
    p.add_argument(
        "--compare-kernels",
        action="store_true",
        help="time every CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and SVDF with our kernels, "
        "CMSIS-NN (CMSIS_NN_ROOT) and TFLite Micro's reference kernels -O2/-O3 (TFLM_ROOT; its SVDF "
        "also needs flatbuffers' headers: FLATBUFFERS_ROOT or its downloads folder), weights in SRAM, "
        "each output against TFLite Micro's host interpreter",
    )
    p.add_argument("--json", action="store_true", help=JSON_HELP)


def _add_targets(sub):
    p = sub.add_parser("targets", help="the chips mcubench knows here: built-in and the project's")
    p.add_argument("--json", action="store_true", help=JSON_HELP)


def _add_exec(sub):
    p = sub.add_parser("exec", help="run one function of an ELF and print cycles, stack, r0")
    p.add_argument("elf", help="the firmware ELF")
    p.add_argument("--target", required=True, help=TARGET_HELP)
    p.add_argument("--call", required=True, metavar="FUNC", help="the function to measure")
    p.add_argument(
        "--arg", type=ARG32, action="append", default=[], help="integer argument (r0..r3, repeatable)"
    )
    p.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="SYMBOL=FILE",
        help="write a .npy array (or a WAV as int16) into the buffer SYMBOL first (repeatable)",
    )
    p.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="SYMBOL=FILE",
        help="after the call, save the buffer SYMBOL (its ELF size, as --dtype) to a .npy file",
    )
    p.add_argument("--dtype", default="int16", choices=DTYPE_CHOICES, help="element type of --output buffers")
    p.add_argument(
        "--init", action="append", default=[], metavar="FUNC", help="call FUNC first, unmeasured (repeatable)"
    )
    p.add_argument(
        "--max-cycles", type=MAX_CYCLES, default=None, help="stop with an error after this many cycles"
    )
    p.add_argument(
        "--clock",
        type=CLOCK_HZ,
        default=None,
        metavar="HZ",
        help="core clock (default: the target's); sets the flash wait states and SysTick's time",
    )
    p.add_argument(
        "--counter",
        choices=("auto", "native", "python"),
        default="auto",
        help="cycle counter: the native hook, its Python twin (same counts), or auto",
    )
    p.add_argument(
        "--profile",
        action="store_true",
        help="cycles per function (self time), from the Python counter (same counts, slower)",
    )
    p.add_argument("--json", action="store_true", help=JSON_HELP)


def _add_inspect(sub):
    p = sub.add_parser("inspect", help="flash/RAM use, largest symbols, ARMv6-M check")
    p.add_argument("elf", nargs="?", default=None, help="the firmware ELF (or --bench)")
    p.add_argument("--bench", default=None, help="the ELF a benchmark of the project's suite measures")
    p.add_argument("--target", required=True, help=TARGET_HELP)
    p.add_argument(
        "--all", action="store_true", help="every function and object: size, worst-case stack, callees"
    )
    p.add_argument("--diff", default=None, metavar="OTHER_ELF", help="what grew or shrank against OTHER_ELF")
    p.add_argument("--json", action="store_true", help=JSON_HELP)


def _add_perf(sub):
    p = sub.add_parser("perf", help="emulation speed: MIPS without hooks, native, Python")
    p.add_argument("--target", default="py32f003", help=TARGET_HELP)
    p.add_argument("--blocks", type=_int_in(1, 100_000), default=16, help="FIR blocks per timed run")
    p.add_argument("--json", action="store_true", help=JSON_HELP)


def _add_run(sub):
    p = sub.add_parser("run", help="build and run the benchmark suite")
    p.add_argument("--target", action="append", default=[], help="only this chip (repeatable)")
    p.add_argument("--bench", nargs="+", default=[], help="only these benchmarks")
    p.add_argument("--suite", default=None, help="suite folder (default: the project's suite)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.add_argument(
        "--json-file", default=None, metavar="PATH", help="results file (default: <results>/latest.json)"
    )
    p.add_argument("--markdown", default=None, metavar="PATH", help="default: <results>/latest.md")
    p.add_argument("--junit", default=None, metavar="PATH", help="also write JUnit XML here")
    p.add_argument("--jobs", type=JOBS, default=None, help="worker processes (default: one per core)")


def _add_check(sub):
    p = sub.add_parser("check", help="budgets + regressions against the baseline (Markdown)")
    p.add_argument("results", nargs="?", default=None, help="default: <results>/latest.json")
    p.add_argument("--baseline", default=None, help="default: <results>/baseline.json")
    p.add_argument(
        "--no-baseline", action="store_true", help="budgets only (the base branch has no baseline)"
    )
    p.add_argument(
        "--tolerance",
        type=_tolerance,
        action="append",
        default=[],
        metavar="[METRIC=]PCT",
        help="allowed increase in percent, for all metrics or one (repeatable; default 0: counts are exact)",
    )
    p.add_argument(
        "--strict-toolchain",
        action="store_true",
        help="fail (not only warn) when the toolchain or flags differ from the baseline's",
    )
    p.add_argument(
        "--github-benchmark",
        default=None,
        metavar="PATH",
        help="also write github-action-benchmark's customSmallerIsBetter JSON here",
    )
    p.add_argument("--markdown", default=None, metavar="PATH", help="also write the Markdown here")
    p.add_argument("--json", action="store_true", help=JSON_HELP + " (the verdict)")
    p.add_argument(
        "--allow-missing",
        action="store_true",
        help="a benchmark of the baseline missing from the results is a note, not a failure",
    )
    p.add_argument(
        "--allow-changed",
        action="store_true",
        help="a benchmark whose definition (frames, input, sources...) changed is a note, not a failure",
    )


def _add_compare(sub):
    p = sub.add_parser("compare", help="per-benchmark deltas and geometric-mean ratios of two results")
    p.add_argument("a", help="results file A (before)")
    p.add_argument("b", help="results file B (after)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)


def _add_baseline(sub):
    p = sub.add_parser("baseline", help="regenerate the committed baseline (with --write)")
    p.add_argument("--write", action="store_true", help="really overwrite <results>/baseline.json")


def _add_report(sub):
    p = sub.add_parser("report", help="PNG charts of a results file")
    p.add_argument("results", nargs="?", default=None, help="default: <results>/latest.json")
    p.add_argument("--baseline", default=None, help="deltas against this (default: <results>/baseline.json)")
    p.add_argument("--out", default=None, help="folder (default: the project's results folder)")


def _add_fft_tables(sub):
    p = sub.add_parser(
        "fft-tables", help="flash, RAM and cycles of real FFT variants (CMSIS-DSP, ours, emlearn)"
    )
    p.add_argument("--variant", action="append", default=[], help="only this variant (repeatable)")
    p.add_argument("--n", type=_int_in(16, 65536), action="append", default=[], help="only this FFT size")
    p.add_argument("--target", action="append", default=[], help="only this chip (repeatable)")
    p.add_argument("--out", default=None, help="folder (default: the project's results folder)")
    p.add_argument("--jobs", type=JOBS, default=None, help="worker processes (default: one per core)")
    p.add_argument("--json", action="store_true", help=JSON_HELP + " (the files are written too)")


def _add_stream(sub):
    p = sub.add_parser("stream", help="stream a WAV through a seed application (DMA + interrupt + main loop)")
    p.add_argument("wav", help="the audio (resampled to the app's rate if needed)")
    p.add_argument("--app", required=True, help="py32_sed, rp2040_genre, or one of the project's apps")
    p.add_argument("--target", default=None, help="default: the app's own chip")
    p.add_argument("--clock", type=CLOCK_HZ, default=None, metavar="HZ", help="default: the target's clock")
    p.add_argument("--dump", default=None, metavar="PATH", help="every hop's numbers, as .npz")
    p.add_argument("--png", default=None, metavar="PATH", help="default: <results>/stream_<app>_<target>.png")
    p.add_argument(
        "--profile", action="store_true", help="cycles per hop by function (slower: the Python counter)"
    )
    p.add_argument("--json", action="store_true", help=JSON_HELP)


def _add_sweep(sub):
    p = sub.add_parser(
        "sweep", help="design-space sweep: every point of a sweep file, ranked, Pareto front, winner"
    )
    p.add_argument("sweep", help="the sweep file (.toml)")
    p.add_argument("--jobs", type=JOBS, default=None, help="local worker processes (default: one per core)")
    p.add_argument(
        "--cluster", default=None, metavar="tcp://HOST:8786", help="run the points on a Dask scheduler"
    )
    p.add_argument(
        "--json-file",
        default=None,
        metavar="PATH",
        help="results file (default: <results>/sweep_<name>.json)",
    )
    p.add_argument("--json", action="store_true", help=JSON_HELP + " (the files are written too)")
    p.add_argument("--fresh", action="store_true", help="ignore the cached points and run every one again")


# command: (its options, "module:function" in mcubench.cli). A command's module (and the
# emulator, models and charts it needs) is imported only when that command runs:
# `mcubench --version` or `--help` imports none of them.
COMMANDS = {
    "init": (_add_init, "init:run_init"),
    "targets": (_add_targets, "single:run_targets"),
    "model": (_add_model, "model:run_model"),
    "exec": (_add_exec, "single:run_exec"),
    "inspect": (_add_inspect, "single:run_inspect"),
    "perf": (_add_perf, "perf_command:run_perf"),
    "run": (_add_run, "run:run_suite_command"),
    "check": (_add_check, "check_commands:run_check"),
    "compare": (_add_compare, "check_commands:run_compare"),
    "baseline": (_add_baseline, "check_commands:run_baseline"),
    "report": (_add_report, "check_commands:run_report"),
    "fft-tables": (_add_fft_tables, "fft_tables:run_fft_tables"),
    "stream": (_add_stream, "stream_command:run_stream_command"),
    "sweep": (_add_sweep, "sweep:run_sweep_command"),
}


def command_function(name: str):
    """The function that carries out command `name`, its module imported now."""
    module, _, function = COMMANDS[name][1].partition(":")
    return getattr(importlib.import_module(f"mcubench.cli.{module}"), function)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        self.exit(2, f"mcubench: error: {message}\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="mcubench",
        description="Cycles, stack, RAM and flash of C firmware on emulated Cortex-M0+ chips "
        "(PY32F003, RP2040 and your own), held against budgets and a baseline.",
        epilog="Start with `mcubench init` in your repository, then `mcubench run` and `mcubench check`. "
        "Exit codes: 0 every budget holds, 1 a budget or regression fails, 2 an error (one line on "
        "stderr), 130 interrupted. `mcubench COMMAND --help` for a command's options.",
    )
    p.add_argument("--version", action="version", version=f"mcubench {__version__}", help="print the version")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add, _ in COMMANDS.values():
        add(sub)
    for command in sub.choices.values():
        command.add_argument(
            "--timeout",
            type=_seconds,
            default=DEFAULT_TIMEOUT_S,
            metavar="S",
            help=f"wall-clock bound for the whole command (default {DEFAULT_TIMEOUT_S} s)",
        )
    return p


def _terminate(_sig, _frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)  # stop like Ctrl-C: workers ended, results kept
    deadline.arm(args.timeout)
    try:
        check_output_paths(args)
        return command_function(args.command)(args) or 0
    except Interrupted as exc:
        print(f"mcubench: {exc}", file=sys.stderr)
        return exc.exit_code
    except McubenchError as exc:
        print(f"mcubench: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mcubench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `mcubench ... | head`: the reader has gone, so go quietly
        sys.stderr.close()
        return 0
    except MemoryError:
        print("mcubench: out of memory", file=sys.stderr)
        return 2
    except Exception as exc:  # internal error: still one line unless debugging
        if os.environ.get("MCUBENCH_DEBUG"):
            raise
        print(f"mcubench: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2

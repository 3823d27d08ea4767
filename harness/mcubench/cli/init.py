"""`mcubench init [DIR]`: a working project in someone's repository, in one command.

It writes a small Q15 kernel with the benchmark contract, a benchmark with budgets and
a Python reference, a pytest test using the `mcu` fixture, a GitHub workflow that calls
mcubench's action, and then measures the suite once to write results/baseline.json, so
`mcubench run` and `mcubench check` pass as generated. In an existing repository it
merges what can be merged (its lines appended to a .gitignore that lacks them) and
keeps what is there (a conftest.py, a workflow, a project file), saying so; an example
file of its own that exists with other contents stops it, with one line, before
anything is written. `--dry-run` prints the plan only.
"""

from __future__ import annotations

from pathlib import Path

from mcubench.base.errors import ConfigError
from mcubench.base.files import write_atomic, write_json
from mcubench.base.project import PROJECT_FILE, load_project, use
from mcubench.bench.suite import load_suite
from mcubench.cli.run import exit_code, run_to_document

PROJECT = """\
# mcubench project file: this folder is the project root. Paths are relative to it.
suite = "benchmarks"      # one TOML file per benchmark
results = "results"       # latest.json, latest.md, baseline.json, charts
build = ".mcubench/build" # objects and ELFs (ignored by git)
# targets = ["targets"]   # your own chips: targets/<name>.toml (the default when it exists)
# python_path = ["."]     # where "module:function" references and generators import from
"""

# everything later commands write that is not to be committed (baseline.json is)
GITIGNORE = """\
.mcubench/
results/latest.*
results/*.png
results/junit.xml
results/sweep_*
results/fft-tables.*
results/*.wav
"""

KERNEL = """\
/*
 * A Q15 gain with rounding and saturation, one 64-sample block per call:
 *   y[n] = sat16((x[n] * g + 2^14) >> 15)
 * Replace it with your own kernel; keep the contract of mcubench.h (bench_init,
 * bench_run, buffers the harness finds by name).
 */
#include "mcubench.h"

#define BLOCK 64
#define GAIN_Q15 26214 /* 0.8 */

int16_t bench_input[BLOCK] MCUBENCH_BUFFER;
int16_t bench_output[BLOCK] MCUBENCH_BUFFER;

MCUBENCH_NOINLINE void gain_q15(const int16_t *x, int16_t *y, uint32_t n, int16_t g)
{
    for (uint32_t i = 0; i < n; i++) {
        int32_t v = ((int32_t)x[i] * g + (1 << 14)) >> 15;
        y[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
    }
}

void bench_init(void) {}

int32_t bench_run(void)
{
    gain_q15(bench_input, bench_output, BLOCK, GAIN_Q15);
    return bench_output[BLOCK - 1];
}
"""

REFERENCE = '''\
"""Python references for the benchmarks: what the firmware must compute."""

import numpy as np

GAIN_Q15 = 26214


def gain_q15(x: np.ndarray) -> np.ndarray:
    """y = sat16((x * g + 2^14) >> 15), bit-exact with src/gain_q15.c."""
    y = (x.astype(np.int64) * GAIN_Q15 + (1 << 14)) >> 15
    return np.clip(y, -32768, 32767)
'''

BENCHMARK = """\
# One benchmark: what to build, how to feed it, what it must compute, and its budgets.
[benchmark]
name = "gain_q15"
description = "Q15 gain with saturation, 64-sample block"
sources = ["../src/gain_q15.c"]      # relative to this file
targets = ["py32f003"]
frames = 4                           # bench_run calls, one 64-sample hop each
sample_rate = 16_000
hop = 64                             # one call stands for 4 ms of 16 kHz audio
input = { symbol = "bench_input", dtype = "int16" }
output = { symbol = "bench_output", dtype = "int16" }
generator = { kind = "noise", seed = 1, level_dbfs = -6.0 }
reference = "refs:gain_q15"          # refs.py in the project root

[budgets.py32f003]
max_cycles_per_frame = 1_500
max_flash_bytes = 1_024
max_ram_bytes = 512
max_stack_bytes = 64
bit_exact = true
"""

CONFTEST = '''\
"""The project root is on sys.path for the tests (refs.py); the `mcu` fixture comes
from the installed mcubench."""
'''

TEST = '''\
"""Firmware unit tests are plain pytest functions with the `mcu` fixture."""

from pathlib import Path

import numpy as np

from refs import gain_q15

KERNEL = Path(__file__).resolve().parent.parent / "src" / "gain_q15.c"


def test_gain_is_bit_exact_and_fast(mcu):
    fw = mcu.build(KERNEL, target="py32f003", entry=True)
    fw.call("bench_init")
    x = np.linspace(-32768, 32767, 64).astype(np.int16)
    fw.write("bench_input", x)
    r = fw.call("bench_run")
    assert np.array_equal(fw.read("bench_output"), gain_q15(x))
    assert r.stack_peak_bytes <= 64
    assert r.cycles < 1_500
'''

WORKFLOW = """\
# Gate pull requests on the mcubench budgets and on regressions against the baseline
# of the branch the PR goes into (a PR cannot loosen its own baseline), with the check
# posted as a PR comment. Run it by hand (workflow_dispatch) on main to measure a new
# baseline with this runner's toolchain: the artifact is results/baseline.json to commit.
name: mcubench
on:
  pull_request:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pull-requests: write  # the check as a PR comment

jobs:
  bench:
    if: github.event_name != 'workflow_dispatch'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # the base branch's results/baseline.json
      - id: mcubench
        uses: mcubench/mcubench@v0.1.0
        with:
          # mcubench is not on PyPI: name what to install, e.g. the wheel you built from
          # its repository and committed here, or "git+https://<its repository>@v0.1.0"
          mcubench: "tools/mcubench-0.1.0-py3-none-any.whl"
          # check-args: "--allow-missing"   # after removing a benchmark on purpose
      - name: The check as a PR comment (updated in place)
        if: always() && github.event_name == 'pull_request' && steps.mcubench.outputs.markdown
        uses: marocchino/sticky-pull-request-comment@v2
        with:
          header: mcubench
          path: ${{ steps.mcubench.outputs.markdown }}

  baseline:
    # a baseline measured with the runner's toolchain, so PR checks compare like with like
    if: github.event_name == 'workflow_dispatch'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: sudo apt-get update -qq && sudo apt-get install -y -qq gcc-arm-none-eabi libnewlib-arm-none-eabi
      - run: python -m pip install "tools/mcubench-0.1.0-py3-none-any.whl"
      - run: mcubench baseline --write
      - uses: actions/upload-artifact@v4
        with:
          name: mcubench-baseline
          path: results/baseline.json
"""

FILES = {
    PROJECT_FILE: PROJECT,
    ".gitignore": GITIGNORE,
    "src/gain_q15.c": KERNEL,
    "refs.py": REFERENCE,
    "benchmarks/gain_q15.toml": BENCHMARK,
    "conftest.py": CONFTEST,
    "tests/test_gain.py": TEST,
    ".github/workflows/mcubench.yml": WORKFLOW,
}


# Files a repository may already have: kept as they are (the fixture comes from the
# installed plugin, the workflow and project file are the user's), or merged (.gitignore).
KEPT = {PROJECT_FILE, "conftest.py", ".github/workflows/mcubench.yml"}
MERGED = {".gitignore"}


def _missing_lines(path: Path, text: str) -> list[str]:
    have = set(path.read_text(errors="replace").splitlines())
    return [line for line in text.splitlines() if line and line not in have]


def plan(root: Path) -> list[tuple[str, str, str]]:
    """(action, relative path, why) for every file, checked before anything is written:
    write, append, keep or same; a refusal is a ConfigError naming the file."""
    if root.exists() and not root.is_dir():
        raise ConfigError(f"{root}: is a file, not a folder")
    steps = []
    for rel, text in (*FILES.items(), ("results/baseline.json", None)):
        path = root / rel
        for parent in path.relative_to(root).parents:
            folder = root / parent
            if folder.exists() and not folder.is_dir():
                raise ConfigError(f"{folder}: is a file where init needs a folder (for {rel})")
        if path.is_dir():
            raise ConfigError(f"{path}: is a folder where init writes a file")
        if not (path.exists() or path.is_symlink()):
            steps.append(("write", rel, ""))
        elif rel in MERGED and text is not None:
            lines = _missing_lines(path, text)
            steps.append(
                ("append", rel, f"{len(lines)} line(s)") if lines else ("same", rel, "has every line")
            )
        elif rel in KEPT:
            steps.append(("keep", rel, "exists: left as it is"))
        elif text is not None and path.read_text(errors="replace") == text:
            steps.append(("same", rel, "already mcubench's"))
        else:
            raise ConfigError(f"{path}: already exists; init never overwrites a file")
    return steps


def scaffold(root: Path, steps: list[tuple[str, str, str]]) -> list[str]:
    """Carry out the plan; the lines that say what was done."""
    done = []
    for action, rel, why in steps:
        path = root / rel
        if action == "write" and rel in FILES:
            write_atomic(path, FILES[rel])
        elif action == "append":
            old = path.read_text(errors="replace")
            add = "\n".join(_missing_lines(path, FILES[rel])) + "\n"
            write_atomic(path, old + ("" if old.endswith("\n") or not old else "\n") + add)
        if rel in FILES:
            done.append(f"{_VERB[action]} {rel}" + (f" ({why})" if why else ""))
    return done


_VERB = {"write": "wrote", "append": "appended to", "keep": "kept", "same": "unchanged"}


def run_init(args) -> int:
    root = Path(args.dir).resolve()
    steps = plan(root)
    if args.dry_run:
        for action, rel, why in steps:
            word = {"write": "would write", "append": "would append to"}.get(action, _VERB[action])
            if rel == "results/baseline.json":
                word = "would measure the suite into" if not args.no_baseline else "would not write"
            print(f"{word} {rel}" + (f" ({why})" if why else ""))
        return 0
    root.mkdir(parents=True, exist_ok=True)
    for line in scaffold(root, steps):
        print(line)
    if args.no_baseline:
        return 0
    project = use(load_project(root / PROJECT_FILE))
    if project is None:  # init has just written the file that declares it
        raise ConfigError(f"{root / PROJECT_FILE}: declares no mcubench project")
    doc, stopped = run_to_document(load_suite(project.suite_dir), [])
    if stopped is not None:
        raise stopped  # never a partial baseline
    write_json(project.results_dir / "baseline.json", doc)
    print(f"wrote {(project.results_dir / 'baseline.json').relative_to(root)} (the suite, measured once)")
    print("next: mcubench run && mcubench check && pytest")
    return exit_code(doc)

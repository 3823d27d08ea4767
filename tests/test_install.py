"""mcubench as a user gets it: a wheel built from this checkout, installed into a fresh
venv in a temporary folder outside the checkout, used in a new project made by
`mcubench init`. Nothing may be written anywhere but that project and the cache.

The venv holds mcubench only from the wheel. Its dependencies (numpy, unicorn, ...) are
the test environment's, reached through a .pth file, because downloading ~400 MB for
every test run would dominate the suite; MCUBENCH_TEST_FULL_INSTALL=1 installs them from
the package index instead (the closing figures of the install were measured that way).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from user_project import APP, APPS, REFS, slower

ROOT = Path(__file__).resolve().parent.parent
FULL_INSTALL = os.environ.get("MCUBENCH_TEST_FULL_INSTALL") == "1"


def _tree(folder: Path, skip: tuple[Path, ...] = ()) -> dict[str, tuple[int, int]]:
    """Every file under folder (but the skipped ones) with its size and mtime."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        d = Path(dirpath)
        dirnames[:] = [n for n in dirnames if d / n not in skip]
        for n in filenames:
            st = (d / n).lstat()
            out[str(d / n)] = (st.st_size, st.st_mtime_ns)
    return out


def _git_files() -> list[Path]:
    """The checkout's files as git sees them: tracked, or new and not ignored."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    return [Path(f.decode()) for f in out if f and (ROOT / f.decode()).is_file()]


def _checkout() -> dict[str, tuple[int, int]]:
    """Size and mtime of the checkout's files as git sees them. What git ignores (this
    repository's own build folder, generated results, bytecode) is written by the other
    tests running beside this one; the wheel's mcubench does not know the checkout."""
    return {str(rel): ((ROOT / rel).stat().st_size, (ROOT / rel).stat().st_mtime_ns) for rel in _git_files()}


def _source_copy(dest: Path) -> Path:
    """The checkout's files: what a release is built from."""
    for rel in _git_files():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dest / rel)
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(tmp folder, venv bin folder, environment for the user's shell)."""
    tmp = tmp_path_factory.mktemp("user")
    src = _source_copy(tmp / "src")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", tmp / "dist", src], check=True, capture_output=True)
    wheel = next((tmp / "dist").glob("mcubench-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    py = venv / "bin" / "python"
    deps = [] if FULL_INSTALL else ["--no-deps"]
    subprocess.run([*pip, "--python", py, "install", *deps, wheel], check=True, capture_output=True)
    if not FULL_INSTALL:
        purelib = subprocess.run(
            [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        Path(purelib, "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    shutil.rmtree(src)
    for d in ("home", "cache", "tmp", "pycache", "project"):
        (tmp / d).mkdir()
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp / "home"),
        "XDG_CACHE_HOME": str(tmp / "cache"),
        "TMPDIR": str(tmp / "tmp"),
        "PYTHONPYCACHEPREFIX": str(tmp / "pycache"),
        "LANG": "C.UTF-8",
    }
    return tmp, venv / "bin", env


# checkout folder -> where the wheel carries it (benchmarks: only the suite's data)
WHEEL_FOLDERS = {
    "harness/mcubench/": "mcubench/",
    "firmware/": "mcubench/_firmware/",
    "benchmarks/data/": "mcubench/_suite/data/",
    "benchmarks/models/": "mcubench/_suite/models/",
}


def test_the_wheel_carries_every_file_of_the_folders_it_ships(installed):
    """A file type missing from the package data (firmware/bench/kiss_fftr_bench.cc was)
    fails here, whatever its name: the wheel's list against git's."""
    import zipfile

    tmp, _, _ = installed
    wheel = next((tmp / "dist").glob("mcubench-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = []
    for rel in map(str, _git_files()):
        for folder, inside in WHEEL_FOLDERS.items():
            if rel.startswith(folder) and inside + rel[len(folder) :] not in names:
                missing.append(rel)
    assert missing == []
    assert "mcubench/_firmware/bench/kiss_fftr_bench.cc" in names


def _sh(installed, *cmd, ok=(0,)):
    tmp, bin_dir, env = installed
    proc = subprocess.run(
        [str(bin_dir / cmd[0]), *map(str, cmd[1:])],
        cwd=tmp / "project",
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode in ok, f"{cmd}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.mark.slow
def test_a_new_user_project_runs_checks_and_gates_from_the_wheel(installed):
    tmp, bin_dir, _ = installed
    where = _sh(installed, "python", "-c", "import mcubench; print(mcubench.__file__)").stdout
    assert where.startswith(str(tmp / "venv")), where  # the wheel's copy, not the checkout
    outside = (tmp / "project", tmp / "cache", tmp / "pycache")
    before_tmp, before_repo = _tree(tmp, outside), _checkout()

    _sh(installed, "mcubench", "init")
    project = tmp / "project"
    assert (project / "results" / "baseline.json").is_file()
    run = _sh(installed, "mcubench", "run")
    assert "gain_q15  py32f003  pass" in run.stdout
    check = _sh(installed, "mcubench", "check")
    assert "mcubench check: passed" in check.stdout
    _sh(installed, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests")
    (project / "sweep.toml").write_text(
        '[sweep]\nname = "gain"\nbase = "benchmarks/gain_q15.toml"\n'
        'objective = { figure = "cycles_per_frame", goal = "min" }\n[axes]\nopt = ["-Os", "-O2"]\n'
    )
    sweep = _sh(installed, "mcubench", "sweep", "sweep.toml")
    assert "2 of 2 points (0 cached, 2 run)" in sweep.stderr
    doc = json.loads((project / "results" / "sweep_gain.json").read_text())
    assert doc["complete"] and {r["point"]["opt"] for r in doc["points"]} == {"-Os", "-O2"}
    assert all(r["status"] == "pass" and r["figures"]["bit_exact"] for r in doc["points"])
    assert (project / "results" / "sweep_gain_winner.toml").is_file()
    assert list((project / ".mcubench" / "build" / "sweeps" / "gain").glob("*.json"))

    # the user's own .tflite: generated, built and run on the chip, checked against TFLite Micro
    shutil.copy(ROOT / "tests" / "fixtures" / "tflite" / "conv.tflite", project / "kws.tflite")
    model = json.loads(
        _sh(installed, "mcubench", "model", "kws.tflite", "--target", "py32f003", "--run", "--json").stdout
    )
    assert model["bit_exact"] and model["fits"] and len(model["ops"]) == 5
    assert sum(model["flash_breakdown"].values()) == model["flash_bytes"]
    assert list((project / ".mcubench" / "build" / "gen" / "models").glob("kws-*.c"))
    # an SVDF model (its ring state kept between steps) from the wheel's kernels
    shutil.copy(ROOT / "tests" / "fixtures" / "tflite" / "svdf.tflite", project / "svdf.tflite")
    svdf = json.loads(
        _sh(
            installed,
            "mcubench",
            "model",
            "svdf.tflite",
            "--target",
            "py32f003",
            "--run",
            "--steps",
            "8",
            "--json",
        ).stdout
    )
    assert svdf["bit_exact"] and [o["op"] for o in svdf["ops"]] == ["SVDF"] and svdf["steps"] == 8
    # its layers timed against the kernel libraries: without their checkouts, ours alone
    compared = json.loads(
        _sh(
            installed,
            "mcubench",
            "model",
            "kws.tflite",
            "--target",
            "py32f003",
            "--compare-kernels",
            "--json",
        ).stdout
    )
    assert compared["libraries"] == ["mcubench"] and compared["bit_exact"] and len(compared["layers"]) == 4
    assert compared["not_compared"] == ["CMSIS_NN_ROOT", "TFLM_ROOT"]

    # the chips mcubench ships, with their memory systems, from the wheel's firmware folder
    targets = _sh(installed, "mcubench", "targets").stdout
    for chip in ("atsamd21g18", "py32f003", "rp2040", "stm32c011", "stm32g030", "stm32l010"):
        assert chip in targets
    elf = next((project / ".mcubench" / "build" / "py32f003").glob("gain_q15-*/firmware.elf"))
    on_g0 = json.loads(
        _sh(
            installed,
            "mcubench",
            "exec",
            str(elf),
            "--target",
            "stm32g030",
            "--init",
            "bench_init",
            "--call",
            "bench_run",
            "--json",
        ).stdout
    )
    assert on_g0["clock_hz"] == 64_000_000 and on_g0["cycles"] > on_g0["instructions"] > 0

    kernel = project / "src" / "gain_q15.c"
    kernel.write_text(slower(kernel.read_text()))
    _sh(installed, "mcubench", "run", ok=(1,))
    failed = _sh(installed, "mcubench", "check", "--markdown", "check.md", ok=(1,))
    assert "max_cycles_per_frame 1500" in failed.stdout and "Regressions" in failed.stdout
    assert (project / "check.md").read_text() == failed.stdout

    assert _tree(tmp, outside) == before_tmp  # the venv, home and TMPDIR untouched
    assert _checkout() == before_repo  # and the checkout
    assert list((tmp / "cache" / "mcubench" / "native").glob("cycle_hook-*.so"))
    assert (project / ".mcubench" / "build").is_dir()


@pytest.mark.slow
def test_an_existing_repository_adopts_mcubench_from_the_wheel(installed):
    """A real repository (a .gitignore, a conftest.py, its own app and chips) set up and
    used from the wheel: init merges, the app streams with its picture, a sweep over two
    chips writes a winner per chip, inspect finds a benchmark's ELF, and the action's
    steps pass a good branch and fail a slow one."""
    tmp, bin_dir, env = installed
    repo = tmp / "existing"
    repo.mkdir()
    (repo / ".gitignore").write_text("__pycache__/\n")
    (repo / "conftest.py").write_text("# the team's own fixtures\n")

    def sh(*cmd, ok=(0,), **extra):
        proc = subprocess.run(
            [str(bin_dir / cmd[0]) if (bin_dir / cmd[0]).exists() else cmd[0], *map(str, cmd[1:])],
            cwd=repo,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode in ok, f"{cmd}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        return proc

    init = sh("mcubench", "init")
    assert "appended to .gitignore" in init.stdout and "kept conftest.py" in init.stdout
    assert (repo / "conftest.py").read_text() == "# the team's own fixtures\n"
    assert "results/sweep_*" in (repo / ".gitignore").read_text()

    (repo / "apps.toml").write_text(APPS)  # found without apps = [...]
    (repo / "src" / "level.c").write_text(APP)
    (repo / "refs.py").write_text((repo / "refs.py").read_text() + "\n\n" + REFS)
    wav = ROOT / "benchmarks" / "data" / "speech_16000.wav"
    stream = sh("mcubench", "stream", wav, "--app", "level_meter", "--png", "level.png")
    assert "bit-exact        yes" in stream.stdout and (repo / "level.png").stat().st_size > 10_000

    (repo / "two.toml").write_text(
        '[sweep]\nname = "two"\nbase = "benchmarks/gain_q15.toml"\n'
        'objective = { figure = "cpu_load_pct", goal = "min" }\n'
        '[set]\ntargets = ["py32f003", "rp2040"]\n'
        '[axes]\ntarget = ["py32f003", "rp2040"]\nclock_hz = [16_000_000, 24_000_000]\n'
    )
    sh("mcubench", "sweep", "two.toml")
    for target in ("py32f003", "rp2040"):
        assert f'targets = ["{target}"]' in (repo / "results" / f"sweep_two_winner_{target}.toml").read_text()

    inspect = sh("mcubench", "inspect", "--bench", "gain_q15", "--target", "py32f003")
    assert Path(inspect.stdout.split(" on ", 1)[0]).is_relative_to(repo / ".mcubench" / "build")

    steps = ROOT / "scripts" / "action-steps.sh"
    runner = tmp / "runner"
    runner.mkdir()
    ci = {"RUNNER_TEMP": str(runner), "GITHUB_STEP_SUMMARY": str(runner / "summary.md")}
    sh("bash", steps, "run", **ci)
    sh("bash", steps, "check", **ci)
    assert "mcubench check: passed" in (runner / "summary.md").read_text()
    kernel = repo / "src" / "gain_q15.c"
    kernel.write_text(slower(kernel.read_text()))
    sh("bash", steps, "run", **ci)
    sh("bash", steps, "check", ok=(1,), **ci)
    assert "mcubench check: FAILED" in (runner / "summary.md").read_text()

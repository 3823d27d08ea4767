"""Design-space sweeps: the sweep file, points as benchmarks, the same results on the local
pool and on a Dask cluster on loopback, resuming after Ctrl-C, and model variants."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from run_cli import COMMAND, mcubench

from mcubench.base.errors import ConfigError
from mcubench.base.project import current
from mcubench.bench.sweep_file import load_sweep
from mcubench.bench.sweep_run import Job, evaluate, point_key
from mcubench.build.toolchain import gcc_version
from mcubench.dsp.config import get_config, variant_name
from mcubench.nn import model_names
from mcubench.nn import sed_variant as sv

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FIR = ROOT / "benchmarks" / "fir_q15.toml"


@pytest.fixture(autouse=True)
def _own_point_cache():
    """Each test's sweeps get a name of their own (so a point cache of their own), removed after."""
    global NAME
    NAME = f"test_{uuid.uuid4().hex[:12]}"
    yield
    shutil.rmtree(current().build_dir / "sweeps" / NAME, ignore_errors=True)


def write_sweep(folder: Path, axes: str, extra: str = "", base: Path = FIR) -> Path:
    path = folder / "s.toml"
    name = NAME
    if "objective" not in extra and base == FIR:  # FIR has no model, so no accuracies
        extra += '\nobjective = { figure = "cycles_per_frame", goal = "min" }'
    path.write_text(f'[sweep]\nname = "{name}"\nbase = "{base}"\n{extra}\n[axes]\n{axes}\n')
    return path


def test_points_are_the_grid_of_the_axes_checked_as_benchmarks(tmp_path):
    path = write_sweep(tmp_path, 'opt = ["-Os", "-O2"]\nframes = [1, 2, 3]')
    sweep = load_sweep(path)
    assert [p.values for p in sweep.points][:3] == [
        {"opt": "-Os", "frames": 1},
        {"opt": "-Os", "frames": 2},
        {"opt": "-Os", "frames": 3},
    ]
    assert len(sweep.points) == 6 and sweep.target == "py32f003"
    assert sweep.benchmark(sweep.points[4]).opt == "-O2" and sweep.benchmark(sweep.points[4]).frames == 2
    keys = {point_key(sweep, p) for p in sweep.points}
    assert len(keys) == 6 and point_key(sweep, sweep.points[0]) == point_key(
        load_sweep(path), sweep.points[0]
    )
    sample = load_sweep(
        write_sweep(
            tmp_path,
            'opt = ["-Os", "-O2"]\nframes = [1, 2, 3]',
            'sample = { kind = "random", n = 4, seed = 3 }',
        )
    )
    again = load_sweep(tmp_path / "s.toml")
    assert len(sample.points) == 4 and [p.index for p in sample.points] == [p.index for p in again.points]


@pytest.mark.parametrize(
    "axes, extra, message",
    [
        ('opt = ["-Os", "-O9"]', "", "opt"),
        ("opt = []", "", "non-empty list"),
        ('bogus = ["x"]', "", "unknown key 'bogus'"),
        ('"model.width" = [8]', "", "model goes with a seed app"),
        ('opt = ["-Os"]', 'objective = { figure = "x", goal = "up" }', "goal"),
        ('opt = ["-Os"]', 'sample = { kind = "random" }', "needs n"),
        ('opt = ["-Os"]', 'objective = "acuracy_int8"', "unknown figure 'acuracy_int8'; valid: cycles_per"),
        ('opt = ["-Os"]', 'objective = { figure = "cpu_lod", goal = "min" }', "unknown figure 'cpu_lod'"),
        ('opt = ["-Os"]', 'objective = "accuracy_int8"', "'accuracy_int8' needs a model"),
    ],
)
def test_a_bad_sweep_is_one_line_naming_the_file(tmp_path, axes, extra, message):
    path = write_sweep(tmp_path, axes, extra)
    with pytest.raises(ConfigError) as exc:
        load_sweep(path)
    assert str(path) in str(exc.value) and message in str(exc.value) and "\n" not in str(exc.value)
    r = mcubench("sweep", str(path), "--json-file", str(tmp_path / "out.json"))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


@pytest.mark.parametrize("name", ["../../escape", "a/b", "..", ".hidden", "x" * 101, ""])
def test_a_sweep_name_cannot_reach_outside_the_project(tmp_path, name):
    """The name makes results/sweep_<name>.json and the point cache's folder."""
    path = write_sweep(tmp_path, 'opt = ["-Os"]')
    path.write_text(path.read_text().replace(f'name = "{NAME}"', f'name = "{name}"'))
    with pytest.raises(ConfigError, match="name .*it names files"):
        load_sweep(path)


def test_front_end_and_model_variants_have_one_name_and_check_their_values():
    name = variant_name("py32_1k", n_mels=24, hop=128)
    assert name == "py32_1k~n_mels=24" and get_config(name).n_mels == 24 and get_config(name).hop == 128
    assert variant_name("py32_1k", n_mels=32) == "py32_1k"
    with pytest.raises(ConfigError, match="hop <= win_length"):
        variant_name("py32_1k", hop=512)
    with pytest.raises(ConfigError, match="unknown key"):
        variant_name("py32_1k", mels=3)
    v = model_names.make("gru", 8, name)
    assert v.name == "gru/8@py32_1k~n_mels=24" and model_names.parse(v.name) == v
    assert model_names.parse("gru").committed and model_names.make("gru", 16).name == "gru"
    with pytest.raises(ConfigError, match="width 0"):
        model_names.make("tcn", 0)
    with pytest.raises(ConfigError, match="16 kHz"):
        model_names.make("gru", 8, "genre22k")


def test_a_variant_trains_quantises_and_streams_bit_exact_on_the_chip(mcu):
    """A model nobody committed: a 6-channel TCN on 24 mel bands, trained on demand,
    run by the same firmware, bit for bit with its int8 twin."""
    from mcubench.data import sed_dataset as ds

    fe = variant_name("py32_1k", n_mels=24)
    v = model_names.make("tcn", 6, fe)
    q8 = ds.test_stream(2, fe)[0]
    assert q8.shape[2] == 24
    fw = mcu.build(
        [
            "firmware/bench/sed_model_bench.c",
            "firmware/nn/sed_model.c",
            "firmware/nn/nn_int8.c",
            "firmware/nn/nn_dot_int8.S",
        ],
        "py32f003",
        include=[str(sv.write_header(v)), "firmware/nn"],
        opt="-O2",
        entry=True,
    )
    fw.call("bench_init")
    stream = sv.int8_stream(v)
    for frame in q8[:2].reshape(-1, 24):
        fw.write("bench_input", frame)
        fw.call("bench_run")
        stream.push(frame)
        assert np.array_equal(fw.read("bench_output", "<i1"), stream.classify())
    assert 0.25 < sv.float_accuracy(v, 10) <= 1.0


def test_a_worker_without_the_toolchain_reports_it_as_the_point_error(tmp_path, monkeypatch):
    sweep = load_sweep(write_sweep(tmp_path, 'opt = ["-O1"]'))
    p = sweep.points[0]
    monkeypatch.setenv("MCUBENCH_CROSS_PREFIX", str(tmp_path / "nowhere" / "arm-none-eabi-"))
    gcc_version.cache_clear()  # as in a fresh worker process, which asks the toolchain first
    try:
        record = evaluate(Job("k", p.index, p.values, sweep.base, p.data, sweep.target, 5, current()))
    finally:
        gcc_version.cache_clear()
    assert record["status"] == "error" and "arm-none-eabi-gcc" in record["error"] and record["host"]
    assert "\n" not in record["error"] and not record["fits"]


def _points(doc: dict) -> list:
    return doc["points"]


def _wait_for(path: Path, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > end:
            raise AssertionError(f"{path} did not appear")
        time.sleep(0.1)


def _stop(procs, address) -> None:
    """The scheduler tells its workers to close (a worker told by SIGTERM alone keeps trying
    to reach a scheduler that has gone); whatever is still running after that is killed."""
    if address is not None:
        from distributed import Client

        try:
            with Client(address, timeout="10s") as client:
                client.shutdown()
        except OSError:
            pass
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


@pytest.mark.slow
def test_a_dask_cluster_on_loopback_gives_the_local_pool_s_results(tmp_path):
    pytest.importorskip("distributed")
    path = write_sweep(tmp_path, 'opt = ["-Os", "-O2"]\nframes = [1, 2]')
    local = mcubench("sweep", str(path), "--jobs", "2", "--json-file", str(tmp_path / "local.json"))
    assert local.returncode == 0, local.stderr
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    sched_file = tmp_path / "scheduler.json"
    address = None
    procs = [
        subprocess.Popen(
            [
                str(BIN / "dask"),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(sched_file),
            ],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        _wait_for(sched_file)
        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        str(BIN / "dask"),
                        "worker",
                        address,
                        "--host",
                        "127.0.0.1",
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--no-nanny",
                    ],
                    cwd=tmp_path,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        cluster = mcubench(
            "sweep", str(path), "--cluster", address, "--fresh", "--json-file", str(tmp_path / "cluster.json")
        )
        assert cluster.returncode == 0, cluster.stderr
        assert "2 worker(s)" in cluster.stderr and "4 run" in cluster.stderr
    finally:
        _stop(procs, address if sched_file.exists() else None)
    assert all(p.poll() is not None for p in procs)
    a, b = (json.loads((tmp_path / f).read_text()) for f in ("local.json", "cluster.json"))
    assert _points(a) == _points(b) and a["winner"] == b["winner"] and a["pareto"] == b["pareto"]
    assert len(_points(a)) == 4 and all(
        r["status"] in ("pass", "fail") and r["figures"]["bit_exact"] for r in _points(a)
    )
    cycles = {(r["point"]["opt"], r["point"]["frames"]): r["figures"]["cycles_per_frame"] for r in _points(a)}
    assert cycles[("-Os", 1)] == cycles[("-Os", 2)] and cycles[("-Os", 1)] != cycles[("-O2", 1)]


@pytest.mark.slow
def test_ctrl_c_keeps_the_finished_points_and_the_next_run_resumes(tmp_path):
    path = write_sweep(tmp_path, 'opt = ["-Os", "-O1", "-O2", "-O3"]\nframes = [100, 200, 300]')
    out = tmp_path / "r.json"
    proc = subprocess.Popen(
        [*COMMAND, "sweep", str(path), "--jobs", "1", "--fresh", "--json-file", str(out)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = proc.stderr.readline()  # "[1/12] ...": one point finished
    assert first.startswith("[1/12]"), first
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    partial = json.loads(out.read_text())
    assert not partial["complete"] and 1 <= partial["points_done"] < 12
    resumed = mcubench("sweep", str(path), "--jobs", "2", "--json-file", str(out))
    assert resumed.returncode == 0, resumed.stderr
    assert f"({partial['points_done']} cached, {12 - partial['points_done']} run)" in resumed.stderr
    whole = json.loads(out.read_text())
    assert whole["complete"] and whole["points_done"] == 12
    done_first = {r["index"]: r for r in partial["points"]}
    assert all(r == done_first[r["index"]] for r in whole["points"] if r["index"] in done_first)


def test_a_sweep_killed_outright_resumes_from_the_points_it_finished(tmp_path):
    """SIGKILL: no clean-up at all, but every finished point was already on disk."""
    path = write_sweep(tmp_path, 'opt = ["-Os", "-O1", "-O2"]\nframes = [100, 200]')
    proc = subprocess.Popen(
        [*COMMAND, "sweep", str(path), "--jobs", "1", "--json-file", str(tmp_path / "k.json")],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr.readline().startswith("[1/6]")
    proc.kill()
    proc.communicate(timeout=60)
    resumed = mcubench("sweep", str(path), "--jobs", "1", "--json-file", str(tmp_path / "k.json"))
    assert resumed.returncode == 0, resumed.stderr
    cached = int(resumed.stderr.split("points (")[1].split(" cached")[0])
    assert 1 <= cached < 6 and json.loads((tmp_path / "k.json").read_text())["complete"]


def test_a_clock_axis_changes_the_load_not_the_cycles_and_refuses_a_clock_the_chip_cannot_run(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path, "clock_hz = [8_000_000, 24_000_000, 48_000_000]"))
    slow, fast, over = (
        evaluate(Job(str(p.index), p.index, p.values, sweep.base, p.data, p.target, 5, current()))
        for p in sweep.points
    )
    assert slow["figures"]["cycles_per_frame"] == fast["figures"]["cycles_per_frame"]
    assert slow["figures"]["clock_hz"] == 8_000_000
    assert slow["figures"]["cpu_load_pct"] == pytest.approx(3 * fast["figures"]["cpu_load_pct"], rel=1e-3)
    assert over["status"] == "error" and "py32f003 cannot run at 48000000 Hz" in over["error"]


def test_a_killed_sweep_worker_costs_no_point_its_points_run_again(tmp_path):
    """As `run` does: the points a dead worker took down run again, each in a pool of its
    own; none of them is recorded as an error."""
    from test_robustness import _children, kill_first_worker

    path = write_sweep(tmp_path, 'opt = ["-Os", "-O1", "-O2"]\nframes = [10, 20]')
    out = tmp_path / "k.json"
    proc = subprocess.Popen(
        [*COMMAND, "sweep", str(path), "--jobs", "2", "--fresh", "--json-file", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    err = kill_first_worker(proc)
    assert proc.returncode == 0, err
    doc = json.loads(out.read_text())
    assert doc["complete"] and [r.get("error") for r in doc["points"] if r["status"] == "error"] == []
    assert not _children(proc.pid)


def test_a_sweep_out_of_time_says_so_and_is_not_an_interrupt(tmp_path):
    """--timeout means the same everywhere: exit 2 with the timeout's line (130 is Ctrl-C).
    An executor whose points never finish: the parent's own alarm stops the sweep."""
    from concurrent.futures import Executor, Future

    from mcubench.bench.sweep_run import run_sweep
    from mcubench.emu import deadline

    class Stuck(Executor):
        def submit(self, fn, *args):
            return Future()  # never finishes

        def shutdown(self, wait=True, cancel_futures=False):
            pass

    sweep = load_sweep(write_sweep(tmp_path, 'opt = ["-Os", "-O2"]'))
    deadline.arm(0.3)
    try:
        outcome = run_sweep(sweep, Stuck(), fresh=True)
    finally:
        deadline.disarm()
    assert outcome.interrupted and outcome.records == []
    assert outcome.timeout is not None and "wall-clock timeout" in outcome.timeout


def test_a_sweep_over_two_chips_writes_a_winner_for_each_chip_it_was_measured_on(tmp_path):
    """A clock swept on the PY32F003 and the RP2040: each winner file names its own chip
    only (one file for both applied the PY32's winning clock to the RP2040 as well)."""
    path = write_sweep(
        tmp_path,
        'target = ["py32f003", "rp2040"]\nclock_hz = [16_000_000, 24_000_000]',
        'objective = { figure = "cpu_load_pct", goal = "min" }',
    )
    out = tmp_path / "two.json"
    proc = mcubench("sweep", str(path), "--jobs", "2", "--json-file", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert set(doc["winners"]) == {"py32f003", "rp2040"}
    for target in ("py32f003", "rp2040"):
        text = (tmp_path / f"two_winner_{target}.toml").read_text()
        assert f'targets = ["{target}"]' in text and "clock_hz = 24000000" in text
        other = "rp2040" if target == "py32f003" else "py32f003"
        assert f"[budgets.{other}]" not in text
    assert not (tmp_path / "two_winner.toml").exists()


def test_sweep_json_means_stdout_as_everywhere_and_json_file_names_the_file(tmp_path):
    path = write_sweep(tmp_path, 'opt = ["-Os", "-O2"]')
    out = tmp_path / "s.json"
    proc = mcubench("sweep", str(path), "--json", "--json-file", str(out))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == json.loads(out.read_text())

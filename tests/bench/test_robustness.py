"""Nothing is lost and nothing hangs: a dead worker costs only its own job, Ctrl-C and
--timeout stop the work and keep what finished, no process is left behind, absurd
inputs are refused up front, and a normal CI memory limit is enough."""

import os
import resource
import signal
import subprocess
from pathlib import Path

import pytest
from run_cli import COMMAND

from mcubench.base.errors import Interrupted
from mcubench.bench.pool import fan_out
from mcubench.data.wav import WavError, read_wav
from mcubench.emu.elf_image import ElfImage

ROOT = Path(__file__).resolve().parents[2]
FIR = (ROOT / "benchmarks" / "fir_q15.toml").read_text()


def square_or_die(x):
    if x == 3:
        os.kill(os.getpid(), signal.SIGKILL)  # a worker killed by the OOM killer, say
    return x * x


def interrupt_at(x):
    if x == 2:
        os.kill(os.getppid(), signal.SIGINT)
    return x


def test_a_job_that_kills_its_worker_loses_only_itself():
    out = fan_out(square_or_die, range(8), jobs=2, on_lost=lambda job, why: f"lost {job}: {why}")
    assert sorted(r for r in out if isinstance(r, int)) == [x * x for x in range(8) if x != 3]
    assert [r for r in out if isinstance(r, str)] == [
        "lost 3: the worker process died (killed by a signal or out of memory)"
    ]


@pytest.fixture
def ctrl_c_raises():
    """Ctrl-C as in a terminal, even where the test runner was started with SIGINT ignored
    (a background job of a non-interactive shell)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_keeps_the_finished_results_and_stops_the_workers(ctrl_c_raises):
    with pytest.raises(Interrupted) as info:
        fan_out(interrupt_at, range(200), jobs=2)
    assert info.value.exit_code == 130
    assert len(info.value.finished) < 200
    assert not _children(os.getpid())


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry.name))
    return out


def kill_first_worker(proc, timeout: float = 120) -> str:
    """SIGKILL the first worker process `proc` starts (the OOM killer, say), let `proc`
    finish, and return its stderr; fails when no worker was ever seen."""
    killed = None
    try:
        while killed is None and proc.poll() is None:
            workers = _children(proc.pid)
            if workers:
                os.kill(workers[0], signal.SIGKILL)
                killed = workers[0]
        _, err = proc.communicate(timeout=timeout)
    finally:
        proc.kill()
    assert killed is not None, "no worker seen"
    return err


def _suite(folder: Path, n: int) -> None:
    for i in range(n):
        (folder / f"fir{i:02}.toml").write_text(FIR.replace('name = "fir_q15"', f'name = "fir{i:02}"'))


def _sigint_as_in_a_terminal():
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # even if this test runs where SIGINT is ignored


def _sigint_ignored():
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a background job of a non-interactive shell


def _run(folder: Path, preexec_fn=_sigint_as_in_a_terminal):
    return mcubench(
        "run",
        "--suite",
        folder,
        "--jobs",
        "2",
        "--json-file",
        folder / "r.json",
        "--markdown",
        folder / "r.md",
        preexec_fn=preexec_fn,
    )


def mcubench(*args, **kw):
    return subprocess.Popen(
        [*COMMAND, *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def test_a_killed_worker_in_a_run_still_writes_every_result(tmp_path):
    _suite(tmp_path, 6)
    proc = _run(tmp_path)
    err = kill_first_worker(proc)
    assert proc.returncode == 0, err
    doc = (tmp_path / "r.json").read_text()
    assert all(f'"bench": "fir{i:02}"' in doc for i in range(6)) and '"status": "error"' not in doc


@pytest.mark.parametrize("started", [_sigint_as_in_a_terminal, _sigint_ignored])
def test_ctrl_c_of_run_writes_partial_results_and_leaves_no_process(tmp_path, started):
    """Also when started with SIGINT ignored: the interrupt stops the pool all the same,
    and the results must then say partial (they were written as complete, exit 0)."""
    _suite(tmp_path, 12)
    proc = _run(tmp_path, started)
    try:
        for line in proc.stderr:  # the first finished benchmark, then Ctrl-C
            if line.startswith("[1/"):
                proc.send_signal(signal.SIGINT)
                break
        out, err = proc.communicate()
        children = _children(proc.pid)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "marked partial" in err
    doc = (tmp_path / "r.json").read_text()
    assert '"partial": true' in doc and doc.count('"bench":') < 24
    assert not children


def test_timeout_stops_a_runaway_loop_with_one_line(asm_elf):
    elf = asm_elf({"f": "b f"})
    proc = mcubench(
        "exec", elf, "--target", "py32f003", "--call", "f", "--max-cycles", str(1 << 62), "--timeout", "1"
    )
    out, err = proc.communicate()
    assert proc.returncode == 2 and len(err.strip().splitlines()) == 1
    assert "wall-clock timeout" in err and "f+0x0" in err


def test_a_ci_memory_limit_is_enough(asm_elf):
    elf = asm_elf({"f": "movs r0, #7\nbx lr"})

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB of address space

    proc = mcubench("exec", elf, "--target", "py32f003", "--call", "f", "--json", preexec_fn=limit)
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert '"return_value": 7' in out


def test_absurd_inputs_are_refused_before_any_work(tmp_path):
    fifo = tmp_path / "pipe.elf"
    os.mkfifo(fifo)
    with pytest.raises(Exception, match="not a regular file"):
        ElfImage.load(fifo)
    with pytest.raises(Exception, match="not a regular file"):
        read_wav(fifo)
    for rate in (1, 8, 2_000_000):
        wav = tmp_path / f"r{rate}.wav"
        data = b"\x00\x00" * 100
        fmt = (1).to_bytes(2, "little") + (1).to_bytes(2, "little") + rate.to_bytes(4, "little")
        fmt += (2 * rate).to_bytes(4, "little") + (2).to_bytes(2, "little") + (16).to_bytes(2, "little")
        body = (
            b"WAVE"
            + b"fmt "
            + (16).to_bytes(4, "little")
            + fmt
            + b"data"
            + len(data).to_bytes(4, "little")
            + data
        )
        wav.write_bytes(b"RIFF" + len(body).to_bytes(4, "little") + body)
        with pytest.raises(WavError, match="4,000 to 384,000 Hz"):
            read_wav(wav)

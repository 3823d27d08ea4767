"""The GitHub Action's shell steps (scripts/action-steps.sh, which action.yml runs) on
this machine, against a project `mcubench init` made: a passing branch, a branch over
budget, and a suite that does not load. What a runner would do, minus the runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from user_project import slower

ROOT = Path(__file__).resolve().parents[2]
STEPS = ROOT / "scripts" / "action-steps.sh"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("action_project")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["mcubench", "init"], cwd=root, env=env, check=True, capture_output=True)
    return root, env


def step(project, name: str, tmp: Path, **extra) -> tuple[int, str, dict, str]:
    root, env = project
    tmp.mkdir(exist_ok=True)
    output, summary = tmp / "output", tmp / "summary.md"
    env = {**env, "RUNNER_TEMP": str(tmp), "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}
    env.update(extra)
    proc = subprocess.run(
        ["bash", STEPS, name], cwd=root, env=env, capture_output=True, text=True, timeout=600
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines()) if output.exists() else {}
    return proc.returncode, summary.read_text() if summary.exists() else "", outputs, proc.stderr


def test_a_passing_branch_passes_with_the_check_in_the_job_summary(project, tmp_path):
    code, _, outputs, err = step(project, "run", tmp_path)
    assert code == 0 and outputs["run-exit-code"] == "0", err
    code, summary, outputs, err = step(project, "check", tmp_path)
    assert code == 0 and outputs["exit-code"] == "0", err
    assert summary.startswith("### mcubench check: passed") and "gain_q15" in summary
    assert (tmp_path / "mcubench-benchmark.json").is_file() and (tmp_path / "mcubench-junit.xml").is_file()


def test_a_branch_over_budget_fails_the_check_not_the_run(project, tmp_path):
    root, _ = project
    kernel = root / "src" / "gain_q15.c"
    original = kernel.read_text()
    kernel.write_text(slower(original))
    try:
        assert step(project, "run", tmp_path)[0] == 0
        code, summary, outputs, _ = step(project, "check", tmp_path, CHECK_ARGS="--allow-missing")
    finally:
        kernel.write_text(original)
    assert code == 1 and outputs["exit-code"] == "1"
    assert "mcubench check: FAILED" in summary and "max_cycles_per_frame 1500" in summary


def test_a_suite_that_does_not_load_stops_the_job_at_the_run_and_says_so(project, tmp_path):
    """`run ... || true` hid this, and the check then died on a missing file with an
    empty job summary."""
    root, _ = project
    broken = root / "benchmarks" / "broken.toml"
    broken.write_text("[benchmark]\nname = 3\n")
    try:
        code, summary, outputs, err = step(project, "run", tmp_path)
        check, check_summary, check_outputs, _ = step(project, "check", tmp_path / "after")
    finally:
        broken.unlink()
    assert code == 2 and outputs["run-exit-code"] == "2" and "broken.toml" in err
    assert "### mcubench: the suite did not run" in summary
    assert check == 2 and check_outputs["exit-code"] == "2"
    assert "### mcubench check: ERROR" in check_summary

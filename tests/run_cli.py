"""The mcubench command line run as a user runs it: a subprocess of this interpreter
(`python -m mcubench.cli`), output captured as text, bounded in time."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-m", "mcubench.cli"]


def mcubench(*args, cwd=ROOT, env=None, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*COMMAND, *map(str, args)], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout
    )


def outcome(*args, cwd=ROOT) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of one command."""
    proc = mcubench(*args, cwd=cwd)
    return proc.returncode, proc.stdout, proc.stderr


def assert_one_line_error(rc, err, pattern):
    assert rc == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert pattern in lines[0], lines[0]

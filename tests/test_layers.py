"""The package's shape: one-way layers (checked by import-linter's layers contract in
pyproject.toml), no import cycles between modules, and no imports hidden inside
functions except of optional heavy dependencies."""

import ast
import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "harness" / "mcubench"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
# Imported where they are used: heavy, optional, or only needed by one command.
# scipy.signal costs 0.75 s at start-up and only resampling uses it.
LOCAL_IMPORTS_ALLOWED = {
    "matplotlib",
    "tflite_micro",  # the oracle of `model --run`: an optional extra
    "cmsisdsp",
    "emlearn",
    "torch",
    "librosa",
    "scipy.signal",
    "distributed",  # the optional cluster extra (mcubench sweep --cluster)
    "pymicro_features",  # a test dependency (the reference of one benchmark), not a runtime one
}


def _allowed(module: str) -> bool:
    return any(module == a or module.startswith(a + ".") for a in LOCAL_IMPORTS_ALLOWED)


def lint_imports(package_parent: Path, config: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        cwd=package_parent,
        env=env,
        capture_output=True,
        text=True,
    )


def test_layers_are_one_way():
    proc = lint_imports(PACKAGE.parent, ROOT / "pyproject.toml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "one-way layers KEPT" in proc.stdout


def test_the_layer_check_fails_on_a_back_edge(tmp_path):
    """A copy of the package where the emulator imports the suite: the contract breaks."""
    shutil.copytree(PACKAGE, tmp_path / "mcubench", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    machine = tmp_path / "mcubench" / "emu" / "machine.py"
    machine.write_text(machine.read_text() + "\nfrom mcubench.bench import suite  # a back-edge\n")
    proc = lint_imports(tmp_path, tmp_path / "pyproject.toml")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "one-way layers BROKEN" in proc.stdout
    assert "mcubench.emu.machine -> mcubench.bench.suite" in proc.stdout


@functools.cache
def _modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        out[".".join(["mcubench", *parts])] = ast.parse(path.read_text(), str(path))
    return out


def _imports(tree: ast.Module, modules) -> set[str]:
    """The mcubench modules a module imports (a package's name stands for its __init__)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mcubench"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in modules else node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("mcubench"))
    return out & set(modules)


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return stack[stack.index(n) :] + [n]
            if n not in state and (found := visit(n)):
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_no_import_cycles_between_modules():
    modules = _modules()
    graph = {m: _imports(t, modules) - {m} for m, t in modules.items()}
    # a package's __init__ that re-exports a submodule is not an edge back into it
    graph["mcubench.cli"] = set()
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_the_cycle_check_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def _local_imports(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import):
                    yield from (a.name for a in inner.names)
                elif isinstance(inner, ast.ImportFrom):
                    yield inner.module or "."


@pytest.mark.parametrize("name", sorted(_modules()))
def test_no_function_local_imports_but_optional_heavy_ones(name):
    hidden = [m for m in _local_imports(_modules()[name]) if not _allowed(m)]
    assert not hidden, f"{name} imports {hidden} inside a function: import at the top, or fix the layering"


def test_ruff_is_clean():
    ruff = Path(sys.executable).parent / "ruff"
    for args in (["check"], ["format", "--check"]):
        proc = subprocess.run(
            [str(ruff), *args, "harness", "tests", "scripts"], cwd=ROOT, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_the_package_type_checks():
    """pyright's basic rules over harness/mcubench (configured in pyproject.toml); the
    editable install is a plain path entry, so the checker follows every import."""
    pyright = Path(sys.executable).parent / "basedpyright"
    proc = subprocess.run([str(pyright)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    assert "0 errors" in proc.stdout


@pytest.mark.slow
def test_the_type_check_fails_on_a_type_error(tmp_path):
    """The same check on a copy of the package with one wrong call: it must fail."""
    shutil.copytree(PACKAGE, tmp_path / "harness" / "mcubench", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    paths = tmp_path / "harness" / "mcubench" / "base" / "paths.py"
    paths.write_text(paths.read_text() + "\nWRONG: int = cache_dir()  # a Path is not an int\n")
    pyright = Path(sys.executable).parent / "basedpyright"
    proc = subprocess.run(
        [str(pyright), "--pythonpath", sys.executable, "harness/mcubench/base/paths.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stdout
    assert "paths.py" in proc.stdout and "not assignable" in proc.stdout

"""The user's project: the folder a project file marks, and where its things go.

A project is marked by `mcubench.toml`, or by a `[tool.mcubench]` table in
`pyproject.toml`, found from the working directory upwards (MCUBENCH_PROJECT may name
the folder or the file instead). Its suite, results and build products live inside it,
and paths in its files resolve against the file that names them, so `mcubench run` in
someone's firmware repository measures their benchmarks and writes into their tree,
never into the mcubench installation.

Outside any project, commands that only read an ELF still work: their build products
go to the per-user cache. Commands that write results ask for a project.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from mcubench.base.errors import ConfigError
from mcubench.base.paths import cache_dir
from mcubench.base.schema import Field, Source, check_table
from mcubench.base.toml_files import parse_toml, read_text

PROJECT_FILE = "mcubench.toml"
PROJECT_FIELDS = {
    "suite": Field("str"),
    "results": Field("str"),
    "build": Field("str"),
    "targets": Field("list[str]"),
    "apps": Field("list[str]"),
    "python_path": Field("list[str]"),
}
DEFAULTS = {"suite": "benchmarks", "results": "results", "build": ".mcubench/build", "python_path": ["."]}


@dataclass(frozen=True)
class Project:
    root: Path | None  # None: no project file was found
    config_file: Path | None
    suite_dir: Path
    results_dir: Path
    build_dir: Path
    target_dirs: tuple[Path, ...] = ()
    app_files: tuple[Path, ...] = ()
    python_path: tuple[Path, ...] = ()

    @property
    def gen_dir(self) -> Path:
        return self.build_dir / "gen"

    def require(self, what: str) -> Project:
        """This project, or a one-line error for commands that need one."""
        if self.root is None:
            raise ConfigError(
                f"{what} needs a project: no {PROJECT_FILE} (or [tool.mcubench] in pyproject.toml) "
                f"in {Path.cwd()} or above; `mcubench init` makes one"
            )
        return self

    def import_path(self) -> None:
        """Put the project's Python folders on sys.path (its references, generators)."""
        for p in reversed(self.python_path):
            if str(p) not in sys.path:
                sys.path.insert(0, str(p))


def _table(path: Path) -> tuple[dict, Source, str | None] | None:
    """The project table of a candidate file, or None when the file does not mark one."""
    text = read_text(path)
    data = parse_toml(path, text)
    src = Source(path, text)
    if path.name == PROJECT_FILE:
        return data, src, None
    tool = data.get("tool", {})
    if isinstance(tool, dict) and "mcubench" in tool:
        return tool["mcubench"], src, "tool.mcubench"
    return None


def load_project(path: Path) -> Project | None:
    """The project a file declares (mcubench.toml or pyproject.toml), None if it does not."""
    found = _table(path)
    if found is None:
        return None
    data, src, table = found
    check_table(data, PROJECT_FIELDS, src, table)
    conf = {**DEFAULTS, **data}
    root = path.parent.resolve()
    targets = conf.get("targets", ["targets"] if (root / "targets").is_dir() else [])
    apps = conf.get("apps", ["apps.toml"] if (root / "apps.toml").is_file() else [])
    return Project(
        root=root,
        config_file=path.resolve(),
        suite_dir=root / conf["suite"],
        results_dir=root / conf["results"],
        build_dir=root / conf["build"],
        target_dirs=tuple(root / t for t in targets),
        app_files=tuple(root / a for a in apps),
        python_path=tuple(root / p for p in conf["python_path"]),
    )


def find_project(start: Path) -> Project | None:
    """The nearest project at or above `start`."""
    for folder in (start, *start.parents):
        for name in (PROJECT_FILE, "pyproject.toml"):
            candidate = folder / name
            if candidate.is_file():
                project = load_project(candidate)
                if project is not None:
                    return project
    return None


def loose() -> Project:
    """No project: build products in the per-user cache, nothing else written."""
    build = cache_dir() / "build"
    return Project(None, None, Path.cwd() / "benchmarks", Path.cwd() / "results", build)


@functools.cache
def _current(cwd: str, env: str | None) -> Project:
    if env:
        p = Path(env)
        if p.is_dir():
            p = next((p / n for n in (PROJECT_FILE, "pyproject.toml") if (p / n).is_file()), p / PROJECT_FILE)
        if not p.is_file():
            raise ConfigError(f"MCUBENCH_PROJECT={env}: no project file there")
        project = load_project(p)
        if project is None:
            raise ConfigError(f"{p}: no [tool.mcubench] table")
        return project
    return find_project(Path(cwd)) or loose()


_chosen: Project | None = None


def use(project: Project | None) -> Project | None:
    """Make `project` the current one for this process (`mcubench init` measures the
    project it has just written); None goes back to finding it from the directory."""
    global _chosen
    _chosen = project
    return project


def current() -> Project:
    """The project chosen with use(), else that of the working directory (or MCUBENCH_PROJECT)."""
    if _chosen is not None:
        return _chosen
    return _current(os.getcwd(), os.environ.get("MCUBENCH_PROJECT"))

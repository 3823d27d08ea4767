"""One rule for every path a command writes, checked before any work starts: a file
path must not be a folder (numpy would quietly write FOLDER.npy beside it) and must lie
in a folder (existing or to be made) that is not a file; a folder path must not be a
file. A mistake is one line, exit 2, and nothing measured is thrown away at the end."""

from __future__ import annotations

from pathlib import Path

from mcubench.base.errors import ConfigError

# argparse dest -> "file" or "folder" (`--json` is a flag everywhere: JSON on stdout)
OUTPUT_OPTIONS = {
    "output": "file",  # exec --output SYMBOL=FILE (repeatable)
    "png": "file",
    "dump": "file",
    "json_file": "file",
    "markdown": "file",
    "junit": "file",
    "github_benchmark": "file",
    "out": "folder",
}


def _values(dest: str, value) -> list[str]:
    if isinstance(value, bool) or value is None:
        return []
    items = [str(v) for v in (value if isinstance(value, list) else [value])]
    return [v.split("=", 1)[1] if dest == "output" and "=" in v else v for v in items]


def check_path(option: str, text: str, kind: str) -> None:
    """One line when `text` cannot be written as a `kind` ("file" or "folder")."""
    path = Path(text)
    if kind == "file" and (path.is_dir() or text.endswith(("/", "\\"))):
        raise ConfigError(f"--{option} {text}: is a folder; give a file path")
    if kind == "folder" and path.exists() and not path.is_dir():
        raise ConfigError(f"--{option} {text}: is a file; give a folder")
    for parent in (path.parent if kind == "file" else path, *path.parents):
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(f"--{option} {text}: {parent} is a file, not a folder")
            break


def check_output_paths(args) -> None:
    """Every output option of the parsed command line, by the one rule above."""
    for dest, kind in OUTPUT_OPTIONS.items():
        for text in _values(dest, getattr(args, dest, None)):
            check_path(dest.replace("_", "-"), text, kind)

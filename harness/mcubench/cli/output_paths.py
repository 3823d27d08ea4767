"""One rule for every path a command writes, checked before any work starts (the rule
is base/files.py's check_writable, which `run` applies to its defaults too): a file path
must not be a folder (numpy would quietly write FOLDER.npy beside it) and must lie in a
writable folder, existing or to be made; a folder path must not be a file. A mistake is
one line naming the option, exit 2, and nothing measured is thrown away at the end."""

from __future__ import annotations

from pathlib import Path

from mcubench.base.errors import ConfigError
from mcubench.base.files import check_writable, check_writable_folder

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
    """One line, naming the option, when `text` cannot be written as a `kind`."""
    try:
        if kind == "file" and text.endswith(("/", "\\")):
            raise ConfigError(f"{text}: is a folder; give a file name")
        (check_writable if kind == "file" else check_writable_folder)(Path(text))
    except ConfigError as exc:
        raise ConfigError(f"--{option} {exc}") from None


def check_output_paths(args) -> None:
    """Every output option of the parsed command line, by the one rule above."""
    for dest, kind in OUTPUT_OPTIONS.items():
        for text in _values(dest, getattr(args, dest, None)):
            check_path(dest.replace("_", "-"), text, kind)

"""Write docs/reference/keys.md and docs/reference/cli.md from the code's own validators
and argument parser, so the reference cannot drift from what mcubench accepts
(tests/test_docs.py fails when the committed pages differ from what this writes).

    .venv/bin/python scripts/gen-docs-reference.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mcubench.apps.app import APP_FIELDS
from mcubench.base.project import PROJECT_FIELDS
from mcubench.base.schema import Field
from mcubench.bench.budgets import BUDGETS
from mcubench.bench.suite import BENCHMARK_FIELDS
from mcubench.bench.sweep_file import POINT_FIGURES, SAMPLE_FIELDS, SWEEP_FIELDS
from mcubench.chip.peripherals import PERIPHERAL_FIELDS, REGISTER_FIELDS
from mcubench.chip.targets import _CACHE_FIELDS, _REGION_FIELDS, TARGET_FIELDS
from mcubench.cli.main import parser

DOCS = Path(__file__).resolve().parent.parent / "docs" / "reference"
KINDS = {
    "str": "string",
    "int": "integer",
    "number": "number",
    "bool": "true/false",
    "list[str]": "list of strings",
    "table": "table",
    "any": "value",
}
PROBES = {
    "int": (-(10**18), 10**18, 0, 3),
    "number": (-(10**18), 10**18, 0),
    "str": ("\x00?", "-O9", "../x"),
    "list[str]": (["-mcpu=x"],),
}


def rule(field: Field) -> str:
    """What the check demands, read off its own message for values it refuses."""
    if field.check is None:
        return ""
    found = []
    for probe in PROBES.get(field.kind, ()):
        try:
            message = field.check(probe)
        except Exception:  # a probe of the wrong shape for this check
            continue
        if message and message not in found:
            found.append(message)
    return "; ".join(found)


def table(title: str, fields: dict, intro: str = "") -> list[str]:
    out = [f"## {title}", ""]
    if intro:
        out += [intro, ""]
    out += ["| key | type | required | rule (from the validator) |", "|---|---|---|---|"]
    for key, field in fields.items():
        rule_text = rule(field).replace("|", "\\|")
        out.append(f"| `{key}` | {KINDS[field.kind]} | {'yes' if field.required else ''} | {rule_text} |")
    return out + [""]


def keys_page() -> str:
    out = [
        "# Reference: every key of every file",
        "",
        "Generated from the validators (`scripts/gen-docs-reference.py`): a key not listed here is",
        "an error naming the file and line, with the valid names.",
        "",
    ]
    out += table("Project file (`mcubench.toml` or `[tool.mcubench]`)", PROJECT_FIELDS)
    out += table("Benchmark file: `[benchmark]`", BENCHMARK_FIELDS)
    out += ["## Benchmark file: `[budgets.<target>]`", ""]
    out += ["| budget | limits | how |", "|---|---|---|"]
    hows = {"max": "at most", "min_snr": "at least (met by any bit-exact result)", "flag": "true: bit-exact"}
    for b in BUDGETS.values():
        where = f"`extra.{b.metric}`" if b.in_extra else f"`{b.metric}`"
        out.append(f"| `{b.key}` | {where} | {hows[b.kind]} |")
    out += [""]
    out += table("Chip file (`targets/<name>.toml`)", TARGET_FIELDS)
    out += table("Chip file: `[[region]]`", _REGION_FIELDS)
    out += table("Chip file: `[region.cache]`", _CACHE_FIELDS)
    out += table("Chip file: `[[peripheral]]`", PERIPHERAL_FIELDS)
    out += table("Chip file: a peripheral's `registers`", REGISTER_FIELDS)
    out += table("Apps file (`apps.toml`): `[<app name>]`", APP_FIELDS)
    out += table("Sweep file: `[sweep]`", SWEEP_FIELDS)
    out += table("Sweep file: `sample`", SAMPLE_FIELDS)
    out += [
        "A sweep's `objective` names one of the figures its points record: "
        + ", ".join(f"`{f}`" for f in POINT_FIGURES)
        + " (the accuracies only for points with a model).",
        "",
    ]
    return "\n".join(out).rstrip() + "\n"


def cli_page() -> str:
    p = parser()
    sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help for a in sub._choices_actions}
    out = [
        "# Reference: commands",
        "",
        "Generated from the argument parser (`scripts/gen-docs-reference.py`). Exit codes: 0 every",
        "budget holds, 1 a budget or regression fails (or a model does not fit), 2 an error",
        "(one line on stderr), 130 interrupted.",
        "",
    ]
    for name, command in sub.choices.items():
        out += [f"## `mcubench {name}`", "", helps.get(name, "") or "", ""]
        out += ["| argument | meaning |", "|---|---|"]
        for a in command._actions:
            if isinstance(a, argparse._HelpAction):
                continue
            what = ", ".join(f"`{s}`" for s in a.option_strings) or f"`{a.dest}`"
            text = (a.help or "").replace("|", "\\|")
            if a.default not in (None, False, [], argparse.SUPPRESS) and "default" not in text:
                text += f" (default {a.default})"
            out.append(f"| {what} | {text} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


PAGES = {"keys.md": keys_page, "cli.md": cli_page}

if __name__ == "__main__":
    check = "--check" in sys.argv[1:]
    stale = []
    for name, make in PAGES.items():
        path, text = DOCS / name, make()
        if check:
            if not path.is_file() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.write_text(text)
            print(f"wrote {path}")
    if stale:
        print(f"stale (run scripts/gen-docs-reference.py): {', '.join(stale)}", file=sys.stderr)
        sys.exit(1)

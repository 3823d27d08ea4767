"""Write docs/reference/keys.md and docs/reference/cli.md from the code's own validators
and argument parser, and every figure table marked in a docs page from the committed
results (results/baseline.json), so neither can drift from what mcubench accepts and
measured (tests/test_docs.py fails when the committed pages differ from what this writes).

A generated table in a page sits between

    <!-- results table: BENCH@TARGET BENCH@TARGET ... | COLUMN COLUMN ... -->   (or * for every entry)
    <!-- end of results table -->

where a column is a results key (`cycles_per_frame`, `extra.cycles_per_frame_mean`, ...),
and every study table (figures from other commands, committed in results/studies/ by
scripts/make-studies.py) between the markers scripts/docs_studies.py describes.

    .venv/bin/python scripts/gen-docs-reference.py
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from docs_studies import MARKER as STUDY_TABLE
from docs_studies import fill as fill_studies

from mcubench.apps.app import APP_FIELDS
from mcubench.base.project import PROJECT_FIELDS
from mcubench.base.schema import Field
from mcubench.bench.budgets import BUDGETS
from mcubench.bench.suite import BENCHMARK_FIELDS
from mcubench.bench.sweep_file import POINT_FIGURES, SAMPLE_FIELDS, SWEEP_FIELDS
from mcubench.chip.peripherals import PERIPHERAL_FIELDS, REGISTER_FIELDS
from mcubench.chip.targets import (
    _CACHE_FIELDS,
    _FLASH_INTERFACE_FIELDS,
    _LATENCY_FIELDS,
    _REGION_FIELDS,
    TARGET_FIELDS,
)
from mcubench.cli.main import parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "reference"
RESULTS = ROOT / "results" / "baseline.json"
TABLE = re.compile(r"(<!-- results table: (.*?) \| (.*?) -->\n)(.*?)(<!-- end of results table -->)", re.S)
COLUMNS = {  # key: title (and how a value reads)
    "cycles_per_frame": "cycles/frame (worst)",
    "extra.cycles_per_frame_mean": "mean",
    "cpu_load_pct": "CPU load",
    "flash_bytes": "flash B",
    "flash_net_bytes": "flash net B",
    "extra.code_net_bytes": "code B",
    "extra.tables_net_bytes": "tables B",
    "ram_peak_bytes": "RAM peak B",
    "extra.component_ram_bytes": "own RAM B",
    "snr_db": "SNR dB",
    "extra.mean_abs_err_db": "mean err dB",
    "extra.max_abs_err_db": "max err dB",
    "bit_exact": "bit-exact",
    "status": "status",
    "stack_peak_bytes": "stack B",
    "extra.accuracy_float": "accuracy float",
    "extra.accuracy_int8": "accuracy int8",
    "extra.accuracy_firmware": "accuracy firmware",
    "extra.cycles_per_frame_median": "median",
    "extra.segment_accuracy": "segments right",
}


def _cell(key: str, e: dict) -> str:
    value = e["extra"].get(key[6:]) if key.startswith("extra.") else e.get(key)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if key == "cpu_load_pct":
        return f"{value:.1f}% @ {e['clock_hz'] / 1e6:g} MHz"
    if key.startswith("extra.accuracy_") or key == "extra.segment_accuracy":
        return f"{100 * value:.1f}%"
    if isinstance(value, float):
        return (
            f"{value:.1f}" if key == "snr_db" else f"{value:g}" if value != int(value) else f"{int(value):,}"
        )
    return f"{value:,}"


def results_table(rows: str, columns: str, doc: dict) -> str:
    index = {(e["bench"], e["target"]): e for e in doc["results"]}
    keys = columns.split()
    out = ["| benchmark | target | " + " | ".join(COLUMNS[k] for k in keys) + " |"]
    out.append("|---|---|" + "---|" * len(keys))
    specs = [f"{b}@{t}" for b, t in index] if rows.strip() == "*" else rows.split()  # *: every entry
    for spec in specs:
        bench, target = spec.split("@")
        e = index[(bench, target)]
        out.append(f"| {bench} | {target} | " + " | ".join(_cell(k, e) for k in keys) + " |")
    return "\n".join(out) + "\n"


def fill_tables(text: str, doc: dict) -> str:
    # blank lines around the table: Markdown reads a comment line and what follows as one HTML block
    return TABLE.sub(
        lambda m: m.group(1) + "\n" + results_table(m.group(2), m.group(3), doc) + "\n" + m.group(5), text
    )


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
    out += table(
        "Chip file: `[flash_interface]`",
        _FLASH_INTERFACE_FIELDS,
        '`prefetch` and `icache`: true, false, or the enable bit as `"PERIPHERAL.REGISTER:BIT"` '
        "(its reset value is the state at start); `icache_reset`: the bit that empties the cache.",
    )
    out += table(
        "Chip file: `flash_latency`",
        _LATENCY_FIELDS,
        '`register` as `"PERIPHERAL.REGISTER"`; `mask` selects the wait-state field.',
    )
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


def pages() -> dict[Path, str]:
    """Every generated page, path -> text: the two references and each page with tables."""
    out = {DOCS / name: make() for name, make in PAGES.items()}
    doc = json.loads(RESULTS.read_text())
    for path in sorted((ROOT / "docs").rglob("*.md")):
        text = path.read_text()
        if TABLE.search(text) or STUDY_TABLE.search(text):
            out[path] = fill_studies(fill_tables(text, doc))
    return out


if __name__ == "__main__":
    check = "--check" in sys.argv[1:]
    stale = []
    for path, text in pages().items():
        if check:
            if not path.is_file() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.write_text(text)
            print(f"wrote {path}")
    if stale:
        print(f"stale (run scripts/gen-docs-reference.py): {', '.join(stale)}", file=sys.stderr)
        sys.exit(1)

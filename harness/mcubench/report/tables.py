"""Readable outputs of a results document: a terminal table, Markdown, JUnit XML; and the
Markdown table of the FFT cost comparison."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from mcubench.bench.budgets import BUDGET_COLUMNS

RED, GREEN, RESET = "\033[31m", "\033[32m", "\033[0m"


def _cell(entry: dict, metric: str, budget_key: str) -> str:
    value = entry.get(metric)
    if value is None:
        return "-"
    limit = entry["budgets"].get(budget_key)
    if limit is None and budget_key == "max_cycles_per_frame" and entry["cycles"] == value:
        limit = entry["budgets"].get("max_cycles")  # one frame: the cycles budget applies
    text = f"{value:,}"
    return f"{text} ({100 * value / limit:.0f}%)" if limit else text


def _rows(doc: dict) -> list[list[str]]:
    rows = []
    for e in doc["results"]:
        exact = {True: "yes", False: "no", None: "-"}[e["bit_exact"]]
        load = "-" if e.get("cpu_load_pct") is None else f"{e['cpu_load_pct']:.1f}%"
        rows.append(
            [e["bench"], e["target"], e["status"]]
            + [_cell(e, m, k) for _, m, k in BUDGET_COLUMNS]
            + [load, exact]
        )
    return rows


HEADER = ["bench", "target", "status"] + [c for c, _, _ in BUDGET_COLUMNS] + ["CPU load", "bit-exact"]


def table(doc: dict, color: bool = False) -> str:
    rows = _rows(doc)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(HEADER)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(HEADER, widths))]
    for row, e in zip(rows, doc["results"]):
        line = "  ".join(c.ljust(w) for c, w in zip(row, widths))
        if color and e["status"] != "pass":
            line = RED + line + RESET
        lines.append(line)
    lines.append("(percentages: share of the benchmark's budget)")
    return "\n".join(lines)


def markdown(doc: dict) -> str:
    out = [
        f"### mcubench results ({doc['git_sha'][:12]}, {doc['toolchain']})",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    for row in _rows(doc):
        out.append("| " + " | ".join(row) + " |")
    failures = [e for e in doc["results"] if e["status"] != "pass"]
    if failures:
        out.append("")
        for e in failures:
            why = e["error"] or "; ".join(e["violations"])
            out.append(f"- **{e['bench']} on {e['target']}**: {e['status']}: {why}")
    return "\n".join(out) + "\n"


def junit(doc: dict) -> str:
    """JUnit XML: one test case per benchmark x target; budget failures are <failure>,
    errors are <error>, so CI systems show them like failing tests."""
    cases = []
    for e in doc["results"]:
        name = quoteattr(f"{e['bench']}[{e['target']}]")
        body = ""
        if e["status"] == "fail":
            msg = "; ".join(e["violations"])
            body = f"<failure message={quoteattr(msg)}>{escape(msg)}</failure>"
        elif e["status"] == "error":
            body = f"<error message={quoteattr(e['error'] or '')}>{escape(e['error'] or '')}</error>"
        cases.append(f'  <testcase classname="mcubench.{e["bench"]}" name={name}>{body}</testcase>')
    failures = sum(e["status"] == "fail" for e in doc["results"])
    errors = sum(e["status"] == "error" for e in doc["results"])
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<testsuite name="mcubench" tests="{len(cases)}" '
        f'failures="{failures}" errors="{errors}">\n' + "\n".join(cases) + "\n</testsuite>\n"
    )


def _fmt(v, spec_=","):
    return "-" if v is None else format(v, spec_)


def fft_table(rows: list[dict]) -> str:
    head = [
        "variant",
        "N",
        "target",
        "cycles",
        "code B",
        "tables B",
        "flash B",
        "RAM B",
        "SNR dB",
        "bit-exact",
        "fits py32f003",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        if r["status"] == "does_not_fit":
            cells = [
                r["variant"],
                str(r["n"]),
                r["target"],
                r["error"].split(": ", 1)[-1],
                "",
                "",
                "",
                "",
                "",
                "",
                "no",
            ]
        else:
            exact = {True: "yes", False: "NO", None: "-"}[r["bit_exact"]]
            cells = [
                r["variant"],
                str(r["n"]),
                r["target"],
                _fmt(r["cycles"]),
                _fmt(r["code_bytes"]),
                _fmt(r["table_bytes"]),
                _fmt(r["flash_bytes"]),
                _fmt(r["ram_bytes"]),
                _fmt(r["snr_db"], ".1f"),
                exact,
                {True: "yes", False: "no", None: "-"}[r["fits_py32f003"]],
            ]
            if r["status"] == "error":
                cells[3] = "error: " + (r["error"] or "")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)

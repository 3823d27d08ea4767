"""Readable outputs of a results document: a terminal table and Markdown."""

from __future__ import annotations

from .runner_metrics import BUDGET_COLUMNS

RED, GREEN, RESET = "\033[31m", "\033[32m", "\033[0m"


def _cell(entry: dict, metric: str, budget_key: str) -> str:
    value = entry.get(metric)
    if value is None:
        return "-"
    limit = entry["budgets"].get(budget_key)
    text = f"{value:,}"
    return f"{text} ({100 * value / limit:.0f}%)" if limit else text


def _rows(doc: dict) -> list[list[str]]:
    rows = []
    for e in doc["results"]:
        exact = {True: "yes", False: "no", None: "-"}[e["bit_exact"]]
        rows.append([e["bench"], e["target"], e["status"]]
                    + [_cell(e, m, k) for _, m, k in BUDGET_COLUMNS] + [exact])
    return rows


HEADER = ["bench", "target", "status"] + [c for c, _, _ in BUDGET_COLUMNS] + ["bit-exact"]


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
    out = [f"### mcubench results ({doc['git_sha'][:12]}, {doc['toolchain']})", "",
           "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in _rows(doc):
        out.append("| " + " | ".join(row) + " |")
    failures = [e for e in doc["results"] if e["status"] != "pass"]
    if failures:
        out.append("")
        for e in failures:
            why = e["error"] or "; ".join(e["violations"])
            out.append(f"- **{e['bench']} on {e['target']}**: {e['status']}: {why}")
    return "\n".join(out) + "\n"

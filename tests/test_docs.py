"""The documentation site builds strictly, and its reference pages are what the code's
validators and parser say today (a new key or option without regenerating them fails)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_generated_reference_is_current():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen-docs-reference.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


def test_the_site_builds_strictly(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(ROOT / "mkdocs.yml"),
            "-d",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "reference" / "keys" / "index.html").is_file()


def test_the_readme_is_one_screen_that_links_to_pages_that_exist():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 60 and "make bench" in text and "make test" in text
    for link in [part.split(")")[0] for part in text.split("](")[1:]]:
        assert (ROOT / link.split("#")[0]).is_file(), link


def test_figure_tables_are_generated_from_the_committed_results():
    """The front-end tables are filled from results/baseline.json by the generator (the
    drift test above fails when a figure in them is not the committed one)."""
    import json

    page = (ROOT / "docs" / "explanation" / "frontend.md").read_text()
    assert page.count("<!-- results table:") >= 2
    base = json.loads((ROOT / "results" / "baseline.json").read_text())
    e = next(e for e in base["results"] if (e["bench"], e["target"]) == ("frontend_py32_1k", "py32f003"))
    assert f"| frontend_py32_1k | py32f003 | {e['cycles_per_frame']:,} |" in page

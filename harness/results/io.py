"""Reading a results file back (for check, compare, report), or one line saying why not."""

from __future__ import annotations

import json
from pathlib import Path

from mcubench.base.errors import ConfigError
from mcubench.results.entry import SCHEMA_VERSION


def load_results(path) -> dict:
    path = Path(path)
    try:
        doc = json.loads(path.read_text())
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(doc, dict) or doc.get("schema_version") != SCHEMA_VERSION or "results" not in doc:
        raise ConfigError(f"{path}: not an mcubench results file (schema_version {SCHEMA_VERSION})")
    return doc

"""Reading a results file back (for check, compare, report): validated against the
committed schema, or one line saying which file, where in it and what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from mcubench.base.errors import ConfigError
from mcubench.base.files import read_text_input
from mcubench.results.entry import SCHEMA_VERSION, results_schema

MAX_RESULTS_BYTES = 64 << 20
_VALIDATOR = jsonschema.Draft202012Validator(results_schema())


def validate(doc, path) -> dict:
    """The document if it is a valid results file, else a one-line ConfigError."""
    if not isinstance(doc, dict) or doc.get("schema_version") != SCHEMA_VERSION:
        raise ConfigError(f"{path}: not an mcubench results file (schema_version {SCHEMA_VERSION})")
    error = jsonschema.exceptions.best_match(_VALIDATOR.iter_errors(doc))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "top level"
        raise ConfigError(f"{path}: {where}: {error.message[:200]}")
    if not doc["results"]:
        raise ConfigError(f"{path}: no results in the file")
    seen = set()
    for e in doc["results"]:
        key = (e["bench"], e["target"])
        if key in seen:
            raise ConfigError(f"{path}: {key[0]} on {key[1]} appears twice")
        seen.add(key)
    return doc


def load_results(path) -> dict:
    path = Path(path)
    text = read_text_input(path, MAX_RESULTS_BYTES, ConfigError, "a results file")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be a results file") from None
    return validate(doc, path)

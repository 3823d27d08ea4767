"""Reading a results file back (for check, compare, report): validated against the
committed schema, or one line saying which file, where in it and what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from jsonschema.exceptions import best_match

from mcubench.base.errors import ConfigError
from mcubench.base.files import read_text_input
from mcubench.results.entry import MEASURED_KEYS, SCHEMA_VERSION, results_schema

MAX_RESULTS_BYTES = 64 << 20
_VALIDATOR = jsonschema.Draft202012Validator(results_schema())
_ADDED_IN_2 = {"frames": None, "definition": {}}


def _upgrade(doc: dict) -> dict:
    """A version 1 file (before frames and definition) read as version 2 without them."""
    if doc.get("schema_version") == 1 and isinstance(doc.get("results"), list):
        rows = [{**_ADDED_IN_2, **e} if isinstance(e, dict) else e for e in doc["results"]]
        return {**doc, "schema_version": SCHEMA_VERSION, "results": rows}
    return doc


def _entry_name(doc: dict, path_parts) -> str:
    """ "bench on target: " for an error inside results[i], else ""."""
    parts = list(path_parts)
    if len(parts) >= 2 and parts[0] == "results" and isinstance(parts[1], int):
        e = doc["results"][parts[1]]
        if isinstance(e, dict) and isinstance(e.get("bench"), str) and isinstance(e.get("target"), str):
            return f"{e['bench']} on {e['target']}: "
    return ""


def _impossible(e: dict) -> str | None:
    """What a measured entry says that no run can produce, or None."""
    if e["status"] == "error":
        return None if e["error"] else "error: status 'error' without an error message"
    for key in MEASURED_KEYS:
        if e[key] is None:
            return f"{key}: null in an entry with status {e['status']!r} (only an error has no figures)"
    if e["cycles_per_frame"] > e["cycles"]:
        return f"cycles_per_frame: {e['cycles_per_frame']} is more than all frames' cycles {e['cycles']}"
    if e["ram_peak_bytes"] != e["ram_static_bytes"] + e["stack_peak_bytes"]:
        return (
            f"ram_peak_bytes: {e['ram_peak_bytes']} is not ram_static_bytes + stack_peak_bytes "
            f"({e['ram_static_bytes']} + {e['stack_peak_bytes']})"
        )
    return None


def validate(doc, path) -> dict:
    """The document if it is a valid results file, else a one-line ConfigError naming the
    file, the benchmark and the key. Beyond the schema: figures no run can produce (null
    where a measured entry has a count, a worst frame above the total, RAM that is not
    static + stack) are refused, since a gate that believed them could pass anything."""
    doc = _upgrade(doc) if isinstance(doc, dict) else doc
    if not isinstance(doc, dict) or doc.get("schema_version") != SCHEMA_VERSION:
        raise ConfigError(f"{path}: not an mcubench results file (schema_version {SCHEMA_VERSION})")
    error = best_match(_VALIDATOR.iter_errors(doc))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "top level"
        raise ConfigError(f"{path}: {_entry_name(doc, error.absolute_path)}{where}: {error.message[:200]}")
    if not doc["results"]:
        raise ConfigError(f"{path}: no results in the file")
    seen = set()
    for e in doc["results"]:
        key = (e["bench"], e["target"])
        if key in seen:
            raise ConfigError(f"{path}: {key[0]} on {key[1]} appears twice")
        seen.add(key)
        wrong = _impossible(e)
        if wrong is not None:
            raise ConfigError(f"{path}: {key[0]} on {key[1]}: {wrong}")
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

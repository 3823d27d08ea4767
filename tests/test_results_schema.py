"""The committed JSON schema matches the code, and real results validate against it."""

import json

import jsonschema

from harness.results import SCHEMA_PATH, document, empty_entry, results_schema
from harness.runner import run_suite
from harness.suite import load_suite, select


def test_committed_schema_matches_the_code():
    committed = json.loads(SCHEMA_PATH.read_text())
    assert committed == results_schema(), "regenerate with: python -m harness.results"


def test_real_results_and_error_entries_validate():
    doc = document(run_suite(select(load_suite(), ["fir_q15"]), ["py32f003"], jobs=1))
    err = empty_entry("x", "py32f003")
    err["error"] = "something broke"
    doc["results"].append(err)
    jsonschema.validate(doc, results_schema())
    assert all(list(e) == list(results_schema()["properties"]["results"]["items"]["properties"])
               for e in doc["results"])

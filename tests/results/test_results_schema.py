"""The committed JSON schema matches the code, and real results validate against it."""

import json

import jsonschema

from mcubench.bench.schedule import run_suite
from mcubench.bench.suite import load_suite, select
from mcubench.results.document import SCHEMA_PATH, document
from mcubench.results.entry import Entry, results_schema


def test_committed_schema_matches_the_code():
    committed = json.loads(SCHEMA_PATH.read_text())
    assert committed == results_schema(), "regenerate with: python -m mcubench.results"


def test_real_results_and_error_entries_validate():
    outcomes = run_suite(select(load_suite(), ["fir_q15"]), ["py32f003"], jobs=1)
    doc = document([m.entry for m in outcomes] + [Entry.failed("x", "py32f003", "something broke")])
    jsonschema.validate(doc, results_schema())
    assert all(
        list(e) == list(results_schema()["properties"]["results"]["items"]["properties"])
        for e in doc["results"]
    )

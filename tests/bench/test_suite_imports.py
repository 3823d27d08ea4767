"""Loading the suite checks names only: it must not import the model registry or the
trainers (they load when a model benchmark runs), and the cheap list of reference names
must be the references the runner dispatches to."""

import json
import subprocess
import sys

from mcubench.bench.reference_names import REFERENCE_NAMES
from mcubench.bench.references import REFERENCES

PROBE = (
    "import json, sys\n"
    "from mcubench.bench.suite import load_suite\n"
    "suite = load_suite()\n"
    "mods = sorted(m for m in sys.modules if m.startswith('mcubench'))\n"
    "print(json.dumps([[b.name for b in suite], mods]))\n"
)


def test_loading_the_suite_imports_no_trainer_and_no_registry():
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    names, modules = json.loads(proc.stdout)
    assert {"sed_gru", "py32_sed_tcn", "fir_q15"} <= set(names)  # model benchmarks among them
    heavy = [
        m for m in modules if m.startswith(("mcubench.nn.train", "mcubench.nn.sed_", "mcubench.nn.genre"))
    ]
    assert heavy == [] and "mcubench.nn.registry" not in modules, heavy
    assert "mcubench.nn.model_names" in modules  # the names were checked, by the cheap module


def test_the_reference_names_are_the_references():
    assert tuple(REFERENCES) == REFERENCE_NAMES

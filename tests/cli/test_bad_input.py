"""Bad input gets a clear one-line error, never an internal error or a silent pass:
property tests that feed arbitrary TOML values to the suite loader and arbitrary JSON
documents to the results reader, and the gate's former holes one by one."""

import copy
import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from run_cli import mcubench

from mcubench.base.errors import ConfigError, McubenchError
from mcubench.bench.suite import load_benchmark
from mcubench.chip.targets import load_target
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.machine import Machine
from mcubench.pytest_plugin import Mcu
from mcubench.results.document import document
from mcubench.results.entry import Entry
from mcubench.results.io import load_results

ROOT = Path(__file__).resolve().parents[2]
FIR = (ROOT / "benchmarks" / "fir_q15.toml").read_text()
SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + "}"


scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["-O3", "fir_q15", "py32f003", "noise", "int16", "bench_input", "rp2040"]),
)


def containers(inner):
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)


values = st.recursive(scalars, containers, max_leaves=6)
keys = st.sampled_from(
    [
        "name",
        "sources",
        "targets",
        "opt",
        "frames",
        "hop",
        "sample_rate",
        "input",
        "output",
        "generator",
        "reference",
        "tables",
        "include",
        "warmup_calls",
        "cmsis",
        "sed_model",
        "app",
        "stream",
        "defines",
        "framez",
        "opt_level",
    ]
)
OUTCOMES = {"valid": 0, "clear error": 0}


def _assert_clean(load, path):
    try:
        load(path)
        OUTCOMES["valid"] += 1
    except ConfigError as exc:
        msg = str(exc)
        assert "\n" not in msg and str(path) in msg, msg
        OUTCOMES["clear error"] += 1


@SETTINGS
@given(
    key=keys, value=values, table=st.sampled_from(["benchmark", "budgets.py32f003", "budget.py32f003", "top"])
)
def test_any_toml_value_in_a_suite_file_is_valid_or_a_clear_error(tmp_path, key, value, table):
    text = FIR
    line = f"{key} = {toml_value(value)}\n"
    if table == "benchmark":
        text = text.replace("[benchmark]\n", "[benchmark]\n" + line, 1)
    elif table == "top":
        text = line + text
    else:
        text += f"\n[{table}]\n{line}"
    path = tmp_path / "b.toml"
    path.write_text(text)
    _assert_clean(load_benchmark, path)


def _valid_doc() -> dict:
    e = Entry("k", "py32f003", status="pass", cycles=10, bit_exact=True, budgets={"max_cycles": 20})
    e.cycles_per_frame, e.frames, e.clock_hz = 10, 1, 24_000_000
    e.flash_bytes, e.ram_static_bytes, e.stack_peak_bytes, e.ram_peak_bytes = 100, 50, 8, 58
    return json.loads(json.dumps(document([e])))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    containers,
    max_leaves=10,
)


@SETTINGS
@given(doc=json_values)
def test_any_json_document_is_a_results_file_or_a_clear_error(tmp_path, doc):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    _assert_clean(load_results, path)


@SETTINGS
@given(
    field=st.sampled_from(sorted(Entry.__dataclass_fields__) + ["schema_version", "results", "extra_key"]),
    value=json_values,
)
def test_a_results_file_with_any_field_changed_is_valid_or_a_clear_error(tmp_path, field, value):
    doc = _valid_doc()
    if field in ("schema_version", "results", "extra_key"):
        doc[field] = value
    else:
        doc["results"][0][field] = value
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    _assert_clean(load_results, path)


@pytest.mark.parametrize(
    "change,pattern",
    [
        (lambda d: d.update(results={}), "results: {} is not of type 'array'"),
        (lambda d: d.update(results=[]), "no results in the file"),
        (lambda d: d["results"][0].update(status="weird"), "results/0/status"),
        (lambda d: d["results"][0].update(budgets=[]), "results/0/budgets"),
        (lambda d: d["results"][0].pop("target"), "'target' is a required property"),
        (lambda d: d["results"][0].update(cycles="12"), "results/0/cycles"),
        (lambda d: d["results"].append(copy.deepcopy(d["results"][0])), "k on py32f003 appears twice"),
    ],
)
def test_results_files_are_validated_against_the_schema(tmp_path, change, pattern):
    doc = _valid_doc()
    change(doc)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match=pattern.replace("[", r"\[").replace("{", r"\{")):
        load_results(path)


@pytest.mark.parametrize(
    "content,pattern",
    [(b"\xff\xfe{}", "not UTF-8"), (b"[" * 100_000, "nested too deeply"), (b"{", "not JSON")],
)
def test_unreadable_results_files_are_one_line_errors(tmp_path, content, pattern):
    path = tmp_path / "r.json"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=pattern):
        load_results(path)


@pytest.mark.parametrize(
    "old,new,pattern",
    [
        ("[budgets.py32f003]", "[budget.py32f003]", "unknown key 'budget' in the top level"),
        ("max_cycles = 100_000", "max_cycle = 100_000", "unknown budget 'max_cycle' in [budgets.py32f003]"),
        ("max_stack_bytes = 96", "max_stack_bytes = -1", "max_stack_bytes = -1 must be at least 0"),
        ("bit_exact = true", "bit_exact = 1", "bit_exact must be true or false"),
    ],
)
def test_a_typo_in_a_budget_is_an_error_with_file_and_line(tmp_path, old, new, pattern):
    (tmp_path / "fir.toml").write_text(FIR.replace(old, new, 1))
    proc = mcubench("run", "--suite", tmp_path, "--json-file", tmp_path / "r.json")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert pattern in proc.stderr and f"{tmp_path / 'fir.toml'}:" in proc.stderr
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize(
    "line,pattern",
    [
        ("framez = 4", "unknown key 'framez' in [benchmark]"),
        ('frames = "two"', "frames must be an integer"),
        ("frames = 0", "frames = 0 must be positive"),
        ("opt = 3", "opt must be a string"),
        ('opt_level = "-O3"', "unknown key 'opt_level'"),
        ("name = 5", "name must be a string"),
    ],
)
def test_benchmark_keys_are_checked_by_name_and_type(tmp_path, line, pattern):
    key = line.split(" =")[0]
    kept = "\n".join(ln for ln in FIR.splitlines() if not ln.startswith(f"{key} ="))
    text = kept.replace("[benchmark]\n", f"[benchmark]\n{line}\n", 1)
    path = tmp_path / "b.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=pattern.replace("[", r"\[").replace("]", r"\]")):
        load_benchmark(path)


def test_generator_parameters_are_checked_by_name(tmp_path):
    path = tmp_path / "b.toml"
    path.write_text(FIR.replace("generator = {", "generator = { smaple_rate = 8000, ", 1))
    with pytest.raises(ConfigError, match="unknown key 'smaple_rate' in \\[benchmark.generator\\]"):
        load_benchmark(path)


@pytest.mark.parametrize("path_kind", ["folder", "binary"])
def test_a_suite_file_that_is_not_text_is_a_clear_error(tmp_path, path_kind):
    suite = tmp_path / "suite"
    suite.mkdir()
    if path_kind == "folder":
        (suite / "x.toml").mkdir()
    else:
        (suite / "x.toml").write_bytes(b"\xff\xfe\x00name")
    proc = mcubench("run", "--suite", suite)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "x.toml" in proc.stderr and ("folder" in proc.stderr or "UTF-8" in proc.stderr)


@pytest.mark.parametrize(
    "args,pattern",
    [
        (["check", "--tolerance", "nan"], "not a finite percentage"),
        (["check", "--tolerance", "-1"], "not a finite percentage"),
        (["exec", "x.elf", "--target", "py32f003", "--call", "f", "--max-cycles", str(2**63)], "outside"),
        (["exec", "x.elf", "--target", "py32f003", "--call", "f", "--max-cycles", "0"], "outside"),
        (["exec", "x.elf", "--target", "py32f003", "--call", "f", "--arg", str(2**64)], "outside"),
        (["stream", "x.wav", "--app", "py32_sed", "--clock", "-5"], "outside"),
        (["stream", "x.wav", "--app", "py32_sed", "--clock", "0"], "outside"),
        (["perf", "--blocks", "-1"], "outside"),
        (["run", "--jobs", "0"], "outside"),
        (["run", "--json-file", "/"], "is a folder"),
    ],
)
def test_option_values_that_would_wrap_or_mean_the_default_are_refused(args, pattern):
    proc = mcubench(*args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert pattern in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def good_elf(tmp_path_factory):
    return (
        Mcu()
        .build_elf("int f(int a) { return a * 3 + 1; }\nint g(void) { return f(2); }\n", "py32f003")
        .read_bytes()
    )


@SETTINGS
@given(data=st.data())
def test_a_mutated_elf_loads_and_runs_or_is_a_clear_error(tmp_path, good_elf, data):
    """Random bytes overwritten anywhere in a real ELF (headers, tables, code)."""
    raw = bytearray(good_elf)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    path = tmp_path / "m.elf"
    path.write_bytes(bytes(raw))
    try:
        image = ElfImage.load(path)
        Machine(image, load_target("py32f003")).call(
            "g",
        )
        OUTCOMES["valid"] += 1
    except McubenchError as exc:
        assert "\n" not in str(exc)
        OUTCOMES["clear error"] += 1


def test_report_the_case_count():
    """Runs last in this file: what the property tests above tried (printed with -s)."""
    print(f"\nbad-input property tests: {OUTCOMES}")
    assert sum(OUTCOMES.values()) >= 1200


@pytest.mark.parametrize(
    "argv,option",
    [
        (["check", "{base}", "--baseline", "{base}", "--github-benchmark", "{dir}"], "--github-benchmark"),
        (["check", "{base}", "--baseline", "{base}", "--markdown", "{dir}"], "--markdown"),
        (["report", "{base}", "--out", "{file}"], "--out"),
        (["run", "--bench", "fir_q15", "--json-file", "{dir}"], "--json-file"),
        (["run", "--bench", "fir_q15", "--junit", "{file}/x.xml"], "--junit"),
        (["exec", "{elf}", "--target", "py32f003", "--call", "f", "--output", "buf={dir}"], "--output"),
        (["stream", "{wav}", "--app", "py32_sed", "--png", "{dir}"], "--png"),
        (["stream", "{wav}", "--app", "py32_sed", "--dump", "{dir}"], "--dump"),
        (["sweep", "{sweep}", "--json-file", "{dir}"], "--json-file"),
    ],
)
def test_every_output_path_is_checked_before_the_work_starts(tmp_path, argv, option):
    """A folder where a file is wanted (numpy wrote FOLDER.npy beside it, exit 0; others
    failed after the work as internal errors), or a file where a folder is: one line,
    exit 2, nothing written."""
    folder, file = tmp_path / "out_dir", tmp_path / "a_file"
    folder.mkdir()
    file.write_text("x")
    base = ROOT / "results" / "baseline.json"
    sweep = ROOT / "benchmarks" / "sweeps" / "py32_sed.toml"
    elf = tmp_path / "missing.elf"  # never reached: the path check comes first
    wav = ROOT / "benchmarks" / "data" / "sed_speech_16000.wav"
    words = [a.format(base=base, dir=folder, file=file, sweep=sweep, elf=elf, wav=wav) for a in argv]
    proc = mcubench(*words, cwd=ROOT)
    rc, err = proc.returncode, proc.stderr
    assert rc == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"mcubench: {option} ") and ("folder" in err or "is a file" in err), err
    assert sorted(tmp_path.iterdir()) == sorted([folder, file])
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("kind", ["suite", "sweep", "chip", "project"])
def test_deeply_nested_toml_is_one_line_in_every_reader(tmp_path, kind):
    deep = "x = " + "[" * 5000 + "]" * 5000 + "\n"
    (tmp_path / "mcubench.toml").write_text(deep if kind == "project" else "")
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "targets").mkdir()
    argv = {"suite": ["run"], "sweep": ["sweep", "s.toml"], "chip": ["targets"], "project": ["run"]}[kind]
    where = {"suite": "benchmarks/b.toml", "sweep": "s.toml", "chip": "targets/c.toml"}.get(kind)
    if where:
        (tmp_path / where).write_text(deep)
    proc = mcubench(*argv, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "nested too deeply" in proc.stderr


def test_check_of_results_with_an_error_exits_2_with_a_line_saying_so(tmp_path):
    doc = _valid_doc()
    doc["results"].append(Entry.failed("b", "rp2040", "build failed").as_dict())
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    proc = mcubench("check", path, "--no-baseline", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == "mcubench: 1 benchmark(s) in the results ended in an error\n"

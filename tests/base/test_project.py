"""Project mode: a user's repository with its own kernels, references, data, chips and
budgets, found from the working directory; everything it writes stays inside it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from run_cli import COMMAND, mcubench
from user_project import APP, APPS, REFS

from mcubench.cli.main import parser

ROOT = Path(__file__).resolve().parents[2]

KERNEL = """\
#include "mcubench.h"
#define N 32
int16_t bench_input[N] MCUBENCH_BUFFER;
int16_t bench_output[N] MCUBENCH_BUFFER;
void bench_init(void) {}
int32_t bench_run(void)
{
    for (int i = 0; i < N; i++)
        bench_output[i] = (int16_t)(bench_input[i] >> 1);
    return bench_output[0];
}
"""

LEVEL_BENCH = """\
[benchmark]
name = "{name}"
app = "{app}"
frames = 40
generator = {{ kind = "noise", seed = 3, level_dbfs = -10.0 }}

[budgets.py32f003]
max_deadline_misses = 0
max_ram_bytes = 1_024
"""

# The PY32F002A: 20 KiB flash, 3 KiB SRAM, 24 MHz (Puya PY32F002A datasheet, section 2).
CHIP = """\
name = "py32f002a"
description = "Puya PY32F002A (Cortex-M0+, 20 KiB flash, 3 KiB SRAM)"
clock_hz = 24_000_000
mul_cycles = 1
flash_wait_states = [[24_000_000, 0]]

[[region]]
name = "flash"
kind = "flash"
base = 0x0800_0000
size = 0x5000
perms = "rx"

[[region]]
name = "sram"
kind = "sram"
base = 0x2000_0000
size = 0xC00
perms = "rwx"
"""


def bench_toml(name: str, input_extra: str = "", output_extra: str = "", body: str = "") -> str:
    return f"""\
[benchmark]
name = "{name}"
sources = ["../src/half.c"]
targets = ["py32f002a", "py32f003"]
input = {{ symbol = "bench_input", dtype = "int16"{input_extra} }}
output = {{ symbol = "bench_output", dtype = "int16"{output_extra} }}
{body}
[budgets.py32f002a]
max_cycles = 2_000
bit_exact = true
"""


def git(*args, cwd):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True, capture_output=True
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A user project: its own kernel, reference, generator, data files and chip."""
    root = tmp_path_factory.mktemp("user_project")
    (root / "mcubench.toml").write_text('suite = "benchmarks"\napps = ["apps.toml"]\n')
    (root / "apps.toml").write_text(APPS)
    (root / "src").mkdir()
    (root / "src" / "half.c").write_text(KERNEL)
    (root / "src" / "level.c").write_text(APP)
    (root / "refs.py").write_text(REFS)
    (root / "targets").mkdir()
    (root / "targets" / "py32f002a.toml").write_text(CHIP)
    (root / "data").mkdir()
    x = (np.arange(64) * 1000 - 32000).astype(np.int16)
    np.save(root / "data" / "x.npy", x)
    np.save(root / "data" / "y.npy", x >> 1)
    suite = root / "benchmarks"
    suite.mkdir()
    (suite / "by_function.toml").write_text(
        bench_toml(
            "by_function", body='generator = { kind = "refs:ramp", step = 5 }\nreference = "refs:half"\n'
        )
    )
    (suite / "by_files.toml").write_text(
        bench_toml("by_files", ', file = "../data/x.npy"', ', expected = "../data/y.npy"')
    )
    (suite / "level.toml").write_text(
        LEVEL_BENCH.format(name="level", app="level_meter") + "bit_exact = true\n"
    )
    (suite / "level_no_model.toml").write_text(
        LEVEL_BENCH.format(name="level_no_model", app="level_no_model")
    )
    (root / "sub" / "dir").mkdir(parents=True)
    git("init", "-q", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "user project", cwd=root)
    sha = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    proc = mcubench("run", cwd=root / "sub" / "dir")  # found from a subfolder
    return root, sha, proc


def test_run_in_a_project_uses_its_suite_pieces_and_folders(project):
    root, sha, proc = project
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((root / "results" / "latest.json").read_text())
    assert doc["git_sha"] == sha  # the user's commit, not mcubench's
    rows = {(e["bench"], e["target"]): e for e in doc["results"] if not e["bench"].startswith("level")}
    assert set(rows) == {(b, t) for b in ("by_files", "by_function") for t in ("py32f002a", "py32f003")}
    assert all(e["status"] == "pass" and e["bit_exact"] for e in rows.values())
    assert rows[("by_files", "py32f002a")]["cycles"] == rows[("by_files", "py32f003")]["cycles"]
    assert len(doc["results"]) == 6 and (root / ".mcubench" / "build" / "py32f002a").is_dir()
    assert not (root / "sub" / "dir" / "results").exists()


def test_a_user_stream_app_is_timed_with_or_without_a_reference(project):
    root, _, _ = project
    doc = json.loads((root / "results" / "latest.json").read_text())
    level = next(e for e in doc["results"] if e["bench"] == "level")
    bare = next(e for e in doc["results"] if e["bench"] == "level_no_model")
    assert level["status"] == "pass" and level["bit_exact"] is True and level["extra"]["hops"] == 40
    assert bare["status"] == "pass" and bare["bit_exact"] is None and bare["extra"]["deadline_misses"] == 0
    # 64 samples at 16 kHz are 4 ms = 96,000 cycles at 24 MHz; 32 at 8 kHz the same
    assert level["cpu_load_pct"] == round(100 * level["cycles"] / (40 * 96_000), 3)
    assert level["cycles_per_frame"] > bare["cycles_per_frame"]  # twice the samples per hop
    assert not list((root / "results").glob("stream_*.png"))  # no classes: no class picture


def test_a_user_chip_gets_its_memory_from_its_file(project):
    root, _, _ = project
    proc = mcubench("targets", "--json", cwd=root)
    chips = {c["name"]: c for c in json.loads(proc.stdout)}
    assert chips["py32f002a"]["flash_bytes"] == 20 * 1024 and chips["py32f002a"]["sram_bytes"] == 3 * 1024
    elf = next((root / ".mcubench" / "build" / "py32f002a").glob("by_files-*/firmware.elf"))
    info = json.loads(mcubench("inspect", elf, "--target", "py32f002a", "--json", cwd=root).stdout)
    assert info["ram_capacity"] == 3072 and info["flash_capacity"] == 20480


def test_the_file_input_is_fed_whole_and_compared_with_the_expected_file(project):
    root, _, _ = project
    doc = json.loads((root / "results" / "latest.json").read_text())
    by_files = next(e for e in doc["results"] if e["bench"] == "by_files" and e["target"] == "py32f003")
    assert by_files["extra"]["cycles_per_frame_min"] > 0  # 64 values / 32 per hop: two calls
    assert by_files["cycles"] == 2 * by_files["cycles_per_frame"]


@pytest.mark.parametrize(
    "reference,expected,pattern",
    [
        ("refs:first_hop", None, "reference 'refs:first_hop' has 32 values, the firmware gave 64"),
        ("refs:nothing", None, "reference 'refs:nothing' has 0 values, the firmware gave 64"),
        (None, "short.npy", "short.npy has 32 values, the firmware gave 64"),
    ],
)
def test_a_reference_shorter_than_the_output_fails_that_benchmark_only(
    project, tmp_path, reference, expected, pattern
):
    """Only out[:len(expected)] was compared: a one-hop (or empty) reference passed as
    bit-exact. Every value the firmware wrote must be checked."""
    root, _, _ = project
    suite = tmp_path / "suite"
    suite.mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "half.c").write_text(KERNEL)
    x = (np.arange(64) * 1000 - 32000).astype(np.int16)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "short.npy", x[:32] >> 1)
    source = f', file = "{tmp_path / "x.npy"}"'
    if reference:
        body = f'reference = "{reference}"\n'
        (suite / "short.toml").write_text(bench_toml("short", source, body=body))
    else:
        (suite / "short.toml").write_text(
            bench_toml("short", source, f', expected = "{tmp_path / expected}"')
        )
    (suite / "whole.toml").write_text(bench_toml("whole", source, body='reference = "refs:half"\n'))
    out = tmp_path / "r.json"
    proc = mcubench("run", "--suite", suite, "--json-file", out, cwd=root)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    rows = {(e["bench"], e["target"]): e for e in json.loads(out.read_text())["results"]}
    for target in ("py32f002a", "py32f003"):
        assert rows[("short", target)]["status"] == "error" and pattern in rows[("short", target)]["error"]
        assert rows[("whole", target)]["status"] == "pass" and rows[("whole", target)]["bit_exact"]


@pytest.mark.parametrize(
    "mutate,pattern",
    [
        (
            lambda t: t.replace('reference = "refs:half"', 'reference = "refs:nope"'),
            "module 'refs' has no 'nope'",
        ),
        (lambda t: t.replace('reference = "refs:half"', 'reference = "gone:half"'), "cannot import 'gone'"),
        (lambda t: t.replace('kind = "refs:ramp"', 'kind = "refs:ramp", stpe = 1'), "unknown key 'stpe'"),
        (lambda t: t.replace("max_cycles = 2_000", "max_cycle = 2_000"), "unknown budget 'max_cycle'"),
        (
            lambda t: t.replace(
                'sources = ["../src/half.c"]', 'smaple_rate = 1\nsources = ["../src/half.c"]'
            ),
            "unknown key 'smaple_rate'",
        ),
        (lambda t: t.replace("[budgets.py32f002a]", "[budgets.py32f003a]"), "which is not in targets"),
    ],
)
def test_mistakes_in_a_user_benchmark_are_one_line_with_file_and_line(project, tmp_path, mutate, pattern):
    root, _, _ = project
    suite = tmp_path / "suite"
    suite.mkdir()
    text = (root / "benchmarks" / "by_function.toml").read_text()
    (suite / "b.toml").write_text(mutate(text))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "half.c").write_text(KERNEL)
    proc = mcubench("run", "--suite", suite, "--json-file", tmp_path / "r.json", cwd=root)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    line = proc.stderr.strip().splitlines()
    assert len(line) == 1 and pattern in line[0] and f"{suite / 'b.toml'}:" in line[0], proc.stderr


@pytest.mark.parametrize(
    "text,pattern",
    [
        ('suite = "benchmarks"\nresult = "out"\n', "mcubench.toml:2: unknown key 'result'"),
        ("suite = 3\n", "mcubench.toml:1: suite must be a string"),
    ],
)
def test_a_bad_project_file_is_one_line(tmp_path, text, pattern):
    (tmp_path / "mcubench.toml").write_text(text)
    proc = mcubench("run", cwd=tmp_path)
    assert proc.returncode == 2 and pattern in proc.stderr and len(proc.stderr.splitlines()) == 1


def test_pyproject_tool_table_marks_a_project_and_no_project_is_an_error(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.mcubench]\nsuit = "b"\n')
    proc = mcubench("run", cwd=tmp_path / "a")
    assert proc.returncode == 2 and "pyproject.toml:5: unknown key 'suit' in [tool.mcubench]" in proc.stderr
    proc = mcubench("check", cwd=tmp_path)
    assert proc.returncode == 2 and "needs a project" in proc.stderr and "mcubench init" in proc.stderr


def test_a_user_chip_that_shadows_a_builtin_one_is_an_error(tmp_path):
    (tmp_path / "mcubench.toml").write_text("")
    (tmp_path / "targets").mkdir()
    (tmp_path / "targets" / "rp2040.toml").write_text(CHIP.replace("py32f002a", "rp2040"))
    proc = mcubench("targets", cwd=tmp_path)
    assert proc.returncode == 2 and "target 'rp2040' is already defined" in proc.stderr


def test_every_option_has_help_and_there_is_a_version():
    p = parser()
    sub = next(a for a in p._actions if a.dest == "command")
    for name, command in sub.choices.items():
        for action in command._actions:
            assert action.help, f"mcubench {name} {action.option_strings or action.dest}: no help text"
    proc = subprocess.run([*COMMAND, "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("mcubench 0.")


def test_exec_reads_and_writes_buffers_and_agrees_with_the_fixture_on_the_sign(mcu, tmp_path):
    src = (
        "#include <stdint.h>\nint16_t in[4], out[4];\n"
        "int f(void) { for (int i = 0; i < 4; i++) out[i] = -in[i]; return out[0]; }\n"
    )
    fw = mcu.build(src, "py32f003")
    fw.write("in", [5, 6, 7, 8])
    assert fw.call("f").return_value == -5
    np.save(tmp_path / "in.npy", np.array([5, 6, 7, 8], dtype=np.int16))
    proc = mcubench(
        "exec",
        fw.elf,
        "--target",
        "py32f003",
        "--call",
        "f",
        "--input",
        f"in={tmp_path / 'in.npy'}",
        "--output",
        f"out={tmp_path / 'out.npy'}",
        "--json",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["return_value"] == -5
    assert np.load(tmp_path / "out.npy").tolist() == [-5, -6, -7, -8]
    bad = mcubench("exec", fw.elf, "--target", "py32f003", "--call", "f", "--input", "in", cwd=tmp_path)
    assert bad.returncode == 2 and "expected SYMBOL=FILE" in bad.stderr


def test_inspect_all_adds_frames_along_the_call_graph(mcu, tmp_path):
    src = """
    #include <stdint.h>
    volatile int32_t sink;
    __attribute__((noinline)) int leaf(int x) { volatile int32_t buf[8]; buf[x & 7] = x; return buf[1]; }
    __attribute__((noinline)) int mid(int x) { volatile int32_t buf[4]; buf[x & 3] = leaf(x); return buf[0]; }
    int top(int x) { return mid(x) + 1; }
    __attribute__((noinline)) int rec(int n) { return n ? rec(n - 1) + 1 : 0; }
    int (*volatile fp)(int) = leaf;
    int indirect(int x) { return fp(x); }
    """
    fw = mcu.build(src, "py32f003", opt="-O1")
    proc = mcubench("inspect", fw.elf, "--target", "py32f003", "--all", "--json", cwd=tmp_path)
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    leaf, mid, top = rows["leaf"], rows["mid"], rows["top"]
    assert (
        leaf["frame_from"] == "gcc"
        and leaf["callees"] == []
        and leaf["worst_stack_bytes"] == leaf["frame_bytes"]
    )
    assert mid["callees"] == ["leaf"] and mid["worst_stack_bytes"] == mid["frame_bytes"] + leaf["frame_bytes"]
    assert top["worst_stack_bytes"] == top["frame_bytes"] + mid["worst_stack_bytes"]
    assert rows["rec"]["worst_stack_bytes"] is None and "recursion" in rows["rec"]["unknown"]
    assert rows["indirect"]["worst_stack_bytes"] is None and "indirect call" in rows["indirect"]["unknown"]
    measured = fw.call("top", 3).stack_peak_bytes
    assert measured <= top["worst_stack_bytes"]


def test_inspect_diff_shows_what_grew(mcu, tmp_path):
    a = mcu.build_elf("const short t[8] = {1};\nint f(int i) { return t[i]; }\n", "py32f003")
    b = mcu.build_elf(
        "const short t[40] = {1};\nint f(int i) { return t[i]; }\nint g(void) { return 2; }\n", "py32f003"
    )
    proc = mcubench("inspect", b, "--target", "py32f003", "--diff", a, "--json", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    rows = {r["name"]: r for r in doc["symbols"]}
    assert rows["t"]["delta"] == 64 and rows["t"]["before"] == 16 and rows["g"]["before"] == 0
    assert doc["totals"]["rodata_bytes"] == 64


def test_check_warns_on_another_toolchain_fails_when_strict_and_exports_benchmark_json(tmp_path):
    base = json.loads((ROOT / "results" / "baseline.json").read_text())
    other = {**base, "toolchain": "arm-none-eabi-gcc 99.0"}
    for name, doc in (("base.json", base), ("other.json", other)):
        (tmp_path / name).write_text(json.dumps(doc))
    args = ["check", tmp_path / "other.json", "--baseline", tmp_path / "base.json"]
    warn = mcubench(*args, "--github-benchmark", tmp_path / "gh.json", cwd=tmp_path)
    assert warn.returncode == 0 and "warning: toolchain differs" in warn.stdout
    strict = mcubench(*args, "--strict-toolchain", cwd=tmp_path)
    assert strict.returncode == 1 and "toolchain differs" in strict.stdout
    verdict = json.loads(mcubench(*args, "--strict-toolchain", "--json", cwd=tmp_path).stdout)
    assert (
        verdict["exit_code"] == 1 and not verdict["passed"] and "toolchain differs" in verdict["failures"][0]
    )
    gh = json.loads((tmp_path / "gh.json").read_text())
    fir = next(g for g in gh if g["name"] == "fir_q15 on py32f003: cycles_per_frame")
    assert fir["unit"] == "cycles" and fir["value"] == 92_109


def test_tolerance_per_metric(tmp_path):
    base = json.loads((ROOT / "results" / "baseline.json").read_text())
    grown = json.loads(json.dumps(base))
    for e in grown["results"]:
        e["flash_bytes"] = int(e["flash_bytes"] * 1.01) + 1
    (tmp_path / "b.json").write_text(json.dumps(base))
    (tmp_path / "g.json").write_text(json.dumps(grown))
    args = ["check", tmp_path / "g.json", "--baseline", tmp_path / "b.json", "--allow-missing"]
    assert mcubench(*args, cwd=tmp_path).returncode == 1
    assert mcubench(*args, "--tolerance", "flash=2", cwd=tmp_path).returncode == 0
    assert mcubench(*args, "--tolerance", "cycles=2", cwd=tmp_path).returncode == 1
    bad = mcubench(*args, "--tolerance", "joules=2", cwd=tmp_path)
    assert bad.returncode == 2 and "unknown metric; valid: cycles, flash" in bad.stderr


def test_the_action_calls_only_options_that_exist():
    """action.yml's steps run scripts/action-steps.sh: every mcubench call there."""
    script = (ROOT / "action.yml").read_text() + (ROOT / "scripts" / "action-steps.sh").read_text()
    assert "scripts/action-steps.sh" in (ROOT / "action.yml").read_text()
    p = parser()
    sub = next(a for a in p._actions if a.dest == "command")
    used = 0
    for line in script.replace("\\\n", " ").splitlines():
        words = line.split()
        if words[:1] == ["mcubench"] or words[:2] == ["run:", "mcubench"]:
            i = words.index("mcubench")
            command = sub.choices[words[i + 1]]
            known = {o for a in command._actions for o in a.option_strings}
            for w in words[i + 2 :]:
                if w.startswith("--"):
                    assert w in known, f"action.yml: mcubench {words[i + 1]} has no {w}"
            used += 1
    assert used == 2
    for flag in ("--no-baseline", "--strict-toolchain", "--tolerance"):
        assert flag in script


def test_a_closed_pipe_ends_quietly():
    proc = subprocess.Popen([*COMMAND, "targets"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # `mcubench targets | head -0`: the reader is gone before the first line
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0 and err == b""


def test_init_never_overwrites_a_file(tmp_path):
    (tmp_path / "refs.py").write_text("# mine\n")
    proc = mcubench("init", "--no-baseline", cwd=tmp_path)
    assert proc.returncode == 2 and "refs.py: already exists; init never overwrites a file" in proc.stderr
    assert (tmp_path / "refs.py").read_text() == "# mine\n" and not (tmp_path / "mcubench.toml").exists()


@pytest.mark.parametrize("blocker", [".github", "benchmarks", "results", "src"])
def test_init_where_a_folder_it_needs_is_a_file_writes_nothing_and_can_run_again(tmp_path, blocker):
    (tmp_path / blocker).write_text("a file\n")
    proc = mcubench("init", "--no-baseline", cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert f"{tmp_path / blocker}: is a file where init needs a folder" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [blocker]  # nothing half made
    (tmp_path / blocker).unlink()
    again = mcubench("init", "--no-baseline", cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_init_in_an_existing_repository_merges_keeps_and_says_so(tmp_path):
    """Every real repository has a .gitignore, many a conftest.py or a workflow: init
    appends its ignore lines, keeps the user's files, and --dry-run writes nothing."""
    (tmp_path / ".gitignore").write_text("__pycache__/\n.mcubench/\n")
    (tmp_path / "conftest.py").write_text("import os  # the user's\n")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "mcubench.yml").write_text("name: mine\n")
    before = {p: p.read_text() for p in tmp_path.rglob("*") if p.is_file()}
    dry = mcubench("init", "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "would append to .gitignore (6 line(s))" in dry.stdout and "kept conftest.py" in dry.stdout
    assert "would write src/gain_q15.c" in dry.stdout and "would measure the suite into" in dry.stdout
    assert {p: p.read_text() for p in tmp_path.rglob("*") if p.is_file()} == before  # nothing written
    proc = mcubench("init", "--no-baseline", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "appended to .gitignore (6 line(s))" in proc.stdout
    assert "kept .github/workflows/mcubench.yml (exists: left as it is)" in proc.stdout
    ignore = (tmp_path / ".gitignore").read_text().splitlines()
    assert ignore[:2] == ["__pycache__/", ".mcubench/"] and ignore.count(".mcubench/") == 1
    assert {"results/sweep_*", "results/fft-tables.*", "results/junit.xml"} <= set(ignore)
    assert (tmp_path / "conftest.py").read_text() == "import os  # the user's\n"
    assert (tmp_path / "src" / "gain_q15.c").is_file() and (tmp_path / "refs.py").is_file()
    again = mcubench("init", "--no-baseline", cwd=tmp_path)  # a second init changes nothing
    assert again.returncode == 0 and "unchanged .gitignore (has every line)" in again.stdout
    assert "unchanged refs.py (already mcubench's)" in again.stdout


@pytest.mark.slow
def test_a_project_app_streams_from_a_default_apps_toml_with_its_picture_and_profile(tmp_path):
    """apps.toml is found without `apps = [...]` (as targets/ is); --png draws the app's own
    picture (it was ignored) and --profile prints the functions (only --json had them)."""
    (tmp_path / "mcubench.toml").write_text("")
    (tmp_path / "apps.toml").write_text(APPS)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "level.c").write_text(APP)
    (tmp_path / "refs.py").write_text(REFS)
    wav = ROOT / "benchmarks" / "data" / "speech_16000.wav"
    png = tmp_path / "pics" / "level.png"
    proc = mcubench("stream", wav, "--app", "level_meter", "--png", png, "--profile", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"picture          {png}" in proc.stdout and png.stat().st_size > 10_000
    assert "cycles per hop by function" in proc.stdout and "app_process" in proc.stdout
    unknown = mcubench("stream", wav, "--app", "level_metre", cwd=tmp_path)
    assert unknown.returncode == 2 and "level_meter" in unknown.stderr
    assert f"the project's: read from {tmp_path / 'apps.toml'}" in unknown.stderr


def test_inspect_finds_a_benchmarks_elf_by_name(project):
    """The ELF sits in a hashed build folder: `inspect --bench` finds it."""
    root, _, _ = project
    proc = mcubench("inspect", "--bench", "by_files", "--target", "py32f002a", cwd=root)
    assert proc.returncode == 0, proc.stderr
    elf = Path(proc.stdout.split(" on ", 1)[0])
    assert elf.is_file() and elf.is_relative_to(root / ".mcubench" / "build" / "py32f002a")
    info = json.loads(
        mcubench("inspect", "--bench", "by_files", "--target", "py32f002a", "--json", cwd=root).stdout
    )
    assert info["ram_capacity"] == 3072
    for argv, message in (
        (["--target", "py32f002a"], "an ELF file or --bench NAME"),
        (["--bench", "nope", "--target", "py32f002a"], "unknown benchmark 'nope'"),
        (["--bench", "level", "--target", "py32f002a"], "level does not run on py32f002a"),
    ):
        bad = mcubench("inspect", *argv, cwd=root)
        assert bad.returncode == 2 and message in bad.stderr and bad.stderr.count("\n") == 1, bad.stderr


def test_compiler_warnings_are_reported_and_cflags_can_make_them_errors(project, tmp_path):
    root, _, _ = project
    suite = tmp_path / "suite"
    suite.mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "half.c").write_text(
        KERNEL.replace("void bench_init(void) {}", "void bench_init(void) { int unused; }")
    )
    (suite / "warns.toml").write_text(bench_toml("warns", body='reference = "refs:half"\n'))
    strict = bench_toml("strict", body='reference = "refs:half"\ncflags = ["-Werror"]\n')
    (suite / "strict.toml").write_text(strict)
    out = tmp_path / "r.json"
    proc = mcubench("run", "--suite", suite, "--json-file", out, "--markdown", tmp_path / "r.md", cwd=root)
    rows = {(e["bench"], e["target"]): e for e in json.loads(out.read_text())["results"]}
    warns, errs = rows[("warns", "py32f003")], rows[("strict", "py32f003")]
    assert warns["status"] == "pass" and warns["extra"]["compiler_warnings"] == 1
    assert "unused variable 'unused'" in warns["extra"]["first_compiler_warning"]
    assert errs["status"] == "error" and "unused variable 'unused'" in errs["error"]
    assert proc.returncode == 2
    (suite / "strict.toml").write_text(strict.replace('"-Werror"', '"-mcpu=cortex-m4"'))
    bad = mcubench("run", "--suite", suite, "--json-file", out, "--markdown", tmp_path / "r.md", cwd=root)
    assert bad.returncode == 2 and "'-mcpu=cortex-m4' is mcubench's to set" in bad.stderr


def test_the_scaffolded_workflow_gates_prs_comments_and_can_measure_a_baseline():
    """The workflow init writes: PRs and main gated, the check as a PR comment, and a job
    run by hand that measures the baseline with the runner's toolchain."""
    import yaml

    from mcubench.cli.init import WORKFLOW

    flow = yaml.safe_load(WORKFLOW)
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true
    assert {"pull_request", "push", "workflow_dispatch"} <= set(triggers)
    steps = flow["jobs"]["bench"]["steps"]
    action = next(s for s in steps if str(s.get("uses", "")).startswith("mcubench/mcubench"))
    assert action["with"]["mcubench"].endswith(".whl")  # something that exists once committed
    comment = next(s for s in steps if "sticky-pull-request-comment" in str(s.get("uses", "")))
    assert comment["with"]["path"] == "${{ steps.mcubench.outputs.markdown }}"
    assert flow["permissions"]["pull-requests"] == "write"
    runs = [s.get("run", "") for s in flow["jobs"]["baseline"]["steps"]]
    assert "mcubench baseline --write" in runs

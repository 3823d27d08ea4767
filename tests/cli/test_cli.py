"""The `mcubench` command as a user runs it: keys, exit codes, one-line errors."""

import json
import sys

import pytest
from run_cli import ROOT, assert_one_line_error, outcome

from mcubench.base.paths import FIRMWARE_DIR
from mcubench.build.compile import BuildSpec, build
from mcubench.chip.targets import load_target


@pytest.fixture(scope="module")
def fir_elf():
    return build(BuildSpec("fir_q15", (FIRMWARE_DIR / "bench" / "fir_q15.c",)), load_target("py32f003")).elf


def test_exec_json_has_exactly_the_documented_keys(fir_elf):
    rc, out, err = outcome(
        "exec", fir_elf, "--target", "py32f003", "--init", "bench_init", "--call", "bench_run", "--json"
    )
    assert rc == 0, err
    data = json.loads(out)
    assert list(data) == [
        "cycles",
        "instructions",
        "stack_peak_bytes",
        "return_value",
        "idle_cycles",
        "cache_misses",
        "clock_hz",
    ]
    assert data["cycles"] > data["instructions"] > 0
    assert (data["idle_cycles"], data["cache_misses"], data["clock_hz"]) == (0, 0, 24_000_000)


def test_exec_clock_sets_the_wait_states(fir_elf):
    """--clock 32 MHz: the PY32F003 needs a flash wait state, so the same call costs more
    (one per fetched word and flash read); a clock the chip cannot run is one line, exit 2."""
    args = ["exec", fir_elf, "--target", "py32f003", "--init", "bench_init", "--call", "bench_run", "--json"]
    slow = json.loads(outcome(*args)[1])
    fast = json.loads(outcome(*args, "--clock", "32000000")[1])
    assert fast["clock_hz"] == 32_000_000 and fast["instructions"] == slow["instructions"]
    assert fast["cycles"] > slow["cycles"]
    rc, _, err = outcome(*args, "--clock", "48000000")
    assert rc == 2 and err.strip().splitlines() == [err.strip()] and "at most 32000000 Hz" in err


def test_exec_passes_arguments_and_returns_r0(asm_elf):
    elf = asm_elf({"add3": "adds r0, r0, r1\nadds r0, r0, r2\nbx lr"}, "rp2040")
    rc, out, err = outcome(
        "exec",
        elf,
        "--target",
        "rp2040",
        "--call",
        "add3",
        "--arg",
        "40",
        "--arg",
        "3",
        "--arg",
        "-50",
        "--json",
    )
    assert rc == 0, err
    assert json.loads(out)["return_value"] == -7


def test_exec_fault_is_one_line_with_exit_2(asm_elf):
    elf = asm_elf({"f": "ldr r0, =0x20000001\nldr r0, [r0]\nbx lr\n.ltorg"})
    rc, _, err = outcome("exec", elf, "--target", "py32f003", "--call", "f")
    assert_one_line_error(rc, err, "unaligned access")
    assert "pc=0x08000002 (f+0x2)" in err and "address=0x20000001" in err


@pytest.mark.parametrize(
    "args,pattern",
    [
        (["exec", "/nonexistent.elf", "--target", "py32f003", "--call", "f"], "cannot read"),
        (["exec", "pyproject.toml", "--target", "py32f003", "--call", "f"], "not an ELF file"),
        (["exec", sys.executable, "--target", "py32f003", "--call", "f"], "ELF"),
        (
            ["exec", "x.elf", "--target", "esp32", "--call", "f"],
            "valid targets: atsamd21g18, py32f003, rp2040, stm32c011",
        ),
        (["run", "--bench", "nope"], "unknown benchmark 'nope'; valid:"),
        (["run", "--target", "avr"], "unknown target 'avr'"),
    ],
)
def test_bad_inputs_are_one_line_errors(args, pattern):
    rc, _, err = outcome(*args)
    assert_one_line_error(rc, err, pattern)


def test_inspect_names_every_non_armv6m_function(c_elf):
    elf = c_elf(
        "int mul_add(int a, int b, int c) { return a * b + c; }\n"
        "unsigned div_it(unsigned a, unsigned b) { return a / b; }\n",
        flags=("-O2", "-mcpu=cortex-m3"),
    )
    rc, out, _ = outcome("inspect", elf, "--target", "py32f003", "--json")
    assert rc == 1
    bad = json.loads(out)["armv6m_violations"]
    assert {v["function"].split("+")[0] for v in bad} >= {"mul_add", "div_it"}
    rc, _, err = outcome("exec", elf, "--target", "py32f003", "--call", "mul_add")
    assert_one_line_error(rc, err, "not ARMv6-M")


def test_inspect_reports_capacity(fir_elf):
    rc, out, err = outcome("inspect", fir_elf, "--target", "py32f003", "--json")
    assert rc == 0, err
    data = json.loads(out)
    assert data["flash_capacity"] == 32768 and data["ram_capacity"] == 4096 and data["armv6m_ok"]
    assert (
        data["flash_bytes"]
        == data["vectors_bytes"] + data["text_bytes"] + data["rodata_bytes"] + data["data_bytes"]
    )


@pytest.mark.slow
def test_run_reproduces_the_committed_baseline(tmp_path):
    """The whole suite, run as a user runs it, gives exactly the committed baseline's
    figures (cycles, bytes, accuracy): deterministic across runs and machines."""
    rc, out, err = outcome("run", "--json-file", tmp_path / "r.json", "--markdown", tmp_path / "r.md")
    assert rc == 0, out + err
    doc = json.loads((tmp_path / "r.json").read_text())
    baseline = json.loads((ROOT / "results" / "baseline.json").read_text())
    assert doc["schema_version"] == 2 and doc["toolchain"].startswith("arm-none-eabi-gcc")
    assert [(e["bench"], e["target"]) for e in doc["results"]] == [
        (e["bench"], e["target"]) for e in baseline["results"]
    ]
    for new, old in zip(doc["results"], baseline["results"]):
        assert new == old, f"{new['bench']} on {new['target']} differs from results/baseline.json"
    assert "| fir_q15 | py32f003 | pass |" in (tmp_path / "r.md").read_text()


def test_a_broken_benchmark_does_not_stop_the_others(tmp_path):
    (tmp_path / "a_good.toml").write_text((ROOT / "benchmarks" / "fir_q15.toml").read_text())
    (tmp_path / "b_broken.toml").write_text(
        '[benchmark]\nname = "broken"\nsources = ["mcubench:bench/missing.c"]\ntargets = ["py32f003"]\n'
    )
    rc, out, err = outcome(
        "run", "--suite", tmp_path, "--json-file", tmp_path / "out.json", "--markdown", tmp_path / "out.md"
    )
    assert rc == 2 and "Traceback" not in err
    results = {
        (e["bench"], e["target"]): e for e in json.loads((tmp_path / "out.json").read_text())["results"]
    }
    assert results[("broken", "py32f003")]["status"] == "error"
    assert "missing.c not found" in results[("broken", "py32f003")]["error"]
    assert results[("fir_q15", "py32f003")]["status"] == "pass"
    assert results[("fir_q15", "rp2040")]["status"] == "pass"


@pytest.mark.parametrize(
    "text,pattern",
    [
        ("[benchmark\nname = 1", "line 1"),
        ('[benchmark]\nname = "x"\nsources = []\ntargets = ["pic16"]\n', "unknown target 'pic16'"),
        (
            '[benchmark]\nname = "x"\nsources = []\ntargets = ["rp2040"]\n[budgets.rp2040]\nmax_joules = 1\n',
            "unknown budget 'max_joules'",
        ),
        ('[benchmark]\nname = "x"\ntargets = ["rp2040"]\n', "needs 'sources'"),
    ],
)
def test_malformed_suite_files_name_file_and_problem(tmp_path, text, pattern):
    (tmp_path / "bad.toml").write_text(text)
    rc, _, err = outcome("run", "--suite", tmp_path)
    assert_one_line_error(rc, err, pattern)
    assert "bad.toml" in err


def test_perf_json_keys():
    """The speed goals are figures printed by `mcubench perf`, never a timed test: only
    the keys and the deterministic counts are checked here."""
    rc, out, err = outcome("perf", "--blocks", "2", "--json")
    assert rc == 0, err
    data = json.loads(out)
    assert set(data) == {
        "target",
        "workload",
        "instructions",
        "cycles",
        "mips_no_hooks",
        "mips_native",
        "mips_python",
        "ratio_native_to_no_hooks",
        "ratio_native_to_python",
    }
    assert data["cycles"] > data["instructions"] > 0 and data["mips_native"] > 0


def test_check_flags_a_regression_against_the_baseline(tmp_path):
    rc, _, err = outcome(
        "run",
        "--bench",
        "fir_q15",
        "--target",
        "py32f003",
        "--json-file",
        tmp_path / "new.json",
        "--markdown",
        tmp_path / "new.md",
    )
    assert rc == 0, err
    doc = json.loads((tmp_path / "new.json").read_text())
    fir = doc["results"][0]
    fir["cycles_per_frame"] -= 10  # the baseline was 10 cycles a frame faster
    fir["cycles"] -= 10 * fir["frames"]
    (tmp_path / "base.json").write_text(json.dumps(doc))
    rc, out, _ = outcome(
        "check", tmp_path / "new.json", "--baseline", tmp_path / "base.json", "--markdown", tmp_path / "pr.md"
    )
    assert rc == 1
    assert "1 regression(s)" in out and "(+10)" in out
    assert (tmp_path / "pr.md").read_text() == out
    rc, out, _ = outcome("check", tmp_path / "new.json", "--baseline", tmp_path / "new.json")
    assert rc == 0 and "passed" in out
    rc, out, _ = outcome("compare", tmp_path / "base.json", tmp_path / "new.json")
    assert rc == 0 and "+10" in out


def test_check_and_baseline_refuse_bad_input(tmp_path):
    (tmp_path / "junk.json").write_text("{not json")
    rc, _, err = outcome("check", tmp_path / "junk.json")
    assert_one_line_error(rc, err, "not JSON (line 1")
    rc, _, err = outcome("baseline")
    assert rc == 2 and "--write" in err


@pytest.mark.slow
def test_report_draws_the_charts_of_the_results_passed(tmp_path):
    rc, _, err = outcome(
        "run", "--bench", "fir_q15", "--json-file", tmp_path / "r.json", "--markdown", tmp_path / "r.md"
    )
    assert rc == 0, err
    rc, out, err = outcome("report", tmp_path / "r.json", "--out", tmp_path)
    assert rc == 0, err
    for name in ("memory.png", "realtime.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "logmel.png").exists()  # no front end in these results: no log-mel picture
    doc = json.loads((tmp_path / "r.json").read_text())
    baseline = json.loads((ROOT / "results" / "baseline.json").read_text())
    doc["results"] += [e for e in baseline["results"] if e["bench"] == "frontend_py32_1k"]
    (tmp_path / "r2.json").write_text(json.dumps(doc))
    rc, out, err = outcome("report", tmp_path / "r2.json", "--out", tmp_path)
    assert rc == 0 and (tmp_path / "logmel.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", err


def test_exec_profile_splits_the_cycles_by_function_exactly(asm_elf):
    # f: push {lr} 2, bl g 3, movs 1, pop {pc} 4 = 10 in f;
    # g: movs 1; 4 x subs 1 + bne taken 3 x 2 + not taken 1 = 11; bx lr 2 -> 14.
    elf = asm_elf(
        {
            "f": "push {lr}\nbl g\nmovs r0, #7\npop {pc}",
            "g": "movs r1, #4\n1:\nsubs r1, r1, #1\nbne 1b\nbx lr",
        }
    )
    rc, out, err = outcome("exec", elf, "--target", "py32f003", "--call", "f", "--profile", "--json")
    assert rc == 0, err
    data = json.loads(out)
    assert data["profile"] == {"g": 14, "f": 10} and data["cycles"] == 24
    rc, out, _ = outcome("exec", elf, "--target", "py32f003", "--call", "f", "--profile")
    assert rc == 0 and "58.3%  g" in out


@pytest.mark.parametrize(
    "bench,target", [("fir_q15", "py32f003"), ("py32_sed", "py32f003"), ("genre_lstm_tflite", "rp2040")]
)
def test_inspect_bench_looks_at_the_elf_the_suite_measured(bench, target):
    """A kernel, an app and a .tflite model: the ELF inspect finds has the flash the
    committed baseline recorded for that benchmark."""
    rc, out, err = outcome("inspect", "--bench", bench, "--target", target, "--json")
    assert rc == 0, err
    base = json.loads((ROOT / "results" / "baseline.json").read_text())
    entry = next(e for e in base["results"] if (e["bench"], e["target"]) == (bench, target))
    assert json.loads(out)["flash_bytes"] == entry["flash_bytes"]


def test_the_top_level_help_is_for_users():
    rc, out, _ = outcome("--help")
    assert rc == 0 and "mcubench init" in out and "Exit codes" in out
    assert "dispatched from a table" not in out  # the module's docstring, for developers

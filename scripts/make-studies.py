#!/usr/bin/env python3
"""Measure the docs' studies, the figures that come from commands other than the suite,
into results/studies/*.json; scripts/gen-docs-reference.py fills the docs' tables from
these committed files (as it does from results/baseline.json), so no figure in a docs
table is copied by hand. Each file is a command's own output plus the usual header
(git sha, toolchain, flags) and the command that made it.

    .venv/bin/python scripts/make-studies.py [fft-tables wakeword kernels kernel-compare frontend-compare
                                              perf coremark]

`coremark` needs COREMARK_ROOT (a checkout of eembc/coremark; never copied here);
`kernel-compare` CMSIS_NN_ROOT and TFLM_ROOT (checkouts of CMSIS-NN and tflite-micro).
`perf` is wall-clock (simulated MIPS): the one study that changes from run to run; the
others are deterministic. The wake-word study needs the pinned pymicro-wakeword models
in the cache (any `make bench` fetches them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from mcubench.base.files import write_json
from mcubench.build.sdist import source_tree
from mcubench.results.document import header

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "results" / "studies"
MCUBENCH = [sys.executable, "-m", "mcubench.cli"]
WAKEWORD = ("alexa", "hey_jarvis", "hey_mycroft", "okay_nabu")
SPEECH = "benchmarks/data/sed_speech_16000.wav"


def _json(args: list[str], ok: tuple[int, ...] = (0,)) -> dict:
    """The command's JSON; exit codes in `ok` are results (compare-kernels exits 1 when a
    library is not bit-exact, which the study records), any other a failure."""
    done = subprocess.run(MCUBENCH + args, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if done.returncode not in ok:
        raise subprocess.CalledProcessError(done.returncode, MCUBENCH + args)
    return json.loads(done.stdout)


def fft_tables() -> None:
    subprocess.run(
        MCUBENCH + ["fft-tables", "--out", str(OUT)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )
    doc = json.loads((OUT / "fft-tables.json").read_text())
    write_json(OUT / "fft-tables.json", {**doc, "command": "mcubench fft-tables"})
    for other in ("fft-tables.md", "fft-tables.png"):  # the docs' table is made from the JSON
        (OUT / other).unlink()


def wakeword() -> None:
    tree = source_tree(
        "pymicro-wakeword", "2.5.0", "pymicro_wakeword/models/alexa.tflite", "PYMICRO_WAKEWORD_ROOT"
    )
    models = tree / "pymicro_wakeword" / "models"
    rows = []
    for name in WAKEWORD:
        for sram in (False, True):
            args = ["model", str(models / f"{name}.tflite"), "--target", "rp2040", "--run"]
            args += ["--input", SPEECH, "--steps", "200"] + (["--weights-in-sram"] if sram else [])
            doc = _json(args + ["--json"])
            doc["model"] = name  # the cache's absolute path says nothing to a reader
            ops = doc.pop("ops")
            doc["macs"] = sum(op["macs"] for op in ops)  # per step
            doc["ops"] = [{k: op[k] for k in ("index", "op", "cycles", "macs")} for op in ops if op["macs"]]
            rows.append(doc)
    command = f"mcubench model <pymicro-wakeword>/models/NAME.tflite --target rp2040 --run --input {SPEECH}"
    write_json(
        OUT / "wakeword.json",
        {**header(), "command": command + " --steps 200 [--weights-in-sram] --json", "runs": rows},
    )


def kernels() -> None:
    """Cycles per MAC of each operator of the small fixture models on the PY32F003 (no
    cache, no wait states); the wake-word models' are in the wakeword study."""
    runs = []
    for name in ("dense", "conv"):
        doc = _json(
            ["model", f"tests/fixtures/tflite/{name}.tflite", "--target", "py32f003", "--run", "--json"]
        )
        ops = [{k: op[k] for k in ("index", "op", "cycles", "macs")} for op in doc["ops"] if op["macs"]]
        runs.append(
            {"model": f"{name} fixture", "target": "py32f003", "weights_in": doc["weights_in"], "ops": ops}
        )
    command = "mcubench model tests/fixtures/tflite/NAME.tflite --target py32f003 --run --json"
    write_json(OUT / "kernels.json", {**header(), "command": command, "runs": runs})


def frontend_compare() -> None:
    subprocess.run(
        [sys.executable, "scripts/frontend-compare.py", "--results", "results/baseline.json"]
        + ["--json-file", str(OUT / "frontend-compare.json")],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def perf() -> None:
    runs = [_json(["perf", "--target", t, "--json"]) for t in ("py32f003", "rp2040")]
    write_json(OUT / "perf.json", {**header(), "command": "mcubench perf --target T --json", "runs": runs})


# CoreMark per chip: at its top clock as it resets, with the flash interface as start-up
# code sets it (wait states, prefetch, cache), and at a clock with no wait states.
COREMARK = [
    ("py32f003", None, None),
    ("rp2040", None, None),
    ("stm32g030", None, None),
    ("stm32g030", None, 0x302),
    ("stm32g030", 24_000_000, None),
    ("stm32c011", None, None),
    ("stm32c011", None, 0x301),
    ("stm32c011", 24_000_000, None),
    ("stm32l010", None, None),
    ("stm32l010", None, 0x3),
    ("stm32l010", 16_000_000, None),
    ("atsamd21g18", None, None),
    ("atsamd21g18", 24_000_000, None),
]


def coremark_study() -> None:
    """Needs COREMARK_ROOT (a checkout of eembc/coremark): CI has none, so the committed
    file is what the docs show."""
    import coremark

    rows = [coremark.run(t, 10, "-O2", clock, acr) for t, clock, acr in COREMARK]
    command = "COREMARK_ROOT=... scripts/make-studies.py coremark (scripts/coremark.py, 10 iterations, -O2)"
    write_json(OUT / "coremark.json", {**header(), "command": command, "runs": rows})


def _commit(root: Path) -> str | None:
    done = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def kernel_compare() -> None:
    """Each weighted layer with our kernels, CMSIS-NN and TFLite Micro's reference kernels
    (-O2, -O3) on the RP2040, weights in SRAM. Needs CMSIS_NN_ROOT and TFLM_ROOT (with
    gemmlowp downloaded, or GEMMLOWP_ROOT): CI has neither, so the committed file is
    what the docs show. The models: TFLite Micro's micro_speech, person_detect and the
    two keyword_scrambled SVDF models (from that checkout; its SVDF needs flatbuffers'
    headers in its downloads or FLATBUFFERS_ROOT), the four wake-word models, the conv
    fixture, a DS-CNN of Arm's KWS DS-CNN-S shape and the two SVDF fixtures
    (keyword_scrambled's outputs saturate on any input: its weights are scrambled)."""
    if not (os.environ.get("TFLM_ROOT") and os.environ.get("CMSIS_NN_ROOT")):
        sys.exit("make-studies kernel-compare: set CMSIS_NN_ROOT and TFLM_ROOT to checkouts")
    tflm = Path(os.environ["TFLM_ROOT"])
    wake = source_tree(
        "pymicro-wakeword", "2.5.0", "pymicro_wakeword/models/alexa.tflite", "PYMICRO_WAKEWORD_ROOT"
    )
    models = [
        (
            "micro_speech",
            tflm / "tensorflow/lite/micro/examples/micro_speech/models/micro_speech_quantized.tflite",
        ),
        ("person_detect", tflm / "tensorflow/lite/micro/models/person_detect.tflite"),
        ("keyword_scrambled", tflm / "tensorflow/lite/micro/models/keyword_scrambled.tflite"),
        ("keyword_scrambled_8bit", tflm / "tensorflow/lite/micro/models/keyword_scrambled_8bit.tflite"),
        *[(n, wake / "pymicro_wakeword" / "models" / f"{n}.tflite") for n in WAKEWORD],
        ("conv fixture", ROOT / "tests/fixtures/tflite/conv.tflite"),
        ("DS-CNN fixture", ROOT / "tests/fixtures/tflite/dscnn.tflite"),
        ("svdf fixture", ROOT / "tests/fixtures/tflite/svdf.tflite"),
        ("svdf int8 fixture", ROOT / "tests/fixtures/tflite/svdf_int8.tflite"),
    ]
    runs = []
    for name, path in models:
        doc = _json(["model", str(path), "--target", "rp2040", "--compare-kernels", "--json"], ok=(0, 1))
        doc["model"] = name  # the checkout's absolute path says nothing to a reader
        runs.append(doc)
    checkouts = {
        "cmsis_nn": _commit(Path(os.environ["CMSIS_NN_ROOT"])),
        "tflite_micro": _commit(tflm),
        "flatbuffers": _commit(tflm / "tensorflow/lite/micro/tools/make/downloads/flatbuffers"),
    }
    command = (
        "CMSIS_NN_ROOT=... TFLM_ROOT=... mcubench model MODEL.tflite --target rp2040 --compare-kernels --json"
    )
    write_json(
        OUT / "kernel-compare.json", {**header(), "command": command, "checkouts": checkouts, "runs": runs}
    )


STUDIES = {
    "fft-tables": fft_tables,
    "kernel-compare": kernel_compare,
    "wakeword": wakeword,
    "kernels": kernels,
    "frontend-compare": frontend_compare,
    "perf": perf,
    "coremark": coremark_study,
}

if __name__ == "__main__":
    names = sys.argv[1:] or list(STUDIES)
    unknown = [n for n in names if n not in STUDIES]
    if unknown:
        sys.exit(f"make-studies: unknown study {unknown[0]!r}; valid: {', '.join(STUDIES)}")
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names:
        STUDIES[name]()
        print(f"wrote {name}", file=sys.stderr)

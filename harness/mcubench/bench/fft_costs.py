"""What each real FFT costs on the M0+, in flash, RAM and cycles.

Variants: CMSIS-DSP's arm_rfft_q15 with its stock tables (the 8192-entry real-split
tables come along for every size), the same with only the entries N needs, our own
Q15 FFT, and emlearn's float eml_fft (soft-float). For each variant x N x target: code
and table bytes (net of an empty build), total flash, RAM (static + peak stack),
cycles of one transform (warm cache), SNR against numpy's FFT, bit-exactness against
the reference (the host cmsisdsp package for CMSIS-DSP, our numpy model for ours), and
whether it fits a PY32F003. A build the linker cannot fit is a row that says by how
much, not a crash.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np

from mcubench.base.errors import McubenchError
from mcubench.base.paths import FIRMWARE_DIR
from mcubench.bench.measure import empty_sizes
from mcubench.bench.pool import fan_out
from mcubench.build import cmsis, microfrontend
from mcubench.build.compile import BuildSpec, DoesNotFit, build
from mcubench.chip.targets import load_target
from mcubench.dsp import frontend as fm
from mcubench.dsp.config import fft_config
from mcubench.dsp.frontend_tables import write_header
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.machine import Machine
from mcubench.emu.sizes import sizes

VARIANTS = {
    "cmsis": "CMSIS-DSP arm_rfft_q15, stock tables",
    "cmsis_reduced": "CMSIS-DSP arm_rfft_q15, only the tables N needs",
    "mcubench": "mcubench rfft_q15 (Q15, block floating point)",
    "emlearn": "emlearn eml_fft (float32, soft-float)",
    "kiss": "KISS FFT int16 kiss_fftr (the TFLite Micro front end's)",
}
SIZES = (128, 256, 512, 1024)
TARGETS = ("py32f003", "rp2040")
BENCH = FIRMWARE_DIR / "bench"


def spec(variant: str, n: int, kiss_mem: int = 0) -> BuildSpec:
    if variant in ("cmsis", "cmsis_reduced"):
        tree = cmsis.root()
        defines = (*cmsis.DEFINES, f"RFFT_N={n}", f"RFFT_CFFT_LEN={n // 2}")
        include = cmsis.include_dirs(tree)
        if variant == "cmsis_reduced":
            defines += ("CMSIS_REDUCED",)
            include = (cmsis.reduced_tables_header(n),) + include
        return BuildSpec(
            f"{variant}_{n}",
            (BENCH / "cmsis_rfft_q15_bench.c", *cmsis.rfft_sources(tree)),
            opt="-Os",
            defines=defines,
            include_dirs=include,
        )
    if variant == "mcubench":
        dsp = FIRMWARE_DIR / "dsp"
        return BuildSpec(
            f"mcubench_{n}",
            (BENCH / "rfft_q15_bench.c", dsp / "rfft_q15.c", dsp / "rfft_q15_bfly.S"),
            opt="-O2",
            include_dirs=(write_header(f"fft{n}"), dsp),
        )
    if variant == "emlearn":
        import emlearn

        return BuildSpec(
            f"emlearn_{n}",
            (BENCH / "emlearn_fft_bench.c",),
            opt="-Os",
            defines=(f"RFFT_N={n}",),
            include_dirs=(Path(emlearn.__file__).parent,),
        )
    if variant == "kiss":
        tree = microfrontend.root()
        return BuildSpec(
            f"kiss_{n}",
            (BENCH / "kiss_fftr_bench.cc", tree / microfrontend.LIB / "kiss_fft_int16.cc"),
            opt="-O2",
            defines=(f"RFFT_N={n}", f"KISS_MEM={kiss_mem}" if kiss_mem else "KISS_MEM=65536"),
            include_dirs=microfrontend.include_dirs(tree),
        )
    raise McubenchError(f"unknown FFT variant {variant!r}; valid: {', '.join(VARIANTS)}")


def _input(n: int) -> np.ndarray:
    x = np.random.default_rng(7).standard_normal(n) * 32767 * 10 ** (-12 / 20)
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def _spectrum_and_exact(variant: str, n: int, out: np.ndarray, x: np.ndarray):
    """(bins 0..N/2 in input units, bit-exact flag or None)."""
    if variant.startswith("cmsis"):
        bins = (out[0::2] + 1j * out[1::2])[: n // 2 + 1] * n
        try:
            import cmsisdsp  # C extensions behind a star import: pyright sees no names
        except ImportError:
            return bins, None
        inst = cmsisdsp.arm_rfft_instance_q15()  # pyright: ignore[reportAttributeAccessIssue]
        cmsisdsp.arm_rfft_init_q15(inst, n, 0, 1)  # pyright: ignore[reportAttributeAccessIssue]
        return bins, bool(np.array_equal(out.astype(np.int16), cmsisdsp.arm_rfft_q15(inst, x.copy())))  # pyright: ignore[reportAttributeAccessIssue]
    if variant == "mcubench":
        packed, exponent = fm.rfft_q15(fft_config(n), x)
        exact = np.array_equal(out[:n], packed) and int(out[n]) == exponent
        return fm.unpack(out[:n].astype(np.int64), int(out[n])), bool(exact)
    if variant == "kiss":  # N/2 + 1 interleaved int16 bins, scaled by 1/N
        return (out[0 : n + 2 : 2] + 1j * out[1 : n + 2 : 2]) * n, None
    return (out[:n] + 1j * out[n:])[: n // 2 + 1], None


@functools.cache
def kiss_mem(n: int) -> int:
    """The bytes kiss_fftr_alloc asks for at size n (the same on every M0+ target): from a
    build with room to spare, on the RP2040."""
    rp = load_target("rp2040")
    machine = Machine(ElfImage.load(build(spec("kiss", n), rp).elf), rp)
    machine.call("bench_init")
    return int(machine.read_array("kiss_mem_needed", "<u4")[0])


def measure_variant(job: tuple[str, int, str]) -> dict:
    variant, n, target_name = job
    row = {
        "variant": variant,
        "n": n,
        "target": target_name,
        "status": "error",
        "cycles": None,
        "code_bytes": None,
        "table_bytes": None,
        "flash_bytes": None,
        "ram_bytes": None,
        "stack_bytes": None,
        "snr_db": None,
        "bit_exact": None,
        "over_bytes": None,
        "error": None,
    }
    target = load_target(target_name)
    try:
        s = spec(variant, n, kiss_mem(n) if variant == "kiss" else 0)
        image = ElfImage.load(build(s, target).elf)
        empty = empty_sizes(target, s.opt)
        rep = sizes(image, target)
        machine = Machine(image, target)
        machine.call("bench_init")
        x = _input(n)
        dtype = "<f4" if variant == "emlearn" else "<i2"
        for _ in range(2):  # the second call is measured: a warm XIP cache on the RP2040
            machine.write_array("bench_input", x)
            result = machine.call("bench_run")
        out = machine.read_array("bench_output", dtype).astype(
            np.float64 if variant == "emlearn" else np.int64
        )
        bins, exact = _spectrum_and_exact(variant, n, out, x)
        ref = np.fft.rfft(x.astype(np.float64))
        noise = float(np.sum(np.abs(bins - ref) ** 2))
        row.update(
            status="ok",
            cycles=result.cycles,
            code_bytes=rep.text_bytes - empty.text_bytes,
            table_bytes=rep.rodata_bytes - empty.rodata_bytes,
            flash_bytes=rep.flash_bytes,
            ram_bytes=rep.ram_static_bytes + result.stack_peak_bytes,
            stack_bytes=result.stack_peak_bytes,
            bit_exact=exact,
            snr_db=None if noise == 0 else round(10 * math.log10(float(np.sum(np.abs(ref) ** 2)) / noise), 2),
        )
    except DoesNotFit as exc:
        row.update(status="does_not_fit", over_bytes=exc.over_bytes, error=str(exc))
    except McubenchError as exc:
        row["error"] = str(exc)
    return row


def run_all(variants, sizes_, targets, jobs=None) -> list[dict]:
    if any(v.startswith("cmsis") for v in variants):
        cmsis.root()  # fetch once, before the workers
    work = [(v, n, t) for v in variants for n in sizes_ for t in targets]
    order = {job: i for i, job in enumerate(work)}
    rows = fan_out(measure_variant, work, jobs)
    rows.sort(key=lambda r: order[(r["variant"], r["n"], r["target"])])
    fits = {(r["variant"], r["n"]): r["status"] == "ok" for r in rows if r["target"] == "py32f003"}
    for r in rows:
        r["fits_py32f003"] = fits.get((r["variant"], r["n"]))
    return rows

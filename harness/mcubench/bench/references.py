"""Python references for the suite, by name.

A reference gets the ELF image, the input the firmware was given and the benchmark,
and returns an Expected: the exact output the firmware must produce (bit-exact
references), and optionally a function that scores the firmware's output against a
float reference (SNR, errors in the output's own units). The firmware's constant
tables may be read from the ELF: a reference checks the arithmetic, not a table copy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mcubench.base.errors import ConfigError
from mcubench.base.imports import is_function_spec, load_function
from mcubench.bench.expected import Expected
from mcubench.bench.model_references import genre_model, sed_model
from mcubench.bench.reference_names import REFERENCE_NAMES
from mcubench.build import cmsis
from mcubench.build import host_microfrontend as hm
from mcubench.data.arrays import read_array
from mcubench.dsp import frontend as fm
from mcubench.dsp import tflm_float as tf
from mcubench.dsp.config import fft_config, get_config


def fir_q15(image, x: np.ndarray, bench) -> Expected:
    """y[n] = sat16((sum h[k] x[n-k] + 2^14) >> 15) with zero history."""
    sym = image.symbol("fir_coeffs", "object")
    h = np.frombuffer(image.read_initial(sym.addr, sym.size), dtype="<i2").astype(np.int64)
    acc = np.convolve(x.astype(np.int64), h)[: len(x)] + (1 << 14)
    return Expected(np.clip(acc >> 15, -32768, 32767))


def rfft_q15(image, x: np.ndarray, bench) -> Expected:
    """The packed spectrum followed by the exponent, against numpy's float FFT."""
    cfg = fft_config(len(x))
    packed, exponent = fm.rfft_q15(cfg, x)
    exact = np.concatenate([packed, [exponent, 0]])

    def metrics(out):
        X = fm.unpack(out[:-2].astype(np.int64), int(out[-2]))
        ref = np.fft.rfft(x.astype(np.float64))
        noise = np.sum(np.abs(X - ref) ** 2)
        return {"snr_db": None if noise == 0 else float(10 * np.log10(np.sum(np.abs(ref) ** 2) / noise))}

    return Expected(exact, metrics)


def _band_metrics(acc: dict) -> dict:
    """A front end's score (dsp/frontend.score_db) as result metrics."""
    return {
        "snr_db": acc["snr_db"],
        "max_abs_err": acc["max_abs_err_db"],
        "extra": {
            "mean_abs_err_db": round(acc["mean_abs_err_db"], 4),
            "max_abs_err_db": round(acc["max_abs_err_db"], 4),
            "bands_scored": acc["bands"],
        },
    }


def frontend(image, x: np.ndarray, bench) -> Expected:
    """Log-mel (and MFCC) per hop, bit-exact model + float log-mel accuracy."""
    cfg = get_config(bench.frontend)
    frames = fm.frames_of(cfg, x)
    mels = np.stack([fm.logmel_frame(cfg, f) for f in frames])
    parts = [mels]
    if cfg.n_mfcc:
        parts.append(np.stack([fm.mfcc_frame(cfg, m) for m in mels]))
    exact = np.concatenate(parts, axis=1).ravel()

    def metrics(out):
        fw = out.reshape(len(frames), -1)[:, : cfg.n_mels]
        return _band_metrics(fm.accuracy(cfg, fw, frames))

    return Expected(exact, metrics)


def cmsis_mfcc_q15(image, x: np.ndarray, bench) -> Expected:
    """ARM's own build (the host cmsisdsp package), one 512-sample frame per call."""
    import cmsisdsp  # C extensions behind a star import: pyright sees no names

    shape, t = cmsis.MFCC_SHAPE, cmsis.mfcc_tables()
    inst = cmsisdsp.arm_mfcc_instance_q15()  # pyright: ignore[reportAttributeAccessIssue]
    cmsisdsp.arm_mfcc_init_q15(  # pyright: ignore[reportAttributeAccessIssue]
        inst,
        shape["fft_len"],
        shape["n_mels"],
        shape["n_dct"],
        t["dct"],
        t["filter_positions"],
        t["filter_lengths"],
        t["filters"],
        t["window"],
    )
    n = shape["fft_len"]
    outs = [
        cmsisdsp.arm_mfcc_q15(inst, x[i : i + n].copy(), np.zeros(2 * n, dtype=np.int32))[1]  # pyright: ignore[reportAttributeAccessIssue]
        for i in range(0, len(x), n)
    ]
    return Expected(np.concatenate(outs).astype(np.int64))


def tflm_frontend(image, x: np.ndarray, bench) -> Expected:
    """The TFLite Micro front end on the host, on the same hops: 40 uint16 features a hop,
    zeros while its window is still filling. microWakeWord's shape (the default) is held
    against the pymicro-features wheel, which scales features by 5/128 to float32,
    exactly; other shapes (the benchmark's TFLM_* defines) against the same pinned
    sources built for the host. With noise reduction and PCAN off, the output is also
    scored against the front end's float design (dsp/tflm_float.py) as our own front
    end is against its own."""
    d = dict(kv.split("=", 1) for kv in bench.defines if "=" in kv)
    shape = hm.Shape(
        window_ms=int(d.get("TFLM_WINDOW_MS", 30)),
        step_ms=int(d.get("TFLM_STEP_MS", 10)),
        noise_reduction=d.get("TFLM_NOISE_REDUCTION", "1") != "0",
        pcan=d.get("TFLM_PCAN", "1") != "0",
    )
    metrics: Callable[[np.ndarray], dict] | None = None
    if not shape.noise_reduction and not shape.pcan:
        fshape = tf.TflmShape(shape.sample_rate, shape.window_ms, shape.step_ms, shape.channels)
        first, frames = tf.frames_of(fshape, x)

        def band_metrics(out: np.ndarray) -> dict:
            fw = out.reshape(-1, shape.channels)[first : first + len(frames)]
            return _band_metrics(tf.accuracy(fshape, fw, frames))

        metrics = band_metrics

    if shape != hm.Shape():
        return Expected(hm.features(shape, x).ravel().astype(np.int64), metrics)
    from pymicro_features import MicroFrontend

    fe, hop, out = MicroFrontend(), shape.hop, []
    for k in range(len(x) // hop):
        got = fe.process_samples(np.asarray(x[k * hop : (k + 1) * hop], dtype="<i2").tobytes()).features
        out.append(np.round(np.asarray(got) * 128 / 5).astype(np.int64) if got else np.zeros(40, np.int64))
    return Expected(np.concatenate(out), metrics)


REFERENCES = {
    "fir_q15": fir_q15,
    "rfft_q15": rfft_q15,
    "frontend": frontend,
    "cmsis_mfcc_q15": cmsis_mfcc_q15,
    "sed_model": sed_model,
    "genre_model": genre_model,
    "tflm_frontend": tflm_frontend,
}
if tuple(REFERENCES) != REFERENCE_NAMES:  # loading a suite checks names against the cheap list
    raise ImportError("bench/reference_names.py and REFERENCES list different references")


def reference_function(name: str):
    """The reference a benchmark names: built-in, or the project's own
    "package.module:function", called with the whole input and returning the exact output
    (tolerances are budgets: max_abs_err, min_snr_db)."""
    if not is_function_spec(name):
        return REFERENCES[name]
    fn = load_function(name, f"reference {name!r}")

    def user(image, x, bench) -> Expected:
        try:
            out = np.asarray(fn(x))
        except Exception as exc:  # the user's code: one line, naming it
            raise ConfigError(f"reference {name!r} failed: {type(exc).__name__}: {exc}") from None
        if out.dtype.kind not in "iuf":
            raise ConfigError(f"reference {name!r} returned {out.dtype}, not numbers")
        return Expected(out.ravel())

    return user


def expected_from_file(path, dtype: str) -> Expected:
    return Expected(read_array(path, dtype))

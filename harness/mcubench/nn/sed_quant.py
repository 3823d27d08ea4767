"""Post-training quantisation of the sound-event models to the int8 kernels, the int8
reference that streams exactly like the firmware, and the C header exporter.

Activations: per-tensor asymmetric int8 from the calibration set's min/max (ReLU
outputs start at 0: zero point -128); weights: per-channel symmetric int8; biases
int32 with the input zero point folded in (bias - x_zp * sum w). The firmware input
is the front end's Q7.8 log-mel, quantised to int8 by one requantisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mcubench.base.c_arrays import c_array as emit
from mcubench.base.files import write_if_changed
from mcubench.base.project import current
from mcubench.data import sed_dataset as ds
from mcubench.nn import int8, rnn
from mcubench.nn import sed_models as sm

RING_WIDTH = sm.FRAME_WIDTH  # frame_mlp's per-frame outputs (dct_mlp's 8 mel-DCT coefficients too)


@dataclass
class QLayer:
    w: np.ndarray  # int8 [out][in] (or [k][t] for the time projection)
    bias: np.ndarray  # int32, zero point folded
    rq: list  # (multiplier, shift) per output channel
    out: dict  # out_zp, act_min, act_max
    out_scale: float


@dataclass
class QModel:
    name: str
    frames: int  # the patch (ring) length in hops
    in_scale: float
    in_zp: int
    in_rq: tuple  # Q7.8 -> int8
    frame: list = field(default_factory=list)  # per-frame layers
    head: list = field(default_factory=list)  # on the ring
    time: QLayer | None = None  # dct_mlp's projection along time
    softmax_lut: np.ndarray | None = None


def _act(lo: float, hi: float, relu: bool) -> tuple[float, int]:
    if relu:
        lo = 0.0
    lo, hi = min(lo, 0.0), max(hi, lo + 1e-6)
    scale = (hi - lo) / 255.0
    return scale, int(np.clip(round(-128 - lo / scale), -128, 127))


def _fc(w, b, in_scale, in_zp, out_scale, out_zp, relu) -> QLayer:
    sw = np.maximum(np.abs(w).max(axis=1), 1e-12) / 127.0
    wq = np.clip(np.round(w / sw[:, None]), -127, 127).astype(np.int64)
    bq = np.round(b / (in_scale * sw)).astype(np.int64) - in_zp * wq.sum(axis=1)
    rq = [int8.quantize_multiplier(float(in_scale * s / out_scale)) for s in sw]
    return QLayer(
        wq, bq, rq, {"out_zp": out_zp, "act_min": out_zp if relu else -128, "act_max": 127}, out_scale
    )


def quantize(name: str, params: dict, calib: np.ndarray) -> QModel:
    """calib: float log-mel [N, T, M] (dB)."""
    n, t, m = calib.shape
    in_scale, in_zp = _act(float(calib.min()), float(calib.max()), False)
    qm = QModel(name, t, in_scale, in_zp, int8.quantize_multiplier(1.0 / (256.0 * in_scale)))
    if name == "frame_mlp":
        x = calib.reshape(n * t, m)
        h = np.maximum(x @ params["W0"].T + params["b0"], 0)
        hs, hz = _act(0.0, float(h.max()), True)
        qm.frame.append(_fc(params["W0"], params["b0"], in_scale, in_zp, hs, hz, True))
        z = np.maximum(h.reshape(n, -1) @ params["W3"].T + params["b3"], 0)
        zs, zz = _act(0.0, float(z.max()), True)
        qm.head.append(_fc(params["W3"], params["b3"], hs, hz, zs, zz, True))
        logits = z @ params["W5"].T + params["b5"]
        ls, lz = _act(float(logits.min()), float(logits.max()), False)
        qm.head.append(_fc(params["W5"], params["b5"], zs, zz, ls, lz, False))
    else:
        dm, dt = sm.dct_matrix(sm.N_MEL_DCT, m), sm.dct_matrix(sm.N_TIME_DCT, t)
        c = calib @ dm.T  # [n, t, 8]
        cs, cz = _act(float(c.min()), float(c.max()), False)
        qm.frame.append(_fc(dm, np.zeros(sm.N_MEL_DCT), in_scale, in_zp, cs, cz, False))
        d = np.einsum("kt,ntc->nkc", dt, c)  # [n, 8, 8]
        ds_, dz = _act(float(d.min()), float(d.max()), False)
        qm.time = _fc(dt, np.zeros(sm.N_TIME_DCT), cs, cz, ds_, dz, False)
        h = np.maximum(d.reshape(n, -1) @ params["W0"].T + params["b0"], 0)
        hs, hz = _act(0.0, float(h.max()), True)
        qm.head.append(_fc(params["W0"], params["b0"], ds_, dz, hs, hz, True))
        logits = h @ params["W2"].T + params["b2"]
        ls, lz = _act(float(logits.min()), float(logits.max()), False)
        qm.head.append(_fc(params["W2"], params["b2"], hs, hz, ls, lz, False))
    qm.softmax_lut = int8.softmax_lut(qm.head[-1].out_scale)
    return qm


class Stream:
    """The int8 model exactly as the firmware runs it, one frame at a time."""

    def __init__(self, qm: QModel):
        self.qm = qm
        self.ring = np.full((qm.frames, RING_WIDTH), qm.frame[-1].out["out_zp"], dtype=np.int64)

    def push(self, logmel_q8: np.ndarray) -> None:
        qm = self.qm
        x = np.clip(int8.requantize(np.asarray(logmel_q8, dtype=np.int64), *qm.in_rq) + qm.in_zp, -128, 127)
        for layer in qm.frame:
            x = int8.fully_connected(x, layer.w, layer.bias, layer.rq, layer.out)
        self.ring = np.vstack([self.ring[1:], x[None, :]])

    def classify(self) -> np.ndarray:
        qm = self.qm
        x = self.ring
        if qm.time is not None:
            x = int8.time_project(x, qm.time.w, qm.time.bias, qm.time.rq, qm.time.out)
        x = x.ravel()
        for layer in qm.head:
            x = int8.fully_connected(x, layer.w, layer.bias, layer.rq, layer.out)
        return int8.softmax(x, qm.softmax_lut)


def int8_predict(qm: QModel, logmel_q8_clips: np.ndarray) -> np.ndarray:
    """Probabilities after the last frame of each clip ([N, T', M] Q7.8 log-mel)."""
    out = []
    for clip in logmel_q8_clips:
        s = Stream(qm)
        for frame in clip:
            s.push(frame)
        out.append(s.classify())
    return np.stack(out)


def c_array(ctype: str, name: str, values, const: bool = True) -> str:
    """A word-aligned static C array (const, in flash, unless const=False)."""
    return emit(ctype, name, values, const=const, aligned=True, per_line=16)


def write_model_header(name: str, text: str, folder: str | None = None, file: str = "sed_model_tables.h"):
    """build/gen/<folder>/<file> (default sed_<name>/sed_model_tables.h, a variant's
    name made a folder name), rewritten only when it changes; returns the folder."""
    out = current().gen_dir / (folder or "sed_" + name.replace("/", "-w").replace("@", "-"))
    write_if_changed(out / file, text)
    return out


def layer_arrays(prefix: str, lq: QLayer) -> list[str]:
    """C arrays of a dense layer: <prefix>_w, _bias, _rq (pairs) and the output <prefix>_out."""
    return [
        c_array("int8_t", f"{prefix}_w", lq.w),
        c_array("int32_t", f"{prefix}_bias", lq.bias),
        c_array("int32_t", f"{prefix}_rq", [v for pair in lq.rq for v in pair]),
        f"static const nn_output_t {prefix}_out = "
        f"{{{lq.out['out_zp']}, {lq.out['act_min']}, {lq.out['act_max']}}};",
    ]


def cell_arrays(cell_prefix: str, lut_prefix: str, cell) -> list[str]:
    """C arrays of a recurrent cell (nn.rnn.Cell) and the sigmoid/tanh LUTs."""
    return [
        c_array("int8_t", f"{cell_prefix}_wx", cell.wx),
        c_array("int8_t", f"{cell_prefix}_wh", cell.wh),
        c_array("int32_t", f"{cell_prefix}_bx", cell.bx),
        c_array("int32_t", f"{cell_prefix}_bh", cell.bh),
        c_array("int16_t", f"{lut_prefix}_sigmoid", rnn.SIGMOID),
        c_array("int16_t", f"{lut_prefix}_tanh", rnn.TANH),
    ]


def header(qm: QModel) -> str:
    """The C header of a quantised model (build/gen/sed_<name>/sed_model_tables.h)."""
    arr, layer = c_array, layer_arrays

    lines = [
        f"/* Generated by mcubench for sound-event model {qm.name}. Do not edit. */",
        "#ifndef SED_MODEL_TABLES_H",
        "#define SED_MODEL_TABLES_H",
        '#include "nn_int8.h"',
        f"#define SED_MODEL_{qm.name.upper()} 1",
        f"#define SED_FRAMES {qm.frames}",
        f"#define SED_RING_WIDTH {RING_WIDTH}",
        f"#define SED_CLASSES {len(ds.CLASSES)}",
        f"#define SED_IN_MULT {qm.in_rq[0]}",
        f"#define SED_IN_SHIFT {qm.in_rq[1]}",
        f"#define SED_IN_ZP {qm.in_zp}",
        f"#define SED_RING_ZP {qm.frame[-1].out['out_zp']}",
    ]
    for i, lq in enumerate(qm.frame):
        lines += layer(f"sed_frame{i}", lq) + [
            f"#define SED_FRAME{i}_IN {lq.w.shape[1]}",
            f"#define SED_FRAME{i}_OUT {lq.w.shape[0]}",
        ]
    if qm.time is not None:
        lines += layer("sed_time", qm.time) + [f"#define SED_TIME_K {qm.time.w.shape[0]}"]
    for i, lq in enumerate(qm.head):
        lines += layer(f"sed_head{i}", lq) + [
            f"#define SED_HEAD{i}_IN {lq.w.shape[1]}",
            f"#define SED_HEAD{i}_OUT {lq.w.shape[0]}",
        ]
    lines += [arr("uint32_t", "sed_softmax_lut", qm.softmax_lut)]
    lines += [f"#define {k} {v}" for k, v in arena_plan(qm).items()]
    lines += ["#endif", ""]
    return "\n".join(lines)


def arena_plan(qm: QModel) -> dict:
    """One int8 arena for the activations that do not live across frames: the per-frame
    phase (quantised input) and the head (its layers' outputs, reusing what is dead)."""
    n_in = qm.frame[0].w.shape[1]
    if qm.time is not None:
        d = qm.time.w.shape[0] * RING_WIDTH
        h = qm.head[0].w.shape[0]
        plan = {"SED_OFF_D": 0, "SED_OFF_H": d, "SED_OFF_L": 0, "SED_ARENA_BYTES": max(n_in, d + h)}
    else:
        z = qm.head[0].w.shape[0]
        plan = {"SED_OFF_Z": 0, "SED_OFF_L": z, "SED_ARENA_BYTES": max(n_in, z + qm.head[1].w.shape[0])}
    plan["SED_ARENA_BYTES"] = (plan["SED_ARENA_BYTES"] + 3) // 4 * 4
    return plan

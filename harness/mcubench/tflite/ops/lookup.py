"""LOGISTIC, TANH and QUANTIZE (int8 -> int8/uint8): a 256-entry table per operator,
TFLite Micro's arithmetic for each input value. QUANTIZE from int16 (to int8, int16 or
int32, as keyword-spotting models begin and end) is TFLite Micro's Requantize on the chip:
65,536 inputs are too many for a table."""

from __future__ import annotations

import numpy as np

from mcubench.tflite import emit

NAMES = ("LOGISTIC", "TANH", "QUANTIZE")
KERNELS = ("tfl_ops.c",)  # firmware/nn sources the calls need


def emit_lookup(cg, op):
    xi, yi = op.inputs[0], op.outputs[0]
    xq, yq = cg.r.quant(xi), cg.r.quant(yi)
    if op.name == "QUANTIZE" and cg.info.tensors[xi].dtype == "int16":
        return _requantize_int16(cg, op, xq, yq)
    if cg.info.tensors[xi].dtype != "int8":
        raise emit.ModelError(
            f"{cg.path}: operator {op.index} ({op.name}) on {cg.info.tensors[xi].dtype} input"
        )
    if op.name in ("LOGISTIC", "TANH"):
        scale, zp = (1 / 256, -128) if op.name == "LOGISTIC" else (1 / 128, 0)
        if int(yq.zero_points[0]) != zp or float(yq.scales[0]) != scale:
            raise emit.ModelError(
                f"{cg.path}: operator {op.index} ({op.name}) output not scale 1/{round(1 / scale)}, "
                f"zero point {zp}"
            )
        fn = emit.logistic_table if op.name == "LOGISTIC" else emit.tanh_table
        table = fn(float(xq.scales[0]), int(xq.zero_points[0])).view(np.uint8)
    else:  # QUANTIZE int8 -> int8 / uint8
        out = cg.info.tensors[yi].dtype
        if out not in ("int8", "uint8"):
            raise emit.ModelError(f"{cg.path}: operator {op.index} (QUANTIZE) to {out}")
        m, sh = emit.tflite_multiplier(float(xq.scales[0]) / float(yq.scales[0]))
        unsigned = out == "uint8"
        table = emit.requantize_table(m, sh, int(xq.zero_points[0]), int(yq.zero_points[0]), unsigned).view(
            np.uint8
        )
    name = f"op{op.index}_table"
    cg.consts.append(emit.c_array("uint8_t", name, table))
    n = cg.info.tensors[xi].bytes
    cg.emit(op, f"tfl_table({cg.arena(xi)}, {cg.arena(yi)}, {n}, {name})", yi)


def _requantize_int16(cg, op, xq, yq):
    xi, yi = op.inputs[0], op.outputs[0]
    bits = {"int8": 8, "int16": 16, "int32": 32}.get(cg.info.tensors[yi].dtype)
    if bits is None:
        raise emit.ModelError(
            f"{cg.path}: operator {op.index} (QUANTIZE) int16 to {cg.info.tensors[yi].dtype}"
        )
    m, sh = emit.tflite_multiplier(float(xq.scales[0]) / float(yq.scales[0]))  # double over float scales
    n = cg.info.tensors[xi].bytes // 2
    zps = f"{int(xq.zero_points[0])}, {int(yq.zero_points[0])}"
    call = f"tfl_requantize16((const int16_t *){cg.arena(xi)}, {cg.arena(yi)}, {n}, {m}, {sh}, {zps}, {bits})"
    cg.emit(op, call, yi)


EMITTERS = {"LOGISTIC": emit_lookup, "TANH": emit_lookup, "QUANTIZE": emit_lookup}

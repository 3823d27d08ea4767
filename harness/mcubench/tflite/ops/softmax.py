"""SOFTMAX (int8 -> int8 or int16): exp of each difference from the row's maximum from a
table of TFLite Micro's values, its reciprocal and rounding on the chip. On float32 (a
model's float tail after DEQUANTIZE): TFLite Micro's float reference on the chip, its exp
correctly rounded (tfl_ops.c's tfl_expf, scaled by the exp2_table made here)."""

from __future__ import annotations

from decimal import Decimal, localcontext

import numpy as np
import tflite

from mcubench.tflite import emit

NAMES = ("SOFTMAX",)
KERNELS = ("tfl_ops.c",)  # firmware/nn sources the calls need


def exp2_table() -> str:
    """2^(i/32), i < 32, as doubles correctly rounded (60 decimal digits first): the
    table tfl_expf scales by, as C hex floats."""
    with localcontext() as ctx:
        ctx.prec = 60
        values = [float(Decimal(2) ** (Decimal(i) / 32)).hex() for i in range(32)]
    body = ",\n    ".join(", ".join(values[i : i + 4]) for i in range(0, 32, 4))
    return f"static const double exp2_32[32] = {{\n    {body}\n}};"


def emit_softmax(cg, op):
    opt = cg.r.options(op.index, tflite.SoftmaxOptions)
    xi, yi = op.inputs[0], op.outputs[0]
    shape = cg.info.tensors[xi].shape
    depth = shape[-1]
    rows = int(np.prod(shape)) // depth
    dtypes = (cg.info.tensors[xi].dtype, cg.info.tensors[yi].dtype)
    if "float32" in dtypes:
        if dtypes != ("float32", "float32"):
            raise emit.ModelError(f"{cg.path}: operator {op.index} (SOFTMAX) from {dtypes[0]} to {dtypes[1]}")
        beta = float(np.float32(opt.Beta()))
        if not cg.exp2_table:
            cg.consts.append(exp2_table())
            cg.exp2_table = True
        io = f"(const float *){cg.arena(xi)}, (float *){cg.arena(yi)}"
        cg.emit(op, f"tfl_softmax_f32({io}, {rows}, {depth}, {beta!r}f, exp2_32)", yi)
        return
    xq, yq = cg.r.quant(xi), cg.r.quant(yi)
    bits = 16 if dtypes == ("int8", "int16") else 8
    int8_out = dtypes == ("int8", "int8") and float(yq.scales[0]) == 1 / 256
    # TFLite Micro's SoftmaxPrepare: int16 out at 1/65536 within 0.1%
    int16_out = bits == 16 and abs(float(yq.scales[0]) - 1 / 65536) < 0.001 / 65536
    if not (int8_out or int16_out) or int(yq.zero_points[0]) != -(1 << (bits - 1)):
        raise emit.ModelError(
            f"{cg.path}: operator {op.index} (SOFTMAX) output not int8 at 1/256, zero point -128, "
            "or int16 at 1/65536, zero point -32768"
        )
    table, dmax = emit.softmax_exp_table(float(xq.scales[0]), float(opt.Beta()))
    name = f"op{op.index}_exp"
    cg.consts.append(emit.c_array("int32_t", name, table))
    out = "(int16_t *)" if bits == 16 else "(int8_t *)"
    io = f"(const int8_t *){cg.arena(xi)}, {out}{cg.arena(yi)}"
    call = f"tfl_softmax{'16' if bits == 16 else ''}({io}, {rows}, {depth}, {name}, {dmax})"
    cg.emit(op, call, yi)


EMITTERS = {"SOFTMAX": emit_softmax}

"""MEAN over adjacent axes: the 1/count folded into the multiplier as QuantizedMeanOrSum."""

from __future__ import annotations

import numpy as np

from mcubench.tflite import emit

NAMES = ("MEAN",)
KERNELS = ("tfl_ops.c",)  # firmware/nn sources the calls need


def emit_mean(cg, op):
    xi, yi = op.inputs[0], op.outputs[0]
    shape = cg.info.tensors[xi].shape
    axes = sorted({int(a) % len(shape) for a in cg.r.data(op.inputs[1]).ravel()})
    if axes != list(range(axes[0], axes[-1] + 1)):
        raise emit.ModelError(f"{cg.path}: operator {op.index} (MEAN) over axes {axes} that are not adjacent")
    outer = int(np.prod(shape[: axes[0]]))
    reduce = int(np.prod(shape[axes[0] : axes[-1] + 1]))
    inner = int(np.prod(shape[axes[-1] + 1 :]))
    xq, yq = cg.r.quant(xi), cg.r.quant(yi)
    m, s = emit.tflite_multiplier(float(xq.scales[0]) / float(yq.scales[0]))
    # QuantizedMeanOrSum: 1/reduce folded in, m' = (m << shift) / reduce, s' = s - shift
    shift = min(reduce.bit_length() - 1, 32, 31 + s)
    m, s = ((m << shift) // reduce if m >= 0 else -((-m << shift) // reduce)), s - shift  # C: truncating
    k = op.index
    cg.consts.append(f"static const nn_requant_t op{k}_rq = {{{m}, {s}}};")
    cg.consts.append(f"static const nn_output_t op{k}_out = {{{int(yq.zero_points[0])}, -128, 127}};")
    io = f"(const int8_t *){cg.arena(xi)}, (int8_t *){cg.arena(yi)}"
    call = f"tfl_mean({io}, {outer}, {reduce}, {inner}, {int(xq.zero_points[0])}, &op{k}_rq, &op{k}_out)"
    cg.emit(op, call, yi)


EMITTERS = {"MEAN": emit_mean}

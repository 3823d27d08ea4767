"""CONCATENATION, STRIDED_SLICE, SPLIT_V and PAD/PADV2: runs of bytes copied (and PAD's
fill), planned here."""

from __future__ import annotations

import numpy as np
import tflite

from mcubench.tflite import emit

NAMES = ("CONCATENATION", "STRIDED_SLICE", "SPLIT_V", "PAD", "PADV2")
KERNELS = ("tfl_ops.c",)  # firmware/nn sources the calls need


def emit_concatenation(cg, op):
    opt = cg.r.options(op.index, tflite.ConcatenationOptions)
    if opt.FusedActivationFunction() != tflite.ActivationFunctionType.NONE:
        raise emit.ModelError(f"{cg.path}: operator {op.index} (CONCATENATION) with a fused activation")
    yi = op.outputs[0]
    yq = cg.r.quant(yi)
    shape = cg.info.tensors[yi].shape
    axis = opt.Axis() % len(shape)
    outer = int(np.prod(shape[:axis]))
    out_inner = int(np.prod(shape[axis:]))
    calls, offset = [], 0
    for xi in op.inputs:
        xq = cg.r.quant(xi)
        if float(xq.scales[0]) != float(yq.scales[0]) or int(xq.zero_points[0]) != int(yq.zero_points[0]):
            raise emit.ModelError(
                f"{cg.path}: operator {op.index} (CONCATENATION) rescales its inputs "
                "(TFLite Micro's int8 kernel does not either)"
            )
        inner = int(np.prod(cg.info.tensors[xi].shape[axis:]))
        runs = [(o * inner, o * out_inner + offset, inner) for o in range(outer)]
        calls.append(cg.place(f"op{op.index}_runs{len(calls)}", xi, yi, runs))
        offset += inner
    cg.emit(op, "; ".join(calls), yi)


def emit_strided_slice(cg, op):
    opt = cg.r.options(op.index, tflite.StridedSliceOptions)
    if opt.EllipsisMask() or opt.NewAxisMask() or (hasattr(opt, "Offset") and opt.Offset()):
        raise emit.ModelError(
            f"{cg.path}: operator {op.index} (STRIDED_SLICE) with ellipsis, new-axis or offset"
        )
    xi, yi = op.inputs[0], op.outputs[0]
    begin, end, strides = (cg.r.data(i).astype(int).tolist() for i in op.inputs[1:4])
    masks = (opt.BeginMask(), opt.EndMask(), opt.ShrinkAxisMask())
    runs = emit.strided_runs(cg.info.tensors[xi].shape, begin, end, strides, masks)
    if sum(n for _, n in runs) != cg.info.tensors[yi].bytes:
        raise emit.ModelError(
            f"{cg.path}: operator {op.index} (STRIDED_SLICE): slice and output shape disagree"
        )
    placed, dst = [], 0
    for src, n in runs:  # the output is the runs in order
        placed.append((src, dst, n))
        dst += n
    cg.emit(op, cg.place(f"op{op.index}_runs", xi, yi, placed), yi)


def emit_split_v(cg, op):
    xi = op.inputs[0]
    shape = cg.info.tensors[xi].shape
    sizes = cg.r.data(op.inputs[1]).astype(int).tolist()
    axis = int(cg.r.data(op.inputs[2]).ravel()[0]) % len(shape)
    if sizes.count(-1) == 1:
        sizes[sizes.index(-1)] = shape[axis] - (sum(sizes) + 1)
    if sum(sizes) != shape[axis] or len(sizes) != len(op.outputs):
        raise emit.ModelError(f"{cg.path}: operator {op.index} (SPLIT_V): splits {sizes} of {shape[axis]}")
    outer = int(np.prod(shape[:axis]))
    pitch = int(np.prod(shape[axis + 1 :]))
    calls, start = [], 0
    for j, (yi, n) in enumerate(zip(op.outputs, sizes)):
        runs = [(o * shape[axis] * pitch + start * pitch, o * n * pitch, n * pitch) for o in range(outer)]
        calls.append(cg.place(f"op{op.index}_runs{j}", xi, yi, runs))
        start += n
    cg.emit(op, "; ".join(calls), op.outputs)


def emit_pad(cg, op):
    xi, yi = op.inputs[0], op.outputs[0]
    shape, out_shape = cg.info.tensors[xi].shape, cg.info.tensors[yi].shape
    pads = cg.r.data(op.inputs[1]).astype(int).reshape(-1, 2)
    if len(op.inputs) > 2 and op.inputs[2] >= 0:
        fill = int(cg.r.data(op.inputs[2]).ravel()[0])  # PADV2's constant
    else:
        fill = int(cg.r.quant(yi).zero_points[0])
    if any(p < 0 for p in pads.ravel()) or len(pads) != len(shape):
        raise emit.ModelError(f"{cg.path}: operator {op.index} ({op.name}) with paddings {pads.tolist()}")
    pitch_in = [int(np.prod(shape[a + 1 :])) for a in range(len(shape))]
    pitch_out = [int(np.prod(out_shape[a + 1 :])) for a in range(len(shape))]
    runs = []
    for idx in np.ndindex(*shape[:-1]):
        src = sum(i * pitch_in[a] for a, i in enumerate(idx))
        dst = sum((i + pads[a][0]) * pitch_out[a] for a, i in enumerate(idx)) + pads[-1][0]
        runs.append((src, dst, shape[-1]))
    n = cg.info.tensors[yi].bytes
    fill_call = f"memset({cg.arena(yi)}, {fill & 0xFF}, {n})"
    cg.emit(op, f"{fill_call}; {cg.place(f'op{op.index}_runs', xi, yi, runs)}", yi)


EMITTERS = {
    "CONCATENATION": emit_concatenation,
    "STRIDED_SLICE": emit_strided_slice,
    "SPLIT_V": emit_split_v,
    "PAD": emit_pad,
    "PADV2": emit_pad,
}

"""SVDF (int8 in and out, int16 or int8 time weights and state): TFLite Micro's integer
scheme, the state a ring per filter kept between calls (micro_speech's
keyword_scrambled models are four fully connected layers between seven of these)."""

from __future__ import annotations

import numpy as np
import tflite

from mcubench.tflite import emit

NAMES = ("SVDF",)
KERNELS = ("tfl_ops.c", "nn_int8.c", "nn_dot_int8.S")  # firmware/nn sources the calls need


def _scale(a, b, c) -> float:
    """TFLite Micro's SVDF prepare multiplies and divides the scales as floats, then
    widens to double."""
    return float(np.float32(np.float32(a) * np.float32(b)) / np.float32(c))


def emit_svdf(cg, op):
    k, t = op.index, cg.info.tensors
    if len(op.inputs) != 5:
        raise emit.ModelError(f"{cg.path}: operator {k} (SVDF) with {len(op.inputs)} inputs, not 5")
    xi, wfi, wti, bi, si = op.inputs
    yi = op.outputs[0]
    wide = t[wti].dtype == "int16"
    if (
        t[xi].dtype != "int8"
        or t[yi].dtype != "int8"
        or t[wfi].dtype != "int8"
        or t[wti].dtype not in ("int8", "int16")
        or t[si].dtype != t[wti].dtype
        or len(t[xi].shape) != 2
    ):
        raise emit.ModelError(
            f"{cg.path}: operator {k} (SVDF) other than int8 in and out with int8 or int16 "
            "time weights and state of one type"
        )
    if bi < 0:  # TFLite Micro's kernel allows it; its host interpreter segfaults on it
        raise emit.ModelError(
            f"{cg.path}: operator {k} (SVDF) without a bias: TFLite Micro's host interpreter "
            "crashes on it, so the chip's result could not be checked"
        )
    if not t[si].variable:
        raise emit.ModelError(f"{cg.path}: operator {k} (SVDF): its state tensor {si} is not a variable")
    rank = cg.r.options(k, tflite.SVDFOptions).Rank()
    batches, n_in = t[xi].shape
    filters, memory = t[wti].shape
    if (
        rank <= 0
        or filters % rank
        or t[wfi].shape != (filters, n_in)
        or t[si].shape != (batches, filters * memory)
    ):
        raise emit.ModelError(f"{cg.path}: operator {k} (SVDF): rank {rank} and shapes disagree")
    xq, wfq, wtq, sq, yq = (cg.r.quant(i) for i in (xi, wfi, wti, si, yi))
    rq1 = emit.tflite_multiplier(_scale(xq.scales[0], wfq.scales[0], sq.scales[0]))
    rq2 = emit.tflite_multiplier(_scale(sq.scales[0], wtq.scales[0], yq.scales[0]))
    wf = cg.r.data(wfi).astype(np.int8).reshape(filters, n_in)
    fold = -int(xq.zero_points[0]) * wf.astype(np.int64).sum(axis=1)
    wt = cg.r.data(wti).astype(np.int16 if wide else np.int8)
    ctype = "int16_t" if wide else "int8_t"
    konst = cg.in_flash
    cg.consts.append(emit.c_array("int8_t", f"op{k}_wf", wf, aligned=True, const=konst))
    cg.consts.append(emit.c_array("int32_t", f"op{k}_fold", fold, const=konst))
    cg.consts.append(emit.c_array(ctype, f"op{k}_wt", wt, aligned=True, const=konst))
    cg.consts.append(emit.c_array("int32_t", f"op{k}_bias", cg.r.data(bi).astype(np.int32), const=konst))
    szp = int(sq.zero_points[0])
    nbytes = t[si].bytes
    cg.blocks.append(
        f"static {ctype} op{k}_state[{nbytes // (2 if wide else 1)}] __attribute__((aligned(4)));"
    )
    cg.blocks.append(f"static uint32_t op{k}_head;")
    # TFLite Micro's ResetVariableTensors: an int8 variable starts at its zero point, others at 0
    cg.init.append(
        f"    memset(op{k}_state, {0 if wide else szp & 0xFF}, {nbytes});  /* variable: as TFLM resets it */"
    )
    cg.init.append(f"    op{k}_head = 0;")
    io = f"(const int8_t *){cg.arena(xi)}, (int8_t *){cg.arena(yi)}"
    cg.blocks.append(
        f"static {'const ' if konst else ''}tfl_svdf_t op{k} = {{{io}, op{k}_wf, op{k}_fold, op{k}_wt, "
        f"op{k}_bias, op{k}_state, {{{rq1[0]}, {rq1[1]}}}, {{{rq2[0]}, {rq2[1]}}}, "
        f"{szp}, {int(yq.zero_points[0])}, "
        f"{batches}, {n_in}, {filters}, {rank}, {memory}, {int(wide)}}};"
    )
    cg.emit(op, f"tfl_svdf(&op{k}, &op{k}_head)", yi, op.macs)


def macs(op, tensors) -> int:
    """Per batch: every filter's feature (n_in) and its memory (time weights)."""
    batches, n_in = tensors[op.inputs[0]].shape
    filters, memory = tensors[op.inputs[2]].shape
    return batches * filters * (n_in + memory)


EMITTERS = {"SVDF": emit_svdf}

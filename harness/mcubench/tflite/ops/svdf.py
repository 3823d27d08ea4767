"""SVDF (int8 in and out, int16 or int8 time weights and state): TFLite Micro's integer
scheme, the state a ring per filter kept between calls (micro_speech's
keyword_scrambled models are four fully connected layers between seven of these)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tflite

from mcubench.tflite import emit

NAMES = ("SVDF",)
KERNELS = ("tfl_ops.c", "nn_int8.c", "nn_dot_int8.S")  # firmware/nn sources the calls need


@dataclass
class SvdfLayer:
    """One SVDF as TFLite Micro's SVDF prepare sees it (the kernel comparison builds the
    other libraries' calls from the same description)."""

    x: int  # tensor indices: input, output, state
    y: int
    state: int
    batches: int
    n_in: int
    filters: int
    memory: int
    rank: int
    wide: bool  # int16 time weights and state (else int8)
    wf: np.ndarray  # [filters, n_in] int8
    wt: np.ndarray  # [filters, memory] int16 or int8
    bias: np.ndarray  # [filters / rank] int32
    rq1: tuple[int, int]  # feature -> state
    rq2: tuple[int, int]  # time sum -> output
    x_zp: int
    state_zp: int
    y_zp: int

    @property
    def units(self) -> int:
        return self.filters // self.rank


def _scale(a, b, c) -> float:
    """TFLite Micro's SVDF prepare multiplies and divides the scales as floats, then
    widens to double."""
    return float(np.float32(np.float32(a) * np.float32(b)) / np.float32(c))


def svdf_layer(r, info, op) -> SvdfLayer:
    """The layer, or a one-line ModelError saying what this generator cannot check."""
    k, t, path = op.index, info.tensors, info.path
    if len(op.inputs) != 5:
        raise emit.ModelError(f"{path}: operator {k} (SVDF) with {len(op.inputs)} inputs, not 5")
    xi, wfi, wti, bi, si = op.inputs
    yi = op.outputs[0]
    if (
        t[xi].dtype != "int8"
        or t[yi].dtype != "int8"
        or t[wfi].dtype != "int8"
        or t[wti].dtype not in ("int8", "int16")
        or t[si].dtype != t[wti].dtype
        or len(t[xi].shape) != 2
    ):
        raise emit.ModelError(
            f"{path}: operator {k} (SVDF) other than int8 in and out with int8 or int16 "
            "time weights and state of one type"
        )
    if bi < 0:  # TFLite Micro's kernel allows it; its host interpreter segfaults on it
        raise emit.ModelError(
            f"{path}: operator {k} (SVDF) without a bias: TFLite Micro's host interpreter "
            "crashes on it, so the chip's result could not be checked"
        )
    if not t[si].variable:
        raise emit.ModelError(f"{path}: operator {k} (SVDF): its state tensor {si} is not a variable")
    rank = r.options(k, tflite.SVDFOptions).Rank()
    batches, n_in = t[xi].shape
    filters, memory = t[wti].shape
    if (
        rank <= 0
        or filters % rank
        or t[wfi].shape != (filters, n_in)
        or t[si].shape != (batches, filters * memory)
    ):
        raise emit.ModelError(f"{path}: operator {k} (SVDF): rank {rank} and shapes disagree")
    xq, wfq, wtq, sq, yq = (r.quant(i) for i in (xi, wfi, wti, si, yi))
    wide = t[wti].dtype == "int16"
    return SvdfLayer(
        xi,
        yi,
        si,
        batches,
        n_in,
        filters,
        memory,
        rank,
        wide,
        r.data(wfi).astype(np.int8).reshape(filters, n_in),
        r.data(wti).astype(np.int16 if wide else np.int8).reshape(filters, memory),
        r.data(bi).astype(np.int32),
        emit.tflite_multiplier(_scale(xq.scales[0], wfq.scales[0], sq.scales[0])),
        emit.tflite_multiplier(_scale(sq.scales[0], wtq.scales[0], yq.scales[0])),
        int(xq.zero_points[0]),
        int(sq.zero_points[0]),
        int(yq.zero_points[0]),
    )


def emit_svdf(cg, op):
    k = op.index
    L = svdf_layer(cg.r, cg.info, op)
    fold = -L.x_zp * L.wf.astype(np.int64).sum(axis=1)
    # each unit's bias less the state zero point times its filters' time weights, wrapped
    time_sums = L.wt.astype(np.int64).reshape(L.units, L.rank * L.memory).sum(axis=1)
    bias = emit.wrap32(L.bias.astype(np.int64) - L.state_zp * time_sums)
    ctype = "int16_t" if L.wide else "int8_t"
    konst = cg.in_flash
    cg.consts.append(emit.c_array("int8_t", f"op{k}_wf", L.wf, aligned=True, const=konst))
    cg.consts.append(emit.c_array("int32_t", f"op{k}_fold", fold, const=konst))
    cg.consts.append(emit.c_array(ctype, f"op{k}_wt", L.wt, aligned=True, const=konst))
    cg.consts.append(emit.c_array("int32_t", f"op{k}_bias", bias, const=konst))
    nbytes = cg.info.tensors[L.state].bytes
    cg.blocks.append(
        f"static {ctype} op{k}_state[{L.batches * L.filters * L.memory}] __attribute__((aligned(4)));"
    )
    cg.blocks.append(f"static uint32_t op{k}_head;")
    # TFLite Micro's ResetVariableTensors: an int8 variable starts at its zero point, others at 0
    fill = 0 if L.wide else L.state_zp & 0xFF
    cg.init.append(f"    memset(op{k}_state, {fill}, {nbytes});  /* variable: as TFLM resets it */")
    cg.init.append(f"    op{k}_head = 0;")
    io = f"(const int8_t *){cg.arena(L.x)}, (int8_t *){cg.arena(L.y)}"
    rq = f"{{{L.rq1[0]}, {L.rq1[1]}}}, {{{L.rq2[0]}, {L.rq2[1]}}}"
    cg.blocks.append(
        f"static {'const ' if konst else ''}tfl_svdf_t op{k} = {{{io}, op{k}_wf, op{k}_fold, op{k}_wt, "
        f"op{k}_bias, op{k}_state, {rq}, {L.state_zp}, {L.y_zp}, "
        f"{L.batches}, {L.n_in}, {L.filters}, {L.rank}, {L.memory}, {int(L.wide)}}};"
    )
    cg.emit(op, f"tfl_svdf(&op{k}, &op{k}_head)", L.y, op.macs)


def macs(op, tensors) -> int:
    """Per batch: every filter's feature (n_in) and its memory (time weights)."""
    batches, n_in = tensors[op.inputs[0]].shape
    filters, memory = tensors[op.inputs[2]].shape
    return batches * filters * (n_in + memory)


EMITTERS = {"SVDF": emit_svdf}

"""UNIDIRECTIONAL_SEQUENCE_LSTM in TFLite Micro's integer scheme: eight gate FCs, the
inter-gate multiplications, the cell state's power of two; hidden and cell state in
their own buffers."""

from __future__ import annotations

import math

import numpy as np
import tflite

from mcubench.tflite import emit

NAMES = ("UNIDIRECTIONAL_SEQUENCE_LSTM",)
KERNELS = ("tfl_ops.c", "nn_int8.c", "nn_dot_int8.S")  # firmware/nn sources the calls need


def emit_lstm(cg, op):
    """UNIDIRECTIONAL_SEQUENCE_LSTM in TFLite Micro's integer scheme
    (lstm_eval_common.cc PrepareGateParametersInteger, lstm_eval.h LstmStep)."""
    k, path = op.index, cg.path
    ins = list(op.inputs) + [-1] * (24 - len(op.inputs))
    if any(ins[i] >= 0 for i in (9, 10, 11, 16, 17, 20, 21, 22, 23)):
        raise emit.ModelError(
            f"{path}: operator {k} (LSTM) with peephole, projection or layer norm (not supported)"
        )
    if ins[1] < 0:
        raise emit.ModelError(f"{path}: operator {k} (LSTM) without an input gate (CIFG, not supported)")
    opt = cg.r.options(k, tflite.UnidirectionalSequenceLSTMOptions)
    if opt.TimeMajor():
        raise emit.ModelError(f"{path}: operator {k} (LSTM) time-major (not supported)")
    xi, hi, ci, yi = ins[0], ins[18], ins[19], op.outputs[0]
    t = cg.info.tensors
    if t[xi].dtype != "int8" or t[hi].dtype != "int8" or t[ci].dtype != "int16":
        raise emit.ModelError(
            f"{path}: operator {k} (LSTM): int8 input and hidden state, int16 cell state only"
        )
    xq, hq, cq = cg.r.quant(xi), cg.r.quant(hi), cg.r.quant(ci)
    batches, steps, n_in = t[xi].shape
    gate_scale = 2.0**-12  # Q3.12 into the activations
    w_in, w_rec, bias, fold, rq_in, rq_rec = [], [], [], [], [], []
    xzp, hzp = int(xq.zero_points[0]), int(hq.zero_points[0])
    for g in range(4):  # input, forget, cell, output
        wi, wr = cg.r.data(ins[1 + g]).astype(np.int64), cg.r.data(ins[5 + g]).astype(np.int64)
        wiq, wrq = cg.r.quant(ins[1 + g]), cg.r.quant(ins[5 + g])
        if len(wiq.scales) > 1 or len(wrq.scales) > 1:
            raise emit.ModelError(f"{path}: operator {k} (LSTM) with per-channel weights (not supported)")
        b = cg.r.data(ins[12 + g]).astype(np.int64)
        for arr, cty, name in (
            (wi, "int8_t", f"op{k}_wi{g}"),
            (wr, "int8_t", f"op{k}_wr{g}"),
            (emit.wrap32(b - xzp * wi.sum(axis=1)), "int32_t", f"op{k}_b{g}"),
            (emit.wrap32(-hzp * wr.sum(axis=1)), "int32_t", f"op{k}_f{g}"),
        ):
            cg.consts.append(emit.c_array(cty, name, arr, aligned=cty == "int8_t", const=cg.in_flash))
        w_in.append(f"op{k}_wi{g}")
        w_rec.append(f"op{k}_wr{g}")
        bias.append(f"op{k}_b{g}")
        fold.append(f"op{k}_f{g}")
        # CalculateOpDataFullyConnected, per emit.tensor: float32 product over the double scale
        rq_in.append(
            emit.tflite_multiplier(float(np.float32(xq.scales[0]) * np.float32(wiq.scales[0])) / gate_scale)
        )
        rq_rec.append(
            emit.tflite_multiplier(float(np.float32(hq.scales[0]) * np.float32(wrq.scales[0])) / gate_scale)
        )
    cs = float(cq.scales[0])
    power = round(float(np.float32(math.log(cs)) * (np.float32(1.0) / np.float32(math.log(2.0)))))
    q15 = 2.0**-15
    rq_fc = emit.tflite_multiplier(q15 * cs / cs)
    rq_ic = emit.tflite_multiplier(q15 * q15 / cs)
    rq_h = emit.tflite_multiplier(q15 * q15 / float(hq.scales[0]))
    shift = 15 + power - 3
    tanh_mult, tanh_shift = (3 << shift, 0) if shift >= 0 else (3, -shift)
    clip = float(opt.CellClip())
    qclip = int(min(max(clip / cs, -32768.0), 32767.0)) if clip > 0 else 0
    if opt.FusedActivationFunction() != tflite.ActivationFunctionType.TANH:
        raise emit.ModelError(f"{path}: operator {k} (LSTM) with a cell activation other than TANH")
    units = t[yi].shape[-1]
    if not cg.sigmoid_table:
        cg.consts.append(emit.c_array("uint16_t", "lstm_sigmoid", emit.sigmoid_table_uint16()))
        cg.sigmoid_table = True
    hbuf, cbuf = f"op{k}_h", f"op{k}_c"
    cg.blocks.append(f"static int8_t {hbuf}[{batches * units}] __attribute__((aligned(4)));")
    cg.blocks.append(f"static int16_t {cbuf}[{batches * units}];")
    cg.blocks.append(f"static int16_t op{k}_scratch[{3 * units}];")
    cg.init.append(f"    memset({hbuf}, {hzp & 0xFF}, {batches * units});  /* variables: zero point */")
    cg.init.append(f"    memset({cbuf}, 0, {2 * batches * units});")

    def rq(m):
        return f"{{{m[0]}, {m[1]}}}"

    def group(items):
        return "{" + ", ".join(items) + "}"

    io = f"(const int8_t *){cg.arena(xi)}, (int8_t *){cg.arena(yi)}"
    cg.blocks.append(
        f"static const tfl_lstm_t op{k} = {{{io}, {hbuf}, {cbuf}, {group(w_in)}, {group(w_rec)}, "
        f"{group(bias)}, {group(fold)}, {group(rq(m) for m in rq_in)}, {group(rq(m) for m in rq_rec)}, "
        f"{rq(rq_fc)}, {rq(rq_ic)}, {rq(rq_h)}, lstm_sigmoid, {hzp}, {qclip}, {tanh_mult}, {tanh_shift}, "
        f"{batches}, {steps}, {n_in}, {units}}};"
    )
    cg.emit(op, f"tfl_lstm(&op{k}, op{k}_scratch)", yi, op.macs)


def macs(op, tensors) -> int:
    """4 gates: input and recurrent weights per output."""
    out = int(np.prod(tensors[op.outputs[0]].shape)) if op.outputs else 0
    units, n_in = tensors[op.inputs[1]].shape
    return out * 4 * (n_in + units)


EMITTERS = {"UNIDIRECTIONAL_SEQUENCE_LSTM": emit_lstm}

"""CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: the int8 kernels of firmware/nn (nn_int8.c,
nn_dot_int8.S) called through tfl_ops.c with the weights, the bias with the input zero
point folded in, and per-channel multipliers in a const parameter block."""

from __future__ import annotations

import numpy as np
import tflite

from mcubench.tflite import emit

NAMES = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")
KERNELS = ("tfl_ops.c", "nn_int8.c", "nn_dot_int8.S")  # firmware/nn sources the calls need


def emit_weighted(cg, op):
    r, info, k = cg.r, cg.info, op.index
    xi, yi = op.inputs[0], op.outputs[0]
    xq, wq, yq = r.quant(xi), r.quant(op.inputs[1]), r.quant(yi)
    w = r.data(op.inputs[1]).astype(np.int64)
    has_bias = len(op.inputs) > 2 and op.inputs[2] >= 0
    xzp, yzp = int(xq.zero_points[0]), int(yq.zero_points[0])
    if op.name == "FULLY_CONNECTED":
        opt = r.options(k, tflite.FullyConnectedOptions)
        n_out, n_in = w.shape
        wsum = w.sum(axis=1)
        rq = emit.multipliers(xq, wq, yq, n_out, float_product=len(wq.scales) == 1)
    elif op.name == "CONV_2D":
        opt = r.options(k, tflite.Conv2DOptions)
        n_out = w.shape[0]
        wsum = w.reshape(n_out, -1).sum(axis=1)
        rq = emit.multipliers(xq, wq, yq, n_out, float_product=False)
    else:  # DEPTHWISE_CONV_2D, weights [1][kh][kw][oc]
        opt = r.options(k, tflite.DepthwiseConv2DOptions)
        n_out = w.shape[3]
        wsum = w.reshape(-1, n_out).sum(axis=0)
        rq = emit.multipliers(xq, wq, yq, n_out, float_product=False)
    bias = r.data(op.inputs[2]).astype(np.int64) if has_bias else np.zeros(n_out, np.int64)
    folded = emit.wrap32(bias - xzp * wsum)
    lo, hi = emit.activation_range(opt.FusedActivationFunction(), float(yq.scales[0]), yzp)
    wname, bname, rname = f"op{k}_w", f"op{k}_bias", f"op{k}_rq"
    # weights keep TFLite's layouts (tfl_ops.h): FC [out][in], conv [oc][kh][kw][ic],
    # depthwise [kh][kw][oc]
    cg.consts.append(emit.c_array("int8_t", wname, w, aligned=True, const=cg.in_flash))
    cg.consts.append(emit.c_array("int32_t", bname, folded, const=cg.in_flash))
    cg.consts.append(
        f"static {'const ' if cg.in_flash else ''}nn_requant_t {rname}[{n_out}] = {{"
        + ", ".join(f"{{{m}, {s}}}" for m, s in rq)
        + "};"
    )
    out = f"{{{yzp}, {lo}, {hi}}}"
    ys = info.tensors[yi].shape
    head = f"(const int8_t *){cg.arena(xi)}, (int8_t *){cg.arena(yi)}, {wname}, {bname}, {rname}, {out}"
    if op.name == "FULLY_CONNECTED":
        batches = int(np.prod(ys)) // n_out
        cg.blocks.append(f"static const tfl_fc_t op{k} = {{{head}, {batches}, {n_in}, {n_out}}};")
        call = f"tfl_fully_connected(&op{k})"
    else:
        _, ih, iw, ic = info.tensors[xi].shape
        _, oh, ow, oc = ys
        kh, kw = (w.shape[1], w.shape[2])
        sh, sw = opt.StrideH(), opt.StrideW()
        dh, dw = opt.DilationHFactor(), opt.DilationWFactor()
        ph = emit.same_or_valid(opt.Padding(), ih, kh, sh, dh, oh)
        pw = emit.same_or_valid(opt.Padding(), iw, kw, sw, dw, ow)
        mult = opt.DepthMultiplier() if op.name == "DEPTHWISE_CONV_2D" else 1
        cg.blocks.append(
            f"static const tfl_conv_t op{k} = {{{head}, {xzp}, {ih}, {iw}, {ic}, {oh}, {ow}, {oc}, "
            f"{kh}, {kw}, {sh}, {sw}, {dh}, {dw}, {ph}, {pw}, {mult}}};"
        )
        call = f"{'tfl_conv2d' if op.name == 'CONV_2D' else 'tfl_depthwise_conv2d'}(&op{k})"
    cg.emit(op, call, yi, op.macs)


def macs(op, tensors) -> int:
    """MACs of one call: every output times its kernel's taps (and input channels)."""
    out = int(np.prod(tensors[op.outputs[0]].shape)) if op.outputs else 0
    w = tensors[op.inputs[1]].shape
    if op.name == "CONV_2D":
        return out * w[1] * w[2] * w[3]
    if op.name == "DEPTHWISE_CONV_2D":
        return out * w[1] * w[2]
    return out * w[-1]  # FULLY_CONNECTED


EMITTERS = {"CONV_2D": emit_weighted, "DEPTHWISE_CONV_2D": emit_weighted, "FULLY_CONNECTED": emit_weighted}

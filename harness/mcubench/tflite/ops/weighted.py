"""CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: the int8 kernels of firmware/nn (nn_int8.c,
nn_dot_int8.S) called through tfl_ops.c with the weights, the bias with the input zero
point folded in, and per-channel multipliers in a const parameter block. weighted_layer()
reads one such operator in TFLite's terms, which the kernel comparison also calls
CMSIS-NN and TFLite Micro's reference kernels with."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tflite

from mcubench.tflite import emit

NAMES = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")
KERNELS = ("tfl_ops.c", "nn_int8.c", "nn_dot_int8.S")  # firmware/nn sources the calls need


@dataclass
class WeightedLayer:
    """One weighted operator as TFLite Micro's kernels see it: shapes NHWC, weights in
    TFLite's layout (FC [out][in], conv [oc][kh][kw][ic], depthwise [1][kh][kw][oc]),
    the raw int32 bias, QuantizeMultiplier's (multiplier, shift) per output channel
    (one for a per-tensor FULLY_CONNECTED), zero points and the fused activation's range."""

    index: int
    name: str
    x: int  # input tensor
    y: int  # output tensor
    x_shape: tuple[int, ...]
    y_shape: tuple[int, ...]
    weights: np.ndarray
    bias: np.ndarray
    rq: list[tuple[int, int]]
    per_channel: bool
    x_zp: int
    y_zp: int
    act: tuple[int, int]
    stride: tuple[int, int] = (1, 1)
    dilation: tuple[int, int] = (1, 1)
    pad: tuple[int, int] = (0, 0)
    depth_mult: int = 1
    macs: int = 0

    @property
    def n_out(self) -> int:
        return len(self.bias)


def weighted_layer(r, info, op) -> WeightedLayer:
    xi, yi = op.inputs[0], op.outputs[0]
    xq, wq, yq = r.quant(xi), r.quant(op.inputs[1]), r.quant(yi)
    w = r.data(op.inputs[1]).astype(np.int64)
    per_channel = len(wq.scales) > 1
    if op.name == "FULLY_CONNECTED":
        opt = r.options(op.index, tflite.FullyConnectedOptions)
        n_out = w.shape[0]
        rq = emit.multipliers(xq, wq, yq, n_out, float_product=not per_channel)
    elif op.name == "CONV_2D":
        opt = r.options(op.index, tflite.Conv2DOptions)
        n_out = w.shape[0]
        rq = emit.multipliers(xq, wq, yq, n_out, float_product=False)
    else:
        opt = r.options(op.index, tflite.DepthwiseConv2DOptions)
        n_out = w.shape[3]
        rq = emit.multipliers(xq, wq, yq, n_out, float_product=False)
    has_bias = len(op.inputs) > 2 and op.inputs[2] >= 0
    bias = r.data(op.inputs[2]).astype(np.int64) if has_bias else np.zeros(n_out, np.int64)
    yzp = int(yq.zero_points[0])
    layer = WeightedLayer(
        op.index,
        op.name,
        xi,
        yi,
        tuple(info.tensors[xi].shape),
        tuple(info.tensors[yi].shape),
        w,
        bias,
        rq,
        per_channel,
        int(xq.zero_points[0]),
        yzp,
        emit.activation_range(opt.FusedActivationFunction(), float(yq.scales[0]), yzp),
        macs=op.macs,
    )
    if op.name != "FULLY_CONNECTED":
        assert isinstance(opt, tflite.Conv2DOptions | tflite.DepthwiseConv2DOptions)
        _, ih, iw, _ = layer.x_shape
        _, oh, ow, _ = layer.y_shape
        kh, kw = w.shape[1], w.shape[2]
        layer.stride = (opt.StrideH(), opt.StrideW())
        layer.dilation = (opt.DilationHFactor(), opt.DilationWFactor())
        layer.pad = (
            emit.same_or_valid(opt.Padding(), ih, kh, layer.stride[0], layer.dilation[0], oh),
            emit.same_or_valid(opt.Padding(), iw, kw, layer.stride[1], layer.dilation[1], ow),
        )
        if isinstance(opt, tflite.DepthwiseConv2DOptions):
            layer.depth_mult = opt.DepthMultiplier()
    return layer


# firmware/nn/tfl_ops.h's TFL_CONV_PATCH_BYTES (a test holds the two equal)
CONV_PATCH_BYTES = 256


def kernel_for(layer: WeightedLayer) -> str:
    """The tfl_ops.c entry point for a convolution's shape (tfl_ops.h): a model links only
    the paths its layers take."""
    kh, kw = layer.weights.shape[1], layer.weights.shape[2]
    if layer.name == "CONV_2D":
        if kh == kw == 1 and layer.pad == (0, 0):
            return "tfl_conv2d_pointwise"
        if kh * kw * layer.x_shape[3] <= CONV_PATCH_BYTES:
            return "tfl_conv2d_patches"
        return "tfl_conv2d"
    return "tfl_depthwise_fanout" if layer.depth_mult % 4 == 0 else "tfl_depthwise_conv2d"


def emit_weighted(cg, op):
    k = op.index
    L = weighted_layer(cg.r, cg.info, op)
    w = L.weights
    if op.name == "FULLY_CONNECTED":
        wsum = w.sum(axis=1)
    elif op.name == "CONV_2D":
        wsum = w.reshape(L.n_out, -1).sum(axis=1)
    else:  # DEPTHWISE_CONV_2D, weights [1][kh][kw][oc]
        wsum = w.reshape(-1, L.n_out).sum(axis=0)
    folded = emit.wrap32(L.bias - L.x_zp * wsum)
    lo, hi = L.act
    wname, bname, rname = f"op{k}_w", f"op{k}_bias", f"op{k}_rq"
    # weights keep TFLite's layouts (tfl_ops.h): FC [out][in], conv [oc][kh][kw][ic],
    # depthwise [kh][kw][oc]; the patch path's rows padded with zeros to whole words
    stored = w
    if op.name == "CONV_2D" and kernel_for(L) == "tfl_conv2d_patches":
        rows = w.reshape(L.n_out, -1)
        stored = np.zeros((L.n_out, -(-rows.shape[1] // 4) * 4), np.int8)
        stored[:, : rows.shape[1]] = rows
    cg.consts.append(emit.c_array("int8_t", wname, stored, aligned=True, const=cg.in_flash))
    cg.consts.append(emit.c_array("int32_t", bname, folded, const=cg.in_flash))
    cg.consts.append(
        f"static {'const ' if cg.in_flash else ''}nn_requant_t {rname}[{L.n_out}] = {{"
        + ", ".join(f"{{{m}, {s}}}" for m, s in L.rq)
        + "};"
    )
    out = f"{{{L.y_zp}, {lo}, {hi}}}"
    head = f"(const int8_t *){cg.arena(L.x)}, (int8_t *){cg.arena(L.y)}, {wname}, {bname}, {rname}, {out}"
    if op.name == "FULLY_CONNECTED":
        n_out, n_in = w.shape
        batches = int(np.prod(L.y_shape)) // n_out
        cg.blocks.append(f"static const tfl_fc_t op{k} = {{{head}, {batches}, {n_in}, {n_out}}};")
        call = f"tfl_fully_connected(&op{k})"
    else:
        _, ih, iw, ic = L.x_shape
        _, oh, ow, oc = L.y_shape
        kh, kw = w.shape[1], w.shape[2]
        (sh, sw), (dh, dw), (ph, pw) = L.stride, L.dilation, L.pad
        cg.blocks.append(
            f"static const tfl_conv_t op{k} = {{{head}, {L.x_zp}, {ih}, {iw}, {ic}, {oh}, {ow}, {oc}, "
            f"{kh}, {kw}, {sh}, {sw}, {dh}, {dw}, {ph}, {pw}, {L.depth_mult}}};"
        )
        call = f"{kernel_for(L)}(&op{k})"
    cg.emit(op, call, L.y, op.macs)


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

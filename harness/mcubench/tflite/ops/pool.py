"""MAX_POOL_2D and AVERAGE_POOL_2D over the window clamped to the input."""

from __future__ import annotations

import tflite

from mcubench.tflite import emit

NAMES = ("MAX_POOL_2D", "AVERAGE_POOL_2D")
KERNELS = ("tfl_ops.c",)  # firmware/nn sources the calls need


def emit_pool(cg, op):
    opt = cg.r.options(op.index, tflite.Pool2DOptions)
    xi, yi = op.inputs[0], op.outputs[0]
    xq, yq = cg.r.quant(xi), cg.r.quant(yi)
    if abs(float(xq.scales[0]) - float(yq.scales[0])) > 1e-6 or int(xq.zero_points[0]) != int(
        yq.zero_points[0]
    ):
        raise emit.ModelError(
            f"{cg.path}: operator {op.index} ({op.name}) rescales (TFLite Micro's does not)"
        )
    _, ih, iw, c = cg.info.tensors[xi].shape
    _, oh, ow, _ = cg.info.tensors[yi].shape
    kh, kw, sh, sw = opt.FilterHeight(), opt.FilterWidth(), opt.StrideH(), opt.StrideW()
    ph = emit.same_or_valid(opt.Padding(), ih, kh, sh, 1, oh)
    pw = emit.same_or_valid(opt.Padding(), iw, kw, sw, 1, ow)
    lo, hi = emit.activation_range(opt.FusedActivationFunction(), float(yq.scales[0]), int(yq.zero_points[0]))
    cg.blocks.append(
        f"static const tfl_conv_t op{op.index} = {{(const int8_t *){cg.arena(xi)}, "
        f"(int8_t *){cg.arena(yi)}, 0, 0, 0, {{0, {lo}, {hi}}}, 0, {ih}, {iw}, {c}, {oh}, {ow}, {c}, "
        f"{kh}, {kw}, {sh}, {sw}, 1, 1, "
        f"{ph}, {pw}, 1}};"
    )
    fn = "tfl_max_pool" if op.name == "MAX_POOL_2D" else "tfl_avg_pool"
    cg.emit(op, f"{fn}(&op{op.index})", yi)


EMITTERS = {"MAX_POOL_2D": emit_pool, "AVERAGE_POOL_2D": emit_pool}

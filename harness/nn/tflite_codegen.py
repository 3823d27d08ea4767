"""C for a .tflite model: weights `const` in flash, one static activation arena at the
offsets tflite_model.py plans (the same plan as TFLite Micro's), and one call per
operator into firmware/nn/tfl_ops.c with a const parameter block.

What is computed here follows TFLite Micro's kernels exactly, since every output is held
to its host interpreter bit for bit:
  - multipliers: TFLite's QuantizeMultiplier (frexp, rounded half away from zero);
    CONV_2D / DEPTHWISE_CONV_2D and per-channel FULLY_CONNECTED from
    double(input scale) x double(filter scale) / double(output scale)
    (PopulateConvolutionQuantizationParams), per-tensor FULLY_CONNECTED from the float32
    product input x filter scale, then / output scale in double
    (GetQuantizedConvolutionMultipler);
  - fused activations: zero point + round(f / scale) in float32, clamped to int8
    (CalculateActivationRangeQuantized);
  - padding: TFLite's ComputePaddingHeightWidth (SAME pads floor(total / 2) before);
  - the input zero point folded into the bias: bias' = bias - x_zp sum(w) per output
    channel (the kernels give a padded tap's x_zp * w back).
An operator the generator does not know is a one-line error naming it and its index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import tflite

from mcubench.base.c_arrays import c_array
from mcubench.nn.tflite_model import ModelError, ModelInfo, load_model

SUPPORTED = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "RESHAPE", "SQUEEZE", "EXPAND_DIMS")
_ALIAS_OPS = ("RESHAPE", "SQUEEZE", "EXPAND_DIMS")
_NP = {tflite.TensorType.INT8: np.int8, tflite.TensorType.INT32: np.int32}


@dataclass
class Quant:
    scales: np.ndarray  # float32
    zero_points: np.ndarray
    axis: int


@dataclass
class OpCode:
    """What the firmware runs for one operator, and where its output lands."""

    index: int
    name: str
    c_call: str
    output: int  # tensor index
    out_offset: int
    out_bytes: int
    macs: int


@dataclass
class Generated:
    source: str
    info: ModelInfo
    ops: list[OpCode] = field(default_factory=list)
    input: int = 0
    input_offset: int = 0
    input_bytes: int = 0


def tflite_multiplier(real: float) -> tuple[int, int]:
    """TFLite's QuantizeMultiplier: real = m 2^(shift - 31), m in [2^30, 2^31), q rounded
    half away from zero (TfLiteRound)."""
    if real == 0:
        return 0, 0
    q, shift = math.frexp(real)
    fixed = int(math.floor(abs(q) * (1 << 31) + 0.5)) * (1 if q > 0 else -1)
    if fixed == 1 << 31:
        fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return fixed, shift


def _activation_range(act: int, scale: float, zp: int) -> tuple[int, int]:
    def quantize(f: float) -> int:
        v = np.float32(f) / np.float32(scale)
        return zp + int(math.floor(abs(float(v)) + 0.5)) * (1 if v >= 0 else -1)

    lo, hi = -128, 127
    if act == tflite.ActivationFunctionType.RELU:
        return max(lo, quantize(0.0)), hi
    if act == tflite.ActivationFunctionType.RELU6:
        return max(lo, quantize(0.0)), min(hi, quantize(6.0))
    if act == tflite.ActivationFunctionType.RELU_N1_TO_1:
        return max(lo, quantize(-1.0)), min(hi, quantize(1.0))
    if act != tflite.ActivationFunctionType.NONE:
        raise ModelError(f"fused activation {act} is not supported")
    return lo, hi


def _same_or_valid(padding: int, size: int, k: int, stride: int, dil: int, out: int) -> int:
    eff = (k - 1) * dil + 1
    total = max((out - 1) * stride + eff - size, 0)
    return total // 2 if padding == tflite.Padding.SAME else 0


class _Reader:
    """The parts of the flatbuffer the generator needs, by tensor and operator index."""

    def __init__(self, path):
        self.buf = bytes(open(path, "rb").read())
        self.model = tflite.Model.GetRootAsModel(self.buf, 0)
        self.sg = self.model.Subgraphs(0)

    def tensor(self, i: int):
        return self.sg.Tensors(i)

    def data(self, i: int) -> np.ndarray:
        t = self.tensor(i)
        raw = self.model.Buffers(t.Buffer()).DataAsNumpy()
        dtype = _NP.get(t.Type())
        if dtype is None or isinstance(raw, int):
            name = t.Name().decode()
            raise ModelError(f"tensor {i} ({name}): constant data of type {t.Type()} not supported")
        shape = tuple(int(d) for d in t.ShapeAsNumpy())
        return np.frombuffer(raw.tobytes(), dtype=dtype).reshape(shape)

    def quant(self, i: int) -> Quant:
        q = self.tensor(i).Quantization()
        if q is None or q.ScaleLength() == 0:
            raise ModelError(f"tensor {i} ({self.tensor(i).Name().decode()}) is not quantised")
        scales = np.asarray(q.ScaleAsNumpy(), dtype=np.float32)
        zps = np.zeros(1, np.int64)
        if q.ZeroPointLength():
            zps = np.asarray(q.ZeroPointAsNumpy(), dtype=np.int64)
        return Quant(scales, zps, int(q.QuantizedDimension()))

    def options(self, k: int, cls):
        table = self.sg.Operators(k).BuiltinOptions()
        opt = cls()
        opt.Init(table.Bytes, table.Pos)
        return opt


def _multipliers(x: Quant, w: Quant, y: Quant, n: int, float_product: bool) -> list[tuple[int, int]]:
    out = []
    for c in range(n):
        ws = w.scales[c] if len(w.scales) > 1 else w.scales[0]
        if float_product:  # per-tensor FULLY_CONNECTED: float32 product, then double
            real = float(np.float32(x.scales[0]) * np.float32(ws)) / float(y.scales[0])
        else:
            real = float(x.scales[0]) * float(ws) / float(y.scales[0])
        out.append(tflite_multiplier(real))
    return out


def generate(path) -> Generated:
    info = load_model(path)
    if info.subgraphs != 1:
        raise ModelError(f"{path}: {info.subgraphs} subgraphs; the generator runs single-subgraph models")
    for op in info.ops:
        if op.name not in SUPPORTED:
            raise ModelError(
                f"{path}: operator {op.index} ({op.name}) is not supported by the code generator "
                f"(supported: {', '.join(SUPPORTED)})"
            )
    for i in info.inputs:
        if info.tensors[i].dtype != "int8":
            raise ModelError(f"{path}: input tensor {i} is {info.tensors[i].dtype}; int8 inputs only")
    r = _Reader(path)
    gen = Generated("", info)
    consts, blocks = [], []

    def arena(i: int) -> str:
        return f"(arena + {info.offsets[i]})"

    for op in info.ops:
        k, xi, yi = op.index, op.inputs[0], op.outputs[0]
        yq = r.quant(yi) if op.name not in _ALIAS_OPS else None
        if op.name in _ALIAS_OPS:
            n = info.tensors[yi].bytes
            src, dst = info.offsets[xi], info.offsets[yi]
            call = f"memmove(arena + {dst}, arena + {src}, {n})" if src != dst else "(void)0"
            gen.ops.append(OpCode(k, op.name, call, yi, dst, n, 0))
            continue
        xq, wq = r.quant(xi), r.quant(op.inputs[1])
        w = r.data(op.inputs[1]).astype(np.int64)
        has_bias = len(op.inputs) > 2 and op.inputs[2] >= 0
        xzp, yzp = int(xq.zero_points[0]), int(yq.zero_points[0])
        if op.name == "FULLY_CONNECTED":
            opt = r.options(k, tflite.FullyConnectedOptions)
            n_out, n_in = w.shape
            wsum = w.sum(axis=1)
            per_channel = len(wq.scales) > 1
            rq = _multipliers(xq, wq, yq, n_out, float_product=not per_channel)
        elif op.name == "CONV_2D":
            opt = r.options(k, tflite.Conv2DOptions)
            n_out = w.shape[0]
            wsum = w.reshape(n_out, -1).sum(axis=1)
            rq = _multipliers(xq, wq, yq, n_out, float_product=False)
        else:  # DEPTHWISE_CONV_2D, weights [1][kh][kw][oc]
            opt = r.options(k, tflite.DepthwiseConv2DOptions)
            n_out = w.shape[3]
            wsum = w.reshape(-1, n_out).sum(axis=0)
            rq = _multipliers(xq, wq, yq, n_out, float_product=False)
        bias = r.data(op.inputs[2]).astype(np.int64) if has_bias else np.zeros(n_out, np.int64)
        folded = ((bias - xzp * wsum + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)
        lo, hi = _activation_range(opt.FusedActivationFunction(), float(yq.scales[0]), yzp)
        wname, bname, rname = f"op{k}_w", f"op{k}_bias", f"op{k}_rq"
        # weights keep TFLite's layouts (tfl_ops.h): FC [out][in], conv [oc][kh][kw][ic],
        # depthwise [kh][kw][oc]
        consts.append(c_array("int8_t", wname, w, aligned=True))
        consts.append(c_array("int32_t", bname, folded))
        consts.append(
            f"static const nn_requant_t {rname}[{n_out}] = {{"
            + ", ".join(f"{{{m}, {s}}}" for m, s in rq)
            + "};"
        )
        out = f"{{{yzp}, {lo}, {hi}}}"
        ys = info.tensors[yi].shape
        if op.name == "FULLY_CONNECTED":
            batches = int(np.prod(ys)) // n_out
            blocks.append(
                f"static const tfl_fc_t op{k} = {{(const int8_t *){arena(xi)}, (int8_t *){arena(yi)}, "
                f"{wname}, {bname}, {rname}, {out}, {batches}, {n_in}, {n_out}}};"
            )
            call = f"tfl_fully_connected(&op{k})"
        else:
            _, ih, iw, ic = info.tensors[xi].shape
            _, oh, ow, oc = ys
            kh, kw = (w.shape[1], w.shape[2])
            sh, sw = opt.StrideH(), opt.StrideW()
            dh, dw = opt.DilationHFactor(), opt.DilationWFactor()
            ph = _same_or_valid(opt.Padding(), ih, kh, sh, dh, oh)
            pw = _same_or_valid(opt.Padding(), iw, kw, sw, dw, ow)
            mult = opt.DepthMultiplier() if op.name == "DEPTHWISE_CONV_2D" else 1
            blocks.append(
                f"static const tfl_conv_t op{k} = {{(const int8_t *){arena(xi)}, (int8_t *){arena(yi)}, "
                f"{wname}, {bname}, {rname}, {out}, {xzp}, {ih}, {iw}, {ic}, {oh}, {ow}, {oc}, "
                f"{kh}, {kw}, {sh}, {sw}, {dh}, {dw}, {ph}, {pw}, {mult}}};"
            )
            fn = "tfl_conv2d" if op.name == "CONV_2D" else "tfl_depthwise_conv2d"
            call = f"{fn}(&op{k})"
        gen.ops.append(OpCode(k, op.name, call, yi, info.offsets[yi], info.tensors[yi].bytes, op.macs))
    gen.input = info.inputs[0]
    gen.input_offset = info.offsets[gen.input]
    gen.input_bytes = info.tensors[gen.input].bytes
    cases = "\n".join(f"    case {o.index}: {o.c_call}; break;" for o in gen.ops)
    gen.source = f"""/* Generated by mcubench from {info.path.name}: do not edit. */
#include <string.h>

#include "mcubench.h"
#include "tfl_ops.h"

uint8_t arena[{max(info.arena_bytes, 16)}] MCUBENCH_BUFFER __attribute__((aligned(16)));

{chr(10).join(consts)}

{chr(10).join(blocks)}

/* Runs operator k (the harness calls it operator by operator to time each and check
   its output before the arena reuses the space). */
MCUBENCH_NOINLINE int32_t model_run_op(uint32_t k)
{{
    switch (k) {{
{cases}
    default: return -1;
    }}
    return 0;
}}

void bench_init(void) {{}}

int32_t bench_run(void)
{{
    for (uint32_t k = 0; k < {len(gen.ops)}; k++)
        model_run_op(k);
    return 0;
}}
"""
    return gen

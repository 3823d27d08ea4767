"""C for a .tflite model: weights `const` in flash, one static activation arena at the
offsets tflite_model.py plans (TFLite Micro's plan, reshapes sharing their input's
buffer), and one call per operator into firmware/nn/tfl_ops.c with a const parameter
block.

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
  - LOGISTIC, TANH and QUANTIZE (int8 -> int8/uint8): a 256-entry table per operator,
    TFLite Micro's arithmetic for each input value (nn/tflite_tables.py);
  - CONCATENATION (same quantisation in and out, as TFLite Micro requires for int8),
    STRIDED_SLICE (constant begin/end/strides, begin/end/shrink masks), SPLIT_V
    (constant sizes and axis) and PAD/PADV2 (filled with the output's zero point or
    PADV2's constant), all copied as runs of bytes;
  - SOFTMAX (int8 -> int8): exp of each difference from the row's maximum from a table of
    TFLite Micro's values (nn/tflite_tables.py), its reciprocal and rounding on the chip;
  - ADD (tables of each input's rescaled value, TFLite's left shift of 20) and MUL of two
    int8 tensors of one shape (no broadcasting);
  - DEQUANTIZE (int8 -> float32): a table of the 256 floats TFLite computes;
  - MEAN over adjacent axes: sum minus the zero point's share, the 1/count folded into
    the multiplier with TFLite's integer division (QuantizedMeanOrSum);
  - MAX_POOL_2D and AVERAGE_POOL_2D over the window clamped to the input, the average
    rounded half away from zero over the taps inside (in and out share a quantisation);
    RESHAPE/SQUEEZE/EXPAND_DIMS aliases (the planner gives the output its input's
    buffer; a copy only if it could not);
  - UNIDIRECTIONAL_SEQUENCE_LSTM in TFLite Micro's integer scheme (op_lstm: the gate
    FCs' multipliers as CalculateOpDataFullyConnected, the inter-gate Mul parameters as
    CreateInterGateMulParams, the cell state's power of two as CheckedLog2); its hidden
    and cell state live in their own buffers, reset to the zero point as TFLite Micro
    resets variable tensors;
  - streaming state: VAR_HANDLE names a variable, READ_VARIABLE / ASSIGN_VARIABLE copy
    it to and from its own buffer outside the arena, CALL_ONCE's init subgraph becomes
    bench_init() (its constant assignments), run once before the first step as TFLite
    Micro runs it on the first invoke.
An operator the generator does not know is a one-line error naming it and its index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import tflite

from mcubench.base.c_arrays import c_array
from mcubench.nn.int8 import quantize_multiplier as tflite_multiplier
from mcubench.nn.tflite_model import (
    ModelError,
    ModelInfo,
    buffer,
    ints,
    load_model,
    op_name,
    operator,
    subgraph,
    tensor,
)
from mcubench.nn.tflite_tables import (
    add_input_table,
    logistic_table,
    requantize_table,
    sigmoid_table_uint16,
    softmax_exp_table,
    tanh_table,
)

SUPPORTED = (
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "FULLY_CONNECTED",
    "LOGISTIC",
    "TANH",
    "QUANTIZE",
    "CONCATENATION",
    "STRIDED_SLICE",
    "SPLIT_V",
    "SOFTMAX",
    "ADD",
    "MUL",
    "MEAN",
    "DEQUANTIZE",
    "UNIDIRECTIONAL_SEQUENCE_LSTM",
    "MAX_POOL_2D",
    "AVERAGE_POOL_2D",
    "PAD",
    "PADV2",
    "RESHAPE",
    "SQUEEZE",
    "EXPAND_DIMS",
    "VAR_HANDLE",
    "READ_VARIABLE",
    "ASSIGN_VARIABLE",
    "CALL_ONCE",
)
_ALIAS_OPS = ("RESHAPE", "SQUEEZE", "EXPAND_DIMS")
_NP = {tflite.TensorType.INT8: np.int8, tflite.TensorType.INT32: np.int32, tflite.TensorType.UINT8: np.uint8}


@dataclass
class Quant:
    scales: np.ndarray  # float32
    zero_points: np.ndarray
    axis: int


@dataclass
class Output:
    tensor: int
    offset: int  # in the arena
    bytes: int
    dtype: str


@dataclass
class OpCode:
    """What the firmware runs for one operator, and where its outputs land (none for
    e.g. ASSIGN_VARIABLE, several for SPLIT_V)."""

    index: int
    name: str
    c_call: str
    outputs: list[Output]
    macs: int = 0


@dataclass
class Generated:
    source: str
    info: ModelInfo
    ops: list[OpCode] = field(default_factory=list)
    input: int = 0
    input_offset: int = 0
    input_bytes: int = 0


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


class Reader:
    """The parts of the flatbuffer the generator needs, by tensor and operator index."""

    def __init__(self, buf: bytes):
        """buf: the file's bytes as load_model read them (ModelInfo.buf): read once."""
        self.buf = buf
        self.model = tflite.Model.GetRootAsModel(self.buf, 0)
        self.sg = subgraph(self.model, 0)

    def tensor(self, i: int):
        return tensor(self.sg, i)

    def data(self, i: int) -> np.ndarray:
        t = self.tensor(i)
        raw = buffer(self.model, t.Buffer()).DataAsNumpy()
        dtype = _NP.get(t.Type())
        if dtype is None or isinstance(raw, int):
            name = (t.Name() or b"").decode()
            raise ModelError(f"tensor {i} ({name}): constant data of type {t.Type()} not supported")
        shape = tuple(ints(t.ShapeAsNumpy()))
        return np.frombuffer(raw.tobytes(), dtype=dtype).reshape(shape)

    def quant(self, i: int) -> Quant:
        q = self.tensor(i).Quantization()
        if q is None or q.ScaleLength() == 0:
            name = (self.tensor(i).Name() or b"").decode()
            raise ModelError(f"tensor {i} ({name}) is not quantised")
        scales = np.asarray(q.ScaleAsNumpy(), dtype=np.float32)
        zps = np.zeros(1, np.int64)
        if q.ZeroPointLength():
            zps = np.asarray(q.ZeroPointAsNumpy(), dtype=np.int64)
        return Quant(scales, zps, int(q.QuantizedDimension()))

    def options(self, k: int, cls, sg=None):
        table = operator(sg or self.sg, k).BuiltinOptions()
        if table is None:
            raise ModelError(f"operator {k} has no options table")
        opt = cls()
        opt.Init(table.Bytes, table.Pos)
        return opt

    def op_name(self, sg, k: int) -> str:
        return op_name(self.model, operator(sg, k))


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


def _wrap32(v: np.ndarray) -> np.ndarray:
    return ((np.asarray(v, dtype=np.int64) + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def _strided_runs(shape, begin, end, strides, masks) -> list[tuple[int, int]]:
    """STRIDED_SLICE as (source offset, length) runs, output in order. StartForAxis /
    StopForAxis of TFLite's strided_slice_logic.h (masks: begin, end, shrink)."""
    begin_mask, end_mask, shrink_mask = masks
    lo_int, hi_int = -(1 << 31), (1 << 31) - 1
    axes = []
    for a, size in enumerate(shape):
        st = strides[a]
        if st == 0:
            raise ModelError("STRIDED_SLICE with a zero stride")
        start = begin[a]
        if begin_mask & (1 << a):
            start = lo_int if st > 0 else hi_int
        start += size if start < 0 else 0
        start = min(max(start, 0), size) if st > 0 else min(max(start, -1), size - 1)
        if shrink_mask & (1 << a):
            stop = start + 1
        else:
            stop = end[a]
            if end_mask & (1 << a):
                stop = hi_int if st > 0 else lo_int
            stop += size if stop < 0 else 0
            stop = min(max(stop, 0), size) if st > 0 else min(max(stop, -1), size - 1)
        axes.append(list(range(start, stop, st)))
    pitch = [int(np.prod(shape[a + 1 :])) for a in range(len(shape))]
    runs: list[tuple[int, int]] = []
    inner = axes[-1]
    contiguous = len(inner) > 0 and all(b - a == 1 for a, b in zip(inner, inner[1:]))
    for idx in np.ndindex(*[len(ax) for ax in axes[:-1]]):
        base = sum(axes[a][i] * pitch[a] for a, i in enumerate(idx))
        if contiguous:
            runs.append((base + inner[0], len(inner)))
        else:
            runs += [(base + v, 1) for v in inner]
    merged: list[tuple[int, int]] = []
    for off, n in runs:  # runs that follow each other become one
        if merged and merged[-1][0] + merged[-1][1] == off:
            merged[-1] = (merged[-1][0], merged[-1][1] + n)
        else:
            merged.append((off, n))
    return merged


class _Gen:
    def __init__(self, path, weights_in_sram: bool = False):
        self.in_flash = not weights_in_sram
        self.info = load_model(path)
        self.path = path
        self.r = Reader(self.info.buf)
        self.gen = Generated("", self.info)
        self.consts: list[str] = []
        self.blocks: list[str] = []
        self.state: dict[bytes, tuple[str, int]] = {}  # shared name -> (C buffer, bytes)
        self.handles: dict[int, bytes] = {}  # resource tensor -> shared name
        self.init: list[str] = []
        self.sigmoid_table = False

    def arena(self, i: int) -> str:
        return f"(arena + {self.info.offsets[i]})"

    def emit(self, op, call: str, outputs=(), macs: int = 0) -> None:
        if isinstance(outputs, int):
            outputs = (outputs,)
        outs = [
            Output(i, self.info.offsets[i], self.info.tensors[i].bytes, self.info.tensors[i].dtype)
            for i in outputs
        ]
        self.gen.ops.append(OpCode(op.index, op.name, call, outs, macs))

    def variable(self, name: bytes, nbytes: int) -> str:
        if name not in self.state:
            self.state[name] = (f"state{len(self.state)}", nbytes)
        buf, size = self.state[name]
        if size != nbytes:
            raise ModelError(f"{self.path}: variable {name.decode()} used with {size} and {nbytes} bytes")
        return buf

    # ----- operators --------------------------------------------------------------
    def op_alias(self, op):
        xi, yi = op.inputs[0], op.outputs[0]
        n, src, dst = self.info.tensors[yi].bytes, self.info.offsets[xi], self.info.offsets[yi]
        self.emit(op, f"memmove(arena + {dst}, arena + {src}, {n})" if src != dst else "(void)0", yi)

    def op_var_handle(self, op):
        opt = self.r.options(op.index, tflite.VarHandleOptions)
        self.handles[op.outputs[0]] = (opt.Container() or b"") + b"/" + (opt.SharedName() or b"")
        self.emit(op, "(void)0")

    def op_call_once(self, op):
        opt = self.r.options(op.index, tflite.CallOnceOptions)
        sub = subgraph(self.r.model, opt.InitSubgraphIndex())
        handles: dict[int, bytes] = {}
        for k in range(sub.OperatorsLength()):
            o, name = operator(sub, k), self.r.op_name(sub, k)
            if name == "VAR_HANDLE":
                v = self.r.options(k, tflite.VarHandleOptions, sub)
                handles[int(o.Outputs(0))] = (v.Container() or b"") + b"/" + (v.SharedName() or b"")
            elif name == "ASSIGN_VARIABLE":
                t = tensor(sub, int(o.Inputs(1)))
                raw = buffer(self.r.model, t.Buffer()).DataAsNumpy()
                if isinstance(raw, int) or t.Type() != tflite.TensorType.INT8:
                    raise ModelError(
                        f"{self.path}: CALL_ONCE assigns a variable from a non-constant or non-int8 tensor"
                    )
                data = np.frombuffer(raw.tobytes(), dtype=np.int8)
                buf = self.variable(handles[int(o.Inputs(0))], data.size)
                if data.any():
                    self.consts.append(c_array("int8_t", f"{buf}_init", data))
                    self.init.append(f"    memcpy({buf}, {buf}_init, {data.size});")
                else:
                    self.init.append(f"    memset({buf}, 0, {data.size});")
            else:
                raise ModelError(
                    f"{self.path}: CALL_ONCE init subgraph has {name}; only variable assignments run"
                )
        self.emit(op, "(void)0")

    def op_read_variable(self, op):
        yi = op.outputs[0]
        buf = self.variable(self.handles[op.inputs[0]], self.info.tensors[yi].bytes)
        self.emit(op, f"memcpy({self.arena(yi)}, {buf}, {self.info.tensors[yi].bytes})", yi)

    def op_assign_variable(self, op):
        xi = op.inputs[1]
        buf = self.variable(self.handles[op.inputs[0]], self.info.tensors[xi].bytes)
        self.emit(op, f"memcpy({buf}, {self.arena(xi)}, {self.info.tensors[xi].bytes})")

    def op_concatenation(self, op):
        opt = self.r.options(op.index, tflite.ConcatenationOptions)
        if opt.FusedActivationFunction() != tflite.ActivationFunctionType.NONE:
            raise ModelError(f"{self.path}: operator {op.index} (CONCATENATION) with a fused activation")
        yi = op.outputs[0]
        yq = self.r.quant(yi)
        shape = self.info.tensors[yi].shape
        axis = opt.Axis() % len(shape)
        outer = int(np.prod(shape[:axis]))
        out_inner = int(np.prod(shape[axis:]))
        calls, offset = [], 0
        for xi in op.inputs:
            xq = self.r.quant(xi)
            if float(xq.scales[0]) != float(yq.scales[0]) or int(xq.zero_points[0]) != int(yq.zero_points[0]):
                raise ModelError(
                    f"{self.path}: operator {op.index} (CONCATENATION) rescales its inputs "
                    "(TFLite Micro's int8 kernel does not either)"
                )
            inner = int(np.prod(self.info.tensors[xi].shape[axis:]))
            runs = [(o * inner, o * out_inner + offset, inner) for o in range(outer)]
            calls.append(self.place(f"op{op.index}_runs{len(calls)}", xi, yi, runs))
            offset += inner
        self.emit(op, "; ".join(calls), yi)

    def op_strided_slice(self, op):
        opt = self.r.options(op.index, tflite.StridedSliceOptions)
        if opt.EllipsisMask() or opt.NewAxisMask() or (hasattr(opt, "Offset") and opt.Offset()):
            raise ModelError(
                f"{self.path}: operator {op.index} (STRIDED_SLICE) with ellipsis, new-axis or offset"
            )
        xi, yi = op.inputs[0], op.outputs[0]
        begin, end, strides = (self.r.data(i).astype(int).tolist() for i in op.inputs[1:4])
        masks = (opt.BeginMask(), opt.EndMask(), opt.ShrinkAxisMask())
        runs = _strided_runs(self.info.tensors[xi].shape, begin, end, strides, masks)
        if sum(n for _, n in runs) != self.info.tensors[yi].bytes:
            raise ModelError(
                f"{self.path}: operator {op.index} (STRIDED_SLICE): slice and output shape disagree"
            )
        placed, dst = [], 0
        for src, n in runs:  # the output is the runs in order
            placed.append((src, dst, n))
            dst += n
        self.emit(op, self.place(f"op{op.index}_runs", xi, yi, placed), yi)

    def place(self, name: str, xi: int, yi: int, runs: list[tuple[int, int, int]]) -> str:
        """A tfl_place_runs call copying (source, destination, length) runs from tensor
        xi to tensor yi, the runs a const table."""
        self.consts.append(c_array("uint32_t", name, [v for run in runs for v in run]))
        return f"tfl_place_runs({self.arena(xi)}, {self.arena(yi)}, {name}, {len(runs)})"

    def op_split_v(self, op):
        xi = op.inputs[0]
        shape = self.info.tensors[xi].shape
        sizes = self.r.data(op.inputs[1]).astype(int).tolist()
        axis = int(self.r.data(op.inputs[2]).ravel()[0]) % len(shape)
        if sizes.count(-1) == 1:
            sizes[sizes.index(-1)] = shape[axis] - (sum(sizes) + 1)
        if sum(sizes) != shape[axis] or len(sizes) != len(op.outputs):
            raise ModelError(f"{self.path}: operator {op.index} (SPLIT_V): splits {sizes} of {shape[axis]}")
        outer = int(np.prod(shape[:axis]))
        pitch = int(np.prod(shape[axis + 1 :]))
        calls, start = [], 0
        for j, (yi, n) in enumerate(zip(op.outputs, sizes)):
            runs = [(o * shape[axis] * pitch + start * pitch, o * n * pitch, n * pitch) for o in range(outer)]
            calls.append(self.place(f"op{op.index}_runs{j}", xi, yi, runs))
            start += n
        self.emit(op, "; ".join(calls), op.outputs)

    def op_pool(self, op):
        opt = self.r.options(op.index, tflite.Pool2DOptions)
        xi, yi = op.inputs[0], op.outputs[0]
        xq, yq = self.r.quant(xi), self.r.quant(yi)
        if abs(float(xq.scales[0]) - float(yq.scales[0])) > 1e-6 or int(xq.zero_points[0]) != int(
            yq.zero_points[0]
        ):
            raise ModelError(
                f"{self.path}: operator {op.index} ({op.name}) rescales (TFLite Micro's does not)"
            )
        _, ih, iw, c = self.info.tensors[xi].shape
        _, oh, ow, _ = self.info.tensors[yi].shape
        kh, kw, sh, sw = opt.FilterHeight(), opt.FilterWidth(), opt.StrideH(), opt.StrideW()
        ph = _same_or_valid(opt.Padding(), ih, kh, sh, 1, oh)
        pw = _same_or_valid(opt.Padding(), iw, kw, sw, 1, ow)
        lo, hi = _activation_range(opt.FusedActivationFunction(), float(yq.scales[0]), int(yq.zero_points[0]))
        self.blocks.append(
            f"static const tfl_conv_t op{op.index} = {{(const int8_t *){self.arena(xi)}, "
            f"(int8_t *){self.arena(yi)}, 0, 0, 0, {{0, {lo}, {hi}}}, 0, {ih}, {iw}, {c}, {oh}, {ow}, {c}, "
            f"{kh}, {kw}, {sh}, {sw}, 1, 1, "
            f"{ph}, {pw}, 1}};"
        )
        fn = "tfl_max_pool" if op.name == "MAX_POOL_2D" else "tfl_avg_pool"
        self.emit(op, f"{fn}(&op{op.index})", yi)

    def op_pad(self, op):
        xi, yi = op.inputs[0], op.outputs[0]
        shape, out_shape = self.info.tensors[xi].shape, self.info.tensors[yi].shape
        pads = self.r.data(op.inputs[1]).astype(int).reshape(-1, 2)
        if len(op.inputs) > 2 and op.inputs[2] >= 0:
            fill = int(self.r.data(op.inputs[2]).ravel()[0])  # PADV2's constant
        else:
            fill = int(self.r.quant(yi).zero_points[0])
        if any(p < 0 for p in pads.ravel()) or len(pads) != len(shape):
            raise ModelError(f"{self.path}: operator {op.index} ({op.name}) with paddings {pads.tolist()}")
        pitch_in = [int(np.prod(shape[a + 1 :])) for a in range(len(shape))]
        pitch_out = [int(np.prod(out_shape[a + 1 :])) for a in range(len(shape))]
        runs = []
        for idx in np.ndindex(*shape[:-1]):
            src = sum(i * pitch_in[a] for a, i in enumerate(idx))
            dst = sum((i + pads[a][0]) * pitch_out[a] for a, i in enumerate(idx)) + pads[-1][0]
            runs.append((src, dst, shape[-1]))
        n = self.info.tensors[yi].bytes
        fill_call = f"memset({self.arena(yi)}, {fill & 0xFF}, {n})"
        self.emit(op, f"{fill_call}; {self.place(f'op{op.index}_runs', xi, yi, runs)}", yi)

    def op_softmax(self, op):
        opt = self.r.options(op.index, tflite.SoftmaxOptions)
        xi, yi = op.inputs[0], op.outputs[0]
        xq, yq = self.r.quant(xi), self.r.quant(yi)
        if (
            self.info.tensors[yi].dtype != "int8"
            or int(yq.zero_points[0]) != -128
            or float(yq.scales[0]) != 1 / 256
        ):
            raise ModelError(
                f"{self.path}: operator {op.index} (SOFTMAX) output not int8, scale 1/256, zero point -128"
            )
        table, dmax = softmax_exp_table(float(xq.scales[0]), float(opt.Beta()))
        name = f"op{op.index}_exp"
        self.consts.append(c_array("int32_t", name, table))
        shape = self.info.tensors[xi].shape
        depth = shape[-1]
        rows = int(np.prod(shape)) // depth
        io = f"(const int8_t *){self.arena(xi)}, (int8_t *){self.arena(yi)}"
        call = f"tfl_softmax({io}, {rows}, {depth}, {name}, {dmax})"
        self.emit(op, call, yi)

    def op_arith(self, op):
        """ADD / MUL of two int8 tensors of the same shape (no broadcasting yet)."""
        ai, bi, yi = op.inputs[0], op.inputs[1], op.outputs[0]
        if self.info.tensors[ai].shape != self.info.tensors[bi].shape:
            raise ModelError(f"{self.path}: operator {op.index} ({op.name}) broadcasts (not supported yet)")
        for i in (ai, bi, yi):
            if self.info.tensors[i].dtype != "int8" or self.info.tensors[i].constant:
                raise ModelError(
                    f"{self.path}: operator {op.index} ({op.name}) on a constant or non-int8 tensor"
                )
        aq, bq, yq = self.r.quant(ai), self.r.quant(bi), self.r.quant(yi)
        cls = tflite.AddOptions if op.name == "ADD" else tflite.MulOptions
        opt = self.r.options(op.index, cls)
        yzp = int(yq.zero_points[0])
        lo, hi = _activation_range(opt.FusedActivationFunction(), float(yq.scales[0]), yzp)
        k, n = op.index, self.info.tensors[yi].bytes
        io = f"(const int8_t *){self.arena(ai)}, (const int8_t *){self.arena(bi)}, "
        io += f"(int8_t *){self.arena(yi)}, {n}"
        if op.name == "ADD":
            twice = 2 * max(float(aq.scales[0]), float(bq.scales[0]))
            for j, q in ((1, aq), (2, bq)):
                table = add_input_table(float(q.scales[0]), int(q.zero_points[0]), twice)
                self.consts.append(c_array("int32_t", f"op{k}_t{j}", table))
            m, s = tflite_multiplier(twice / ((1 << 20) * float(yq.scales[0])))
            args = f"op{k}_t1, op{k}_t2"
        else:
            m, s = tflite_multiplier(float(aq.scales[0]) * float(bq.scales[0]) / float(yq.scales[0]))
            args = f"{int(aq.zero_points[0])}, {int(bq.zero_points[0])}"
        self.consts.append(f"static const nn_requant_t op{k}_rq = {{{m}, {s}}};")
        self.consts.append(f"static const nn_output_t op{k}_out = {{{yzp}, {lo}, {hi}}};")
        fn = "tfl_add" if op.name == "ADD" else "tfl_mul"
        self.emit(op, f"{fn}({io}, {args}, &op{k}_rq, &op{k}_out)", yi)

    def op_mean(self, op):
        xi, yi = op.inputs[0], op.outputs[0]
        shape = self.info.tensors[xi].shape
        axes = sorted({int(a) % len(shape) for a in self.r.data(op.inputs[1]).ravel()})
        if axes != list(range(axes[0], axes[-1] + 1)):
            raise ModelError(
                f"{self.path}: operator {op.index} (MEAN) over axes {axes} that are not adjacent"
            )
        outer = int(np.prod(shape[: axes[0]]))
        reduce = int(np.prod(shape[axes[0] : axes[-1] + 1]))
        inner = int(np.prod(shape[axes[-1] + 1 :]))
        xq, yq = self.r.quant(xi), self.r.quant(yi)
        m, s = tflite_multiplier(float(xq.scales[0]) / float(yq.scales[0]))
        # QuantizedMeanOrSum: 1/reduce folded in, m' = (m << shift) / reduce, s' = s - shift
        shift = min(reduce.bit_length() - 1, 32, 31 + s)
        m, s = ((m << shift) // reduce if m >= 0 else -((-m << shift) // reduce)), s - shift  # C: truncating
        k = op.index
        self.consts.append(f"static const nn_requant_t op{k}_rq = {{{m}, {s}}};")
        self.consts.append(f"static const nn_output_t op{k}_out = {{{int(yq.zero_points[0])}, -128, 127}};")
        io = f"(const int8_t *){self.arena(xi)}, (int8_t *){self.arena(yi)}"
        call = f"tfl_mean({io}, {outer}, {reduce}, {inner}, {int(xq.zero_points[0])}, &op{k}_rq, &op{k}_out)"
        self.emit(op, call, yi)

    def op_dequantize(self, op):
        """int8 -> float32, as TFLite's Dequantize: float(double(scale) * (x - zp))."""
        xi, yi = op.inputs[0], op.outputs[0]
        if self.info.tensors[xi].dtype != "int8" or self.info.tensors[yi].dtype != "float32":
            raise ModelError(f"{self.path}: operator {op.index} (DEQUANTIZE) other than int8 to float32")
        q = self.r.quant(xi)
        v = np.arange(-128, 128, dtype=np.float64) - int(q.zero_points[0])
        table = (np.float64(q.scales[0]) * v).astype(np.float32).view(np.uint32)
        name = f"op{op.index}_table"
        self.consts.append(c_array("uint32_t", name, table))
        n = self.info.tensors[xi].bytes
        self.emit(
            op,
            f"tfl_table32((const int8_t *){self.arena(xi)}, (uint32_t *){self.arena(yi)}, {n}, {name})",
            yi,
        )

    def op_lstm(self, op):
        """UNIDIRECTIONAL_SEQUENCE_LSTM in TFLite Micro's integer scheme
        (lstm_eval_common.cc PrepareGateParametersInteger, lstm_eval.h LstmStep)."""
        k, path = op.index, self.path
        ins = list(op.inputs) + [-1] * (24 - len(op.inputs))
        if any(ins[i] >= 0 for i in (9, 10, 11, 16, 17, 20, 21, 22, 23)):
            raise ModelError(
                f"{path}: operator {k} (LSTM) with peephole, projection or layer norm (not supported)"
            )
        if ins[1] < 0:
            raise ModelError(f"{path}: operator {k} (LSTM) without an input gate (CIFG, not supported)")
        opt = self.r.options(k, tflite.UnidirectionalSequenceLSTMOptions)
        if opt.TimeMajor():
            raise ModelError(f"{path}: operator {k} (LSTM) time-major (not supported)")
        xi, hi, ci, yi = ins[0], ins[18], ins[19], op.outputs[0]
        t = self.info.tensors
        if t[xi].dtype != "int8" or t[hi].dtype != "int8" or t[ci].dtype != "int16":
            raise ModelError(
                f"{path}: operator {k} (LSTM): int8 input and hidden state, int16 cell state only"
            )
        xq, hq, cq = self.r.quant(xi), self.r.quant(hi), self.r.quant(ci)
        batches, steps, n_in = t[xi].shape
        gate_scale = 2.0**-12  # Q3.12 into the activations
        w_in, w_rec, bias, fold, rq_in, rq_rec = [], [], [], [], [], []
        xzp, hzp = int(xq.zero_points[0]), int(hq.zero_points[0])
        for g in range(4):  # input, forget, cell, output
            wi, wr = self.r.data(ins[1 + g]).astype(np.int64), self.r.data(ins[5 + g]).astype(np.int64)
            wiq, wrq = self.r.quant(ins[1 + g]), self.r.quant(ins[5 + g])
            if len(wiq.scales) > 1 or len(wrq.scales) > 1:
                raise ModelError(f"{path}: operator {k} (LSTM) with per-channel weights (not supported)")
            b = self.r.data(ins[12 + g]).astype(np.int64)
            for arr, cty, name in (
                (wi, "int8_t", f"op{k}_wi{g}"),
                (wr, "int8_t", f"op{k}_wr{g}"),
                (_wrap32(b - xzp * wi.sum(axis=1)), "int32_t", f"op{k}_b{g}"),
                (_wrap32(-hzp * wr.sum(axis=1)), "int32_t", f"op{k}_f{g}"),
            ):
                self.consts.append(c_array(cty, name, arr, aligned=cty == "int8_t", const=self.in_flash))
            w_in.append(f"op{k}_wi{g}")
            w_rec.append(f"op{k}_wr{g}")
            bias.append(f"op{k}_b{g}")
            fold.append(f"op{k}_f{g}")
            # CalculateOpDataFullyConnected, per tensor: float32 product over the double scale
            rq_in.append(
                tflite_multiplier(float(np.float32(xq.scales[0]) * np.float32(wiq.scales[0])) / gate_scale)
            )
            rq_rec.append(
                tflite_multiplier(float(np.float32(hq.scales[0]) * np.float32(wrq.scales[0])) / gate_scale)
            )
        cs = float(cq.scales[0])
        power = round(float(np.float32(math.log(cs)) * (np.float32(1.0) / np.float32(math.log(2.0)))))
        q15 = 2.0**-15
        rq_fc = tflite_multiplier(q15 * cs / cs)
        rq_ic = tflite_multiplier(q15 * q15 / cs)
        rq_h = tflite_multiplier(q15 * q15 / float(hq.scales[0]))
        shift = 15 + power - 3
        tanh_mult, tanh_shift = (3 << shift, 0) if shift >= 0 else (3, -shift)
        clip = float(opt.CellClip())
        qclip = int(min(max(clip / cs, -32768.0), 32767.0)) if clip > 0 else 0
        if opt.FusedActivationFunction() != tflite.ActivationFunctionType.TANH:
            raise ModelError(f"{path}: operator {k} (LSTM) with a cell activation other than TANH")
        units = t[yi].shape[-1]
        if not self.sigmoid_table:
            self.consts.append(c_array("uint16_t", "lstm_sigmoid", sigmoid_table_uint16()))
            self.sigmoid_table = True
        hbuf, cbuf = f"op{k}_h", f"op{k}_c"
        self.blocks.append(f"static int8_t {hbuf}[{batches * units}] __attribute__((aligned(4)));")
        self.blocks.append(f"static int16_t {cbuf}[{batches * units}];")
        self.blocks.append(f"static int16_t op{k}_scratch[{3 * units}];")
        self.init.append(f"    memset({hbuf}, {hzp & 0xFF}, {batches * units});  /* variables: zero point */")
        self.init.append(f"    memset({cbuf}, 0, {2 * batches * units});")

        def rq(m):
            return f"{{{m[0]}, {m[1]}}}"

        def group(items):
            return "{" + ", ".join(items) + "}"

        io = f"(const int8_t *){self.arena(xi)}, (int8_t *){self.arena(yi)}"
        self.blocks.append(
            f"static const tfl_lstm_t op{k} = {{{io}, {hbuf}, {cbuf}, {group(w_in)}, {group(w_rec)}, "
            f"{group(bias)}, {group(fold)}, {group(rq(m) for m in rq_in)}, {group(rq(m) for m in rq_rec)}, "
            f"{rq(rq_fc)}, {rq(rq_ic)}, {rq(rq_h)}, lstm_sigmoid, {hzp}, {qclip}, {tanh_mult}, {tanh_shift}, "
            f"{batches}, {steps}, {n_in}, {units}}};"
        )
        self.emit(op, f"tfl_lstm(&op{k}, op{k}_scratch)", yi, op.macs)

    def op_table(self, op):
        xi, yi = op.inputs[0], op.outputs[0]
        xq, yq = self.r.quant(xi), self.r.quant(yi)
        if self.info.tensors[xi].dtype != "int8":
            raise ModelError(
                f"{self.path}: operator {op.index} ({op.name}) on {self.info.tensors[xi].dtype} input"
            )
        if op.name in ("LOGISTIC", "TANH"):
            scale, zp = (1 / 256, -128) if op.name == "LOGISTIC" else (1 / 128, 0)
            if int(yq.zero_points[0]) != zp or float(yq.scales[0]) != scale:
                raise ModelError(
                    f"{self.path}: operator {op.index} ({op.name}) output not scale 1/{round(1 / scale)}, "
                    f"zero point {zp}"
                )
            fn = logistic_table if op.name == "LOGISTIC" else tanh_table
            table = fn(float(xq.scales[0]), int(xq.zero_points[0])).view(np.uint8)
        else:  # QUANTIZE int8 -> int8 / uint8
            out = self.info.tensors[yi].dtype
            if out not in ("int8", "uint8"):
                raise ModelError(f"{self.path}: operator {op.index} (QUANTIZE) to {out}")
            m, sh = tflite_multiplier(float(xq.scales[0]) / float(yq.scales[0]))
            unsigned = out == "uint8"
            table = requantize_table(m, sh, int(xq.zero_points[0]), int(yq.zero_points[0]), unsigned).view(
                np.uint8
            )
        name = f"op{op.index}_table"
        self.consts.append(c_array("uint8_t", name, table))
        n = self.info.tensors[xi].bytes
        self.emit(op, f"tfl_table({self.arena(xi)}, {self.arena(yi)}, {n}, {name})", yi)

    def op_weighted(self, op):
        r, info, k = self.r, self.info, op.index
        xi, yi = op.inputs[0], op.outputs[0]
        xq, wq, yq = r.quant(xi), r.quant(op.inputs[1]), r.quant(yi)
        w = r.data(op.inputs[1]).astype(np.int64)
        has_bias = len(op.inputs) > 2 and op.inputs[2] >= 0
        xzp, yzp = int(xq.zero_points[0]), int(yq.zero_points[0])
        if op.name == "FULLY_CONNECTED":
            opt = r.options(k, tflite.FullyConnectedOptions)
            n_out, n_in = w.shape
            wsum = w.sum(axis=1)
            rq = _multipliers(xq, wq, yq, n_out, float_product=len(wq.scales) == 1)
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
        folded = _wrap32(bias - xzp * wsum)
        lo, hi = _activation_range(opt.FusedActivationFunction(), float(yq.scales[0]), yzp)
        wname, bname, rname = f"op{k}_w", f"op{k}_bias", f"op{k}_rq"
        # weights keep TFLite's layouts (tfl_ops.h): FC [out][in], conv [oc][kh][kw][ic],
        # depthwise [kh][kw][oc]
        self.consts.append(c_array("int8_t", wname, w, aligned=True, const=self.in_flash))
        self.consts.append(c_array("int32_t", bname, folded, const=self.in_flash))
        self.consts.append(
            f"static {'const ' if self.in_flash else ''}nn_requant_t {rname}[{n_out}] = {{"
            + ", ".join(f"{{{m}, {s}}}" for m, s in rq)
            + "};"
        )
        out = f"{{{yzp}, {lo}, {hi}}}"
        ys = info.tensors[yi].shape
        head = (
            f"(const int8_t *){self.arena(xi)}, (int8_t *){self.arena(yi)}, {wname}, {bname}, {rname}, {out}"
        )
        if op.name == "FULLY_CONNECTED":
            batches = int(np.prod(ys)) // n_out
            self.blocks.append(f"static const tfl_fc_t op{k} = {{{head}, {batches}, {n_in}, {n_out}}};")
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
            self.blocks.append(
                f"static const tfl_conv_t op{k} = {{{head}, {xzp}, {ih}, {iw}, {ic}, {oh}, {ow}, {oc}, "
                f"{kh}, {kw}, {sh}, {sw}, {dh}, {dw}, {ph}, {pw}, {mult}}};"
            )
            call = f"{'tfl_conv2d' if op.name == 'CONV_2D' else 'tfl_depthwise_conv2d'}(&op{k})"
        self.emit(op, call, yi, op.macs)

    HANDLERS = {
        "CONV_2D": op_weighted,
        "DEPTHWISE_CONV_2D": op_weighted,
        "FULLY_CONNECTED": op_weighted,
        "LOGISTIC": op_table,
        "TANH": op_table,
        "QUANTIZE": op_table,
        "CONCATENATION": op_concatenation,
        "STRIDED_SLICE": op_strided_slice,
        "SPLIT_V": op_split_v,
        "SOFTMAX": op_softmax,
        "ADD": op_arith,
        "MEAN": op_mean,
        "DEQUANTIZE": op_dequantize,
        "UNIDIRECTIONAL_SEQUENCE_LSTM": op_lstm,
        "MUL": op_arith,
        "MAX_POOL_2D": op_pool,
        "AVERAGE_POOL_2D": op_pool,
        "PAD": op_pad,
        "PADV2": op_pad,
        "RESHAPE": op_alias,
        "SQUEEZE": op_alias,
        "EXPAND_DIMS": op_alias,
        "VAR_HANDLE": op_var_handle,
        "READ_VARIABLE": op_read_variable,
        "ASSIGN_VARIABLE": op_assign_variable,
        "CALL_ONCE": op_call_once,
    }

    def source(self) -> str:
        info, gen = self.info, self.gen
        cases = "\n".join(f"    case {o.index}: {o.c_call}; break;" for o in gen.ops)
        state = "\n".join(
            f"static int8_t {buf}[{n}] __attribute__((aligned(4)));" for buf, n in self.state.values()
        )
        init = "\n".join(self.init) or "    /* no streaming state */"
        return f"""/* Generated by mcubench from {info.path.name}: do not edit. */
#include <string.h>

#include "mcubench.h"
#include "tfl_ops.h"

uint8_t arena[{max(info.arena_bytes, 16)}] MCUBENCH_BUFFER __attribute__((aligned(16)));
{state}

{chr(10).join(self.consts)}

{chr(10).join(self.blocks)}

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

/* The streaming state as CALL_ONCE's init subgraph leaves it. */
void bench_init(void)
{{
{init}
}}

int32_t bench_run(void)
{{
    for (uint32_t k = 0; k < {len(gen.ops)}; k++)
        model_run_op(k);
    return 0;
}}
"""


def generate(path, weights_in_sram: bool = False) -> Generated:
    """C for the model. weights_in_sram: weights, biases and multipliers as initialised
    data (copied to SRAM at start-up, flash keeps their image) instead of const in
    flash: on an RP2040, whose 16 KiB XIP cache cannot hold a 26 KB model, every step
    would otherwise fetch most weights from the flash again (40 cycles per 8-byte line)."""
    g = _Gen(path, weights_in_sram)
    info = g.info
    for op in info.ops:
        if op.name not in SUPPORTED:
            raise ModelError(
                f"{path}: operator {op.index} ({op.name}) is not supported by the code generator "
                f"(supported: {', '.join(SUPPORTED)})"
            )
    if info.subgraphs > 1 and "CALL_ONCE" not in {o.name for o in info.ops}:
        raise ModelError(f"{path}: {info.subgraphs} subgraphs; only a CALL_ONCE init subgraph is supported")
    for i in info.inputs:
        if info.tensors[i].dtype != "int8":
            raise ModelError(f"{path}: input tensor {i} is {info.tensors[i].dtype}; int8 inputs only")
    for op in info.ops:
        _Gen.HANDLERS[op.name](g, op)
    gen = g.gen
    gen.input = info.inputs[0]
    gen.input_offset = info.offsets[gen.input]
    gen.input_bytes = info.tensors[gen.input].bytes
    gen.source = g.source()
    return gen

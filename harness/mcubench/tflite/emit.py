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
    TFLite Micro's arithmetic for each input value (tflite/tflm_tables.py);
  - CONCATENATION (same quantisation in and out, as TFLite Micro requires for int8),
    STRIDED_SLICE (constant begin/end/strides, begin/end/shrink masks), SPLIT_V
    (constant sizes and axis) and PAD/PADV2 (filled with the output's zero point or
    PADV2's constant), all copied as runs of bytes;
  - SOFTMAX (int8 -> int8): exp of each difference from the row's maximum from a table of
    TFLite Micro's values (tflite/tflm_tables.py), its reciprocal and rounding on the chip;
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
from mcubench.tflite.model import (
    ALIAS_OPS,
    NP,
    ModelError,
    ModelInfo,
    Quant,
    Reader,
    buffer,
    ints,
    operator,
    subgraph,
    tensor,
)
from mcubench.tflite.tflm_tables import (
    add_input_table,
    logistic_table,
    requantize_table,
    sigmoid_table_uint16,
    softmax_exp_table,
    tanh_table,
)

# what the operator modules use from here (emit.<name>)
__all__ = [
    "ALIAS_OPS",
    "NP",
    "Gen",
    "Generated",
    "ModelError",
    "OpCode",
    "Output",
    "Quant",
    "activation_range",
    "add_input_table",
    "buffer",
    "c_array",
    "ints",
    "logistic_table",
    "multipliers",
    "operator",
    "requantize_table",
    "same_or_valid",
    "sigmoid_table_uint16",
    "softmax_exp_table",
    "strided_runs",
    "subgraph",
    "tanh_table",
    "tensor",
    "tflite_multiplier",
    "wrap32",
]


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


def activation_range(act: int, scale: float, zp: int) -> tuple[int, int]:
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


def same_or_valid(padding: int, size: int, k: int, stride: int, dil: int, out: int) -> int:
    eff = (k - 1) * dil + 1
    total = max((out - 1) * stride + eff - size, 0)
    return total // 2 if padding == tflite.Padding.SAME else 0


def multipliers(x: Quant, w: Quant, y: Quant, n: int, float_product: bool) -> list[tuple[int, int]]:
    out = []
    for c in range(n):
        ws = w.scales[c] if len(w.scales) > 1 else w.scales[0]
        if float_product:  # per-tensor FULLY_CONNECTED: float32 product, then double
            real = float(np.float32(x.scales[0]) * np.float32(ws)) / float(y.scales[0])
        else:
            real = float(x.scales[0]) * float(ws) / float(y.scales[0])
        out.append(tflite_multiplier(real))
    return out


def wrap32(v: np.ndarray) -> np.ndarray:
    return ((np.asarray(v, dtype=np.int64) + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def merge_runs(runs: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Copy runs (source, destination, length) with the runs that continue each other in
    both tensors made one."""
    merged: list[list[int]] = []
    for src, dst, n in runs:
        if merged and merged[-1][0] + merged[-1][2] == src and merged[-1][1] + merged[-1][2] == dst:
            merged[-1][2] += n
        else:
            merged.append([src, dst, n])
    return [(s, d, n) for s, d, n in merged]


def run_groups(runs: list[tuple[int, int, int]]) -> list[tuple[int, int, int, int, int, int]]:
    """Copy runs as groups (source, destination, length, count, source step, destination
    step): after merge_runs, equal runs at equal steps are one group. A padded or sliced
    narrow tensor is then a group per padded axis, not a table row per byte."""
    groups: list[list[int]] = []
    for src, dst, n in merge_runs(runs):
        g = groups[-1] if groups else None
        if g is not None and g[2] == n and g[3] == 1:
            g[3], g[4], g[5] = 2, src - g[0], dst - g[1]
        elif g is not None and g[2] == n and (src, dst) == (g[0] + g[3] * g[4], g[1] + g[3] * g[5]):
            g[3] += 1
        else:
            groups.append([src, dst, n, 1, 0, 0])
    return [(s, d, n, c, a & 0xFFFFFFFF, b & 0xFFFFFFFF) for s, d, n, c, a, b in groups]


def strided_runs(shape, begin, end, strides, masks) -> list[tuple[int, int]]:
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


class Gen:
    """One model's generation: the reader, the arena, the C it collects; the operator
    modules (tflite/ops) add to it through emit()."""

    def __init__(self, info: ModelInfo, weights_in_sram: bool = False):
        self.in_flash = not weights_in_sram
        self.info = info
        self.path = info.path
        self.r = Reader(self.info.buf)
        self.gen = Generated("", self.info)
        self.consts: list[str] = []
        self.blocks: list[str] = []
        self.state: dict[bytes, tuple[str, int]] = {}  # shared name -> (C buffer, bytes)
        self.handles: dict[int, bytes] = {}  # resource tensor -> shared name
        self.init: list[str] = []
        self.sigmoid_table = False
        self.exp2_table = False  # the float SOFTMAX's table, emitted once

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

    def place(self, name: str, xi: int, yi: int, runs: list[tuple[int, int, int]]) -> str:
        """A call copying (source, destination, length) runs from tensor xi to tensor yi:
        the runs (merged where they continue each other) as a const table of three words
        a run for tfl_place_runs, or as run_groups of six words for tfl_place_groups where
        that table is smaller."""
        merged, groups = merge_runs(runs), run_groups(runs)
        if 6 * len(groups) < 3 * len(merged):
            self.consts.append(c_array("uint32_t", name, [v for g in groups for v in g]))
            return f"tfl_place_groups({self.arena(xi)}, {self.arena(yi)}, {name}, {len(groups)})"
        self.consts.append(c_array("uint32_t", name, [v for run in merged for v in run]))
        return f"tfl_place_runs({self.arena(xi)}, {self.arena(yi)}, {name}, {len(merged)})"

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

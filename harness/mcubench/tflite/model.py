"""A .tflite file read without TensorFlow (the `tflite` flatbuffers package): its
operators in execution order, tensors, constant weights, MACs per operator, and one
static activation arena planned from tensor lifetimes, the question "will my model fit
this chip" answered before anything is generated or run.

The arena plan: every non-constant tensor of the main subgraph lives from the operator
that first writes it to the last that reads it (model inputs from the start, outputs to
the end); tensors are placed largest first at the lowest 16-byte-aligned offset that
overlaps no tensor alive at the same time (TFLite Micro's greedy planner does the same).
Resource variables (streaming state) and variable tensors (an LSTM's hidden and cell
state) are persistent and counted apart.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tflite
from flatbuffers import number_types

from mcubench.base.errors import McubenchError
from mcubench.base.files import read_input

MAX_MODEL_BYTES = 64 << 20
ALIGN = 16
_TYPE_BYTES = {
    tflite.TensorType.INT8: 1,
    tflite.TensorType.UINT8: 1,
    tflite.TensorType.INT16: 2,
    tflite.TensorType.INT32: 4,
    tflite.TensorType.FLOAT32: 4,
    tflite.TensorType.INT64: 8,
    tflite.TensorType.BOOL: 1,
    tflite.TensorType.RESOURCE: 0,
    tflite.TensorType.FLOAT16: 2,
    tflite.TensorType.UINT16: 2,
    tflite.TensorType.UINT32: 4,
    tflite.TensorType.UINT64: 8,
    tflite.TensorType.FLOAT64: 8,
    tflite.TensorType.COMPLEX64: 8,
}
_OP_NAMES = {v: k for k, v in tflite.BuiltinOperator.__dict__.items() if not k.startswith("_")}
_TYPE_NAMES = {v: k.lower() for k, v in tflite.TensorType.__dict__.items() if not k.startswith("_")}


class ModelError(McubenchError):
    """The .tflite file cannot be read."""


@dataclass
class Tensor:
    index: int
    name: str
    shape: tuple[int, ...]
    dtype: str
    bytes: int
    constant: bool
    variable: bool = False


@dataclass
class Op:
    index: int
    name: str
    inputs: list[int]
    outputs: list[int]
    macs: int = 0
    weight_bytes: int = 0


@dataclass
class ModelInfo:
    path: Path
    ops: list[Op]
    tensors: list[Tensor]
    inputs: list[int]
    outputs: list[int]
    subgraphs: int
    buf: bytes = b""  # the file as read, once: the code generator and the oracle use these bytes
    weight_bytes: int = 0
    arena_bytes: int = 0
    state_bytes: int = 0
    offsets: dict[int, int] = field(default_factory=dict)

    @property
    def macs(self) -> int:
        return sum(o.macs for o in self.ops)


def _aligned(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def _builtin_code(code) -> int:
    """max(builtin_code, deprecated_builtin_code), as TFLite reads it. The `tflite`
    package's BuiltinCode() returns the deprecated field for codes below 127, which is 0
    (ADD) in files whose writer filled only builtin_code (valid, and what newer writers do)."""
    o = code._tab.Offset(10)
    raw = code._tab.Get(number_types.Int32Flags, o + code._tab.Pos) if o else 0
    return max(raw, code.DeprecatedBuiltinCode())


def ints(vector) -> list[int]:
    """A flatbuffer int vector as a list (the `tflite` package's XAsNumpy() gives 0, not
    an empty array, for a vector the file leaves out)."""
    return [] if isinstance(vector, int) else [int(v) for v in vector]


def _present(value, what: str):
    """A table the file should hold: the accessors give None for one it leaves out."""
    if value is None:
        raise ModelError(f"{what} is missing from the file")
    return value


def subgraph(model, k: int = 0) -> tflite.SubGraph:
    return _present(model.Subgraphs(k), f"subgraph {k}")


def tensor(sg, i: int) -> tflite.Tensor:
    return _present(sg.Tensors(i), f"tensor {i}")


def operator(sg, k: int) -> tflite.Operator:
    return _present(sg.Operators(k), f"operator {k}")


def buffer(model, i: int) -> tflite.Buffer:
    return _present(model.Buffers(i), f"buffer {i}")


def operator_code(model, i: int) -> tflite.OperatorCode:
    return _present(model.OperatorCodes(i), f"operator code {i}")


def op_name(model, op) -> str:
    """The builtin operator's name; a custom one as CUSTOM(its custom code)."""
    code = operator_code(model, op.OpcodeIndex())
    name = _OP_NAMES.get(_builtin_code(code))
    if name is not None and name != "CUSTOM":
        return name
    custom = (code.CustomCode() or b"").decode(errors="replace")
    return f"CUSTOM({custom or '?'})"


# Operators whose MACs come from a weight tensor: (input index of the weights, its rank).
_WEIGHTED = {
    "CONV_2D": (1, 4),
    "DEPTHWISE_CONV_2D": (1, 4),
    "FULLY_CONNECTED": (1, 2),
    "UNIDIRECTIONAL_SEQUENCE_LSTM": (1, 2),
}
MAX_TENSOR_BYTES = 1 << 31


def _validate(model, sg, path: Path) -> None:
    """The indexes, shapes, buffers and operator codes of the main subgraph hold
    together, or one line naming the operator or tensor and what is wrong: a corrupt or
    hand-edited file must never be measured as a model that "fits"."""
    n_tensors, n_buffers, n_codes = sg.TensorsLength(), model.BuffersLength(), model.OperatorCodesLength()
    for i in range(n_tensors):
        t = tensor(sg, i)
        shape = ints(t.ShapeAsNumpy())
        where = f"{path}: tensor {i} ({(t.Name() or b'').decode(errors='replace')})"
        if any(d < 0 for d in shape):
            raise ModelError(f"{where}: shape {'x'.join(map(str, shape))} has a negative dimension")
        size = int(np.prod(shape, dtype=object)) * _TYPE_BYTES.get(t.Type(), 1)
        if size > MAX_TENSOR_BYTES:
            raise ModelError(f"{where}: shape {'x'.join(map(str, shape))} is {size:,} bytes")
        if not 0 <= t.Buffer() < n_buffers:
            raise ModelError(f"{where}: buffer index {t.Buffer()} is not one of the file's {n_buffers}")
        data = buffer(model, t.Buffer()).DataLength()
        if data and t.Type() in _TYPE_BYTES and t.Type() != tflite.TensorType.RESOURCE and data != size:
            raise ModelError(
                f"{where}: {data} bytes of constant data for shape {'x'.join(map(str, shape)) or 'scalar'} "
                f"of {_TYPE_NAMES.get(t.Type())} ({size} bytes)"
            )
    model_io = (
        ("input", sg.InputsAsNumpy, sg.InputsLength()),
        ("output", sg.OutputsAsNumpy, sg.OutputsLength()),
    )
    for what, indexes, n in model_io:
        for i in [int(v) for v in indexes()] if n else []:
            if not 0 <= i < n_tensors:
                raise ModelError(f"{path}: model {what} tensor index {i} is not one of {n_tensors}")
        if what == "input" and not n:
            raise ModelError(f"{path}: the model has no input tensor")
    for k in range(sg.OperatorsLength()):
        o = operator(sg, k)
        if not 0 <= o.OpcodeIndex() < n_codes:
            raise ModelError(f"{path}: operator {k}: operator code index {o.OpcodeIndex()} of {n_codes}")
        name = op_name(model, o)
        ins = ints(o.InputsAsNumpy())
        outs = ints(o.OutputsAsNumpy())
        for what, indexes, lowest in (("input", ins, -1), ("output", outs, 0)):
            for i in indexes:  # -1: an optional input left out
                if not lowest <= i < n_tensors:
                    raise ModelError(
                        f"{path}: operator {k} ({name}): {what} tensor index {i} is not one of {n_tensors}"
                    )
        if name in _WEIGHTED:
            slot, rank = _WEIGHTED[name]
            if len(ins) <= slot or ins[slot] < 0 or not outs:
                raise ModelError(f"{path}: operator {k} ({name}): no weights input or no output")
            w = tensor(sg, ins[slot])
            if w.ShapeLength() != rank:
                raise ModelError(
                    f"{path}: operator {k} ({name}): weights tensor {ins[slot]} has rank {w.ShapeLength()}, "
                    f"not {rank}"
                )


def load_model(path, macs: Callable[[Op, list[Tensor]], int] | None = None) -> ModelInfo:
    """The model in `path`, checked and planned; `macs` counts an operator's MACs (the
    operator registry's rules: tflite/codegen.read_model passes them)."""
    path = Path(path)
    buf = read_input(path, MAX_MODEL_BYTES, ModelError, "a .tflite model")
    if len(buf) < 8 or buf[4:8] != b"TFL3":
        raise ModelError(f"{path}: not a TensorFlow Lite model (no TFL3 identifier)")
    try:
        model = tflite.Model.GetRootAsModel(buf, 0)
        if model.SubgraphsLength() < 1:
            raise ModelError(f"{path}: no subgraph")
        sg = subgraph(model, 0)
        _validate(model, sg, path)
        tensors = []
        for i in range(sg.TensorsLength()):
            t = tensor(sg, i)
            shape = tuple(ints(t.ShapeAsNumpy()))
            data = buffer(model, t.Buffer()).DataLength() if t.Buffer() < model.BuffersLength() else 0
            size = (
                int(np.prod(shape)) * _TYPE_BYTES.get(t.Type(), 4) if shape else _TYPE_BYTES.get(t.Type(), 4)
            )
            tensors.append(
                Tensor(
                    i,
                    (t.Name() or b"").decode(errors="replace"),
                    shape,
                    _TYPE_NAMES.get(t.Type(), "?"),
                    data or size,
                    data > 0,
                    bool(t.IsVariable()),
                )
            )
        ops = []
        for i in range(sg.OperatorsLength()):
            o = operator(sg, i)
            name = op_name(model, o)
            ins = ints(o.InputsAsNumpy())
            outs = ints(o.OutputsAsNumpy())
            ops.append(Op(i, name, ins, outs))
        inputs = ints(sg.InputsAsNumpy())
        outputs = ints(sg.OutputsAsNumpy())
        subgraphs = model.SubgraphsLength()
    except (
        IndexError,
        ValueError,
        TypeError,
        AttributeError,
        OverflowError,
        UnicodeError,
        struct.error,
    ) as exc:
        raise ModelError(
            f"{path}: malformed model ({type(exc).__name__}: {exc})"
        ) from None  # corrupt flatbuffer
    info = ModelInfo(path, ops, tensors, inputs, outputs, subgraphs, bytes(buf))
    for op in ops:
        op.macs = macs(op, tensors) if macs is not None else 0
        op.weight_bytes = sum(tensors[i].bytes for i in op.inputs if i >= 0 and tensors[i].constant)
    info.weight_bytes = sum(t.bytes for t in tensors if t.constant)
    state = {op.inputs[0]: tensors[op.inputs[1]].bytes for op in ops if op.name == "ASSIGN_VARIABLE"}
    variables = sum(_aligned(t.bytes) for t in tensors if t.variable)
    info.state_bytes = sum(_aligned(b) for b in state.values()) + variables
    _plan(info)
    return info


ALIAS_OPS = ("RESHAPE", "SQUEEZE", "EXPAND_DIMS")


def _plan(info: ModelInfo) -> None:
    """Lifetimes in execution order, then greedy largest-first placement. A reshape's
    output is its input with another shape: the two share one buffer (no copy), alive
    from the first's birth to the last's death, so the arena can only be smaller than
    TFLite Micro's, which gives the output a place of its own and copies."""
    n = len(info.ops)
    first: dict[int, int] = {i: -1 for i in info.inputs}
    last: dict[int, int] = {i: n for i in info.outputs}
    for k, op in enumerate(info.ops):
        for i in op.outputs:
            first.setdefault(i, k)
        for i in op.inputs:
            if i >= 0:
                first.setdefault(i, k)
                last[i] = max(last.get(i, k), k)
        for i in op.outputs:
            last[i] = max(last.get(i, k), k)

    def planned(i: int) -> bool:
        t = info.tensors[i]
        return not t.constant and not t.variable and t.dtype != "resource" and t.bytes > 0

    root = {i: i for i in first}

    def find(i: int) -> int:
        while root[i] != i:
            i = root[i]
        return i

    for op in info.ops:
        if op.name in ALIAS_OPS and op.outputs and op.inputs and op.inputs[0] >= 0:
            a, b = op.inputs[0], op.outputs[0]
            if planned(a) and planned(b) and info.tensors[a].bytes == info.tensors[b].bytes:
                root[find(b)] = find(a)
    groups: dict[int, list[int]] = {}
    for i in first:
        if planned(i):
            groups.setdefault(find(i), []).append(i)
    placed: list[tuple[int, int, int, int]] = []  # offset, size, first, last
    order = sorted(groups, key=lambda g: (-max(info.tensors[i].bytes for i in groups[g]), g))
    for g in order:
        members = groups[g]
        size = _aligned(max(info.tensors[i].bytes for i in members))
        a = min(first[i] for i in members)
        b = max(last.get(i, first[i]) for i in members)
        offset = 0
        for o, s, _f, _l in sorted(p for p in placed if not (p[3] < a or b < p[2])):
            if offset + size <= o:
                break
            offset = max(offset, o + s)
        placed.append((offset, size, a, b))
        for i in members:
            info.offsets[i] = offset
    info.arena_bytes = max((o + s for o, s, _, _ in placed), default=0)


NP = {
    tflite.TensorType.INT8: np.int8,
    tflite.TensorType.INT16: np.int16,
    tflite.TensorType.INT32: np.int32,
    tflite.TensorType.UINT8: np.uint8,
}


@dataclass
class Quant:
    scales: np.ndarray  # float32
    zero_points: np.ndarray
    axis: int


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
        dtype = NP.get(t.Type())
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

"""The streaming state: VAR_HANDLE names a variable, READ_VARIABLE / ASSIGN_VARIABLE copy it
to and from its own buffer, CALL_ONCE's init subgraph becomes bench_init()."""

from __future__ import annotations

import numpy as np
import tflite

from mcubench.tflite import emit

NAMES = ("VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE")
KERNELS = ("tfl_ops.c",)  # firmware/nn sources the calls need


def emit_var_handle(cg, op):
    opt = cg.r.options(op.index, tflite.VarHandleOptions)
    cg.handles[op.outputs[0]] = (opt.Container() or b"") + b"/" + (opt.SharedName() or b"")
    cg.emit(op, "(void)0")


def emit_read_variable(cg, op):
    yi = op.outputs[0]
    buf = cg.variable(cg.handles[op.inputs[0]], cg.info.tensors[yi].bytes)
    cg.emit(op, f"memcpy({cg.arena(yi)}, {buf}, {cg.info.tensors[yi].bytes})", yi)


def emit_assign_variable(cg, op):
    xi = op.inputs[1]
    buf = cg.variable(cg.handles[op.inputs[0]], cg.info.tensors[xi].bytes)
    cg.emit(op, f"memcpy({buf}, {cg.arena(xi)}, {cg.info.tensors[xi].bytes})")


def emit_call_once(cg, op):
    opt = cg.r.options(op.index, tflite.CallOnceOptions)
    sub = emit.subgraph(cg.r.model, opt.InitSubgraphIndex())
    handles: dict[int, bytes] = {}
    for k in range(sub.OperatorsLength()):
        o, name = emit.operator(sub, k), cg.r.op_name(sub, k)
        if name == "VAR_HANDLE":
            v = cg.r.options(k, tflite.VarHandleOptions, sub)
            handles[int(o.Outputs(0))] = (v.Container() or b"") + b"/" + (v.SharedName() or b"")
        elif name == "ASSIGN_VARIABLE":
            t = emit.tensor(sub, int(o.Inputs(1)))
            raw = emit.buffer(cg.r.model, t.Buffer()).DataAsNumpy()
            if isinstance(raw, int) or t.Type() != tflite.TensorType.INT8:
                raise emit.ModelError(
                    f"{cg.path}: CALL_ONCE assigns a variable from a non-constant or non-int8 tensor"
                )
            data = np.frombuffer(raw.tobytes(), dtype=np.int8)
            buf = cg.variable(handles[int(o.Inputs(0))], data.size)
            if data.any():
                cg.consts.append(emit.c_array("int8_t", f"{buf}_init", data))
                cg.init.append(f"    memcpy({buf}, {buf}_init, {data.size});")
            else:
                cg.init.append(f"    memset({buf}, 0, {data.size});")
        else:
            raise emit.ModelError(
                f"{cg.path}: CALL_ONCE init subgraph has {name}; only variable assignments run"
            )
    cg.emit(op, "(void)0")


EMITTERS = {
    "VAR_HANDLE": emit_var_handle,
    "READ_VARIABLE": emit_read_variable,
    "ASSIGN_VARIABLE": emit_assign_variable,
    "CALL_ONCE": emit_call_once,
}

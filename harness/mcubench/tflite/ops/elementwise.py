"""ADD (tables of each input's rescaled value, TFLite's left shift of 20) and MUL of two
int8 tensors of one shape."""

from __future__ import annotations

import tflite

from mcubench.tflite import emit

NAMES = ("ADD", "MUL")
KERNELS = ("tfl_ops.c",)  # firmware/nn sources the calls need


def emit_elementwise(cg, op):
    """ADD / MUL of two int8 tensors of the same shape (no broadcasting yet)."""
    ai, bi, yi = op.inputs[0], op.inputs[1], op.outputs[0]
    if cg.info.tensors[ai].shape != cg.info.tensors[bi].shape:
        raise emit.ModelError(f"{cg.path}: operator {op.index} ({op.name}) broadcasts (not supported yet)")
    for i in (ai, bi, yi):
        if cg.info.tensors[i].dtype != "int8" or cg.info.tensors[i].constant:
            raise emit.ModelError(
                f"{cg.path}: operator {op.index} ({op.name}) on a constant or non-int8 tensor"
            )
    aq, bq, yq = cg.r.quant(ai), cg.r.quant(bi), cg.r.quant(yi)
    cls = tflite.AddOptions if op.name == "ADD" else tflite.MulOptions
    opt = cg.r.options(op.index, cls)
    yzp = int(yq.zero_points[0])
    lo, hi = emit.activation_range(opt.FusedActivationFunction(), float(yq.scales[0]), yzp)
    k, n = op.index, cg.info.tensors[yi].bytes
    io = f"(const int8_t *){cg.arena(ai)}, (const int8_t *){cg.arena(bi)}, "
    io += f"(int8_t *){cg.arena(yi)}, {n}"
    if op.name == "ADD":
        twice = 2 * max(float(aq.scales[0]), float(bq.scales[0]))
        for j, q in ((1, aq), (2, bq)):
            table = emit.add_input_table(float(q.scales[0]), int(q.zero_points[0]), twice)
            cg.consts.append(emit.c_array("int32_t", f"op{k}_t{j}", table))
        m, s = emit.tflite_multiplier(twice / ((1 << 20) * float(yq.scales[0])))
        args = f"op{k}_t1, op{k}_t2"
    else:
        m, s = emit.tflite_multiplier(float(aq.scales[0]) * float(bq.scales[0]) / float(yq.scales[0]))
        args = f"{int(aq.zero_points[0])}, {int(bq.zero_points[0])}"
    cg.consts.append(f"static const nn_requant_t op{k}_rq = {{{m}, {s}}};")
    cg.consts.append(f"static const nn_output_t op{k}_out = {{{yzp}, {lo}, {hi}}};")
    fn = "tfl_add" if op.name == "ADD" else "tfl_mul"
    cg.emit(op, f"{fn}({io}, {args}, &op{k}_rq, &op{k}_out)", yi)


EMITTERS = {"ADD": emit_elementwise, "MUL": emit_elementwise}

"""DEQUANTIZE (int8 -> float32): a table of the 256 floats TFLite computes."""

from __future__ import annotations

import numpy as np

from mcubench.tflite import emit

NAMES = ("DEQUANTIZE",)
KERNELS = ("tfl_ops.c",)  # firmware/nn sources the calls need


def emit_dequantize(cg, op):
    """int8 -> float32, as TFLite's Dequantize: float(double(scale) * (x - zp))."""
    xi, yi = op.inputs[0], op.outputs[0]
    if cg.info.tensors[xi].dtype != "int8" or cg.info.tensors[yi].dtype != "float32":
        raise emit.ModelError(f"{cg.path}: operator {op.index} (DEQUANTIZE) other than int8 to float32")
    q = cg.r.quant(xi)
    v = np.arange(-128, 128, dtype=np.float64) - int(q.zero_points[0])
    table = (np.float64(q.scales[0]) * v).astype(np.float32).view(np.uint32)
    name = f"op{op.index}_table"
    cg.consts.append(emit.c_array("uint32_t", name, table))
    n = cg.info.tensors[xi].bytes
    cg.emit(
        op,
        f"tfl_table32((const int8_t *){cg.arena(xi)}, (uint32_t *){cg.arena(yi)}, {n}, {name})",
        yi,
    )


EMITTERS = {"DEQUANTIZE": emit_dequantize}

"""RESHAPE, SQUEEZE and EXPAND_DIMS: the planner gives the output its input's buffer, so
nothing is copied unless it could not."""

from __future__ import annotations

NAMES = ("RESHAPE", "SQUEEZE", "EXPAND_DIMS")
KERNELS = ("tfl_ops.c",)  # firmware/nn sources the calls need


def emit_aliases(cg, op):
    xi, yi = op.inputs[0], op.outputs[0]
    n, src, dst = cg.info.tensors[yi].bytes, cg.info.offsets[xi], cg.info.offsets[yi]
    cg.emit(op, f"memmove(arena + {dst}, arena + {src}, {n})" if src != dst else "(void)0", yi)


EMITTERS = {"RESHAPE": emit_aliases, "SQUEEZE": emit_aliases, "EXPAND_DIMS": emit_aliases}

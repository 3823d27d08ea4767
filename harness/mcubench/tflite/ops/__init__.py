"""The operator registry: one module per operator family (as TFLite Micro keeps
kernels/conv.cc and one resolver line), each declaring the operator NAMES it handles,
the firmware/nn KERNELS its calls link, its EMITTERS (the C call and const parameter
block of one operator, added to the generator `cg`) and, where an operator multiplies, its
MAC rule. Adding an operator is one module here (and its line below) and one test.
"""

from __future__ import annotations

from collections.abc import Callable

from mcubench.tflite.ops import (
    aliases,
    copies,
    dequantize,
    elementwise,
    lookup,
    lstm,
    mean,
    pool,
    softmax,
    state,
    svdf,
    weighted,
)

FAMILIES = (
    weighted,
    lstm,
    svdf,
    lookup,
    softmax,
    elementwise,
    mean,
    dequantize,
    pool,
    copies,
    aliases,
    state,
)
EMITTERS: dict[str, Callable] = {name: fn for family in FAMILIES for name, fn in family.EMITTERS.items()}
SUPPORTED = tuple(EMITTERS)
# the firmware/nn sources a generated model links, in link order (the order fixes the image)
KERNEL_ORDER = ("tfl_ops.c", "nn_int8.c", "nn_dot_int8.S")
KERNELS = tuple(k for k in KERNEL_ORDER if any(k in family.KERNELS for family in FAMILIES))


def macs(op, tensors) -> int:
    """MACs of one call of `op` (0 for operators that do not multiply)."""
    for family in FAMILIES:
        if op.name in family.NAMES:
            rule = getattr(family, "macs", None)
            return rule(op, tensors) if rule is not None else 0
    return 0

"""The one emitter of C arrays for generated headers (front-end tables, model weights,
CMSIS-DSP tables): the same text for the same values, so build hashes are stable."""

from __future__ import annotations

import numpy as np


def c_array(
    ctype: str, name: str, values, *, const: bool = True, aligned: bool = False, per_line: int = 12
) -> str:
    """`static [const] ctype [aligned(4)] name[n] = {...};` with per_line values a line."""
    vals = [str(int(v)) for v in np.asarray(values).ravel()]
    body = ",\n    ".join(", ".join(vals[i : i + per_line]) for i in range(0, len(vals), per_line))
    attr = " __attribute__((aligned(4)))" if aligned else ""
    return f"static {'const ' if const else ''}{ctype}{attr} {name}[{len(vals)}] = {{\n    {body}\n}};"

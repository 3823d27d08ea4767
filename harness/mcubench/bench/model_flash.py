"""Where a generated model's flash goes, every byte: the generator names each array after
its operator and role (op3_w, op3_bias, op3_rq, op3 ...), so the symbols of the image
sort into weights, biases, multipliers, tables and copy plans, parameter blocks, the
initial values of streaming state, code, the vector table and other data; what no
symbol covers is reported as unattributed."""

from __future__ import annotations

import re

from mcubench.emu.sizes import flash_contents

CATEGORIES = (
    "weights",
    "biases",
    "multipliers",
    "tables",
    "parameters",
    "initial state",
    "code",
    "vectors",
    "other data",
    "unattributed",
)
_ROLE = {
    "w": "weights",
    "wf": "weights",  # SVDF: feature and time weights
    "wt": "weights",
    "wi": "weights",  # LSTM: input and recurrent weights per gate
    "wr": "weights",
    "bias": "biases",
    "fold": "biases",
    "b": "biases",  # LSTM: per gate, the zero points folded in
    "f": "biases",
    "rq": "multipliers",
    "table": "tables",
    "exp": "tables",
    "runs": "tables",
}
_OP_ARRAY = re.compile(r"op\d+_([a-z]+?)\d*$")
_OP_BLOCK = re.compile(r"op\d+$")
_STATE_INIT = re.compile(r"state\d+_init$")  # CALL_ONCE's constant assignments to variables


def category(name: str, kind: str) -> str:
    if kind == "func":
        return "code"
    if name == "mcubench_vectors":
        return "vectors"
    if _OP_BLOCK.match(name):
        return "parameters"
    if _STATE_INIT.match(name):
        return "initial state"
    m = _OP_ARRAY.match(name)
    if m and m.group(1) in _ROLE:
        return _ROLE[m.group(1)]
    if name in ("lstm_sigmoid", "exp2_32"):  # shared by every LSTM / float SOFTMAX of a model
        return "tables"
    return "other data"


def flash_breakdown(image) -> dict[str, int]:
    """Bytes per category, summing to the image's flash figure."""
    contents = flash_contents(image)
    out: dict[str, int] = dict.fromkeys(CATEGORIES, 0)
    for name, kind, n in contents.symbols:
        out[category(name, kind)] += n
    out["unattributed"] = sum(contents.unattributed.values())
    return out

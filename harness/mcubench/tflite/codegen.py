"""C for a .tflite model (the generator's core is tflite/emit.py, each operator family's
C in tflite/ops): read the model once (read_model, with the registry's MAC rules),
refuse what the registry does not know, and emit each operator in order."""

from __future__ import annotations

from mcubench.tflite.emit import Gen, Generated
from mcubench.tflite.model import ModelError, ModelInfo, load_model
from mcubench.tflite.ops import EMITTERS, SUPPORTED, macs


def read_model(path) -> ModelInfo:
    """The one reader: the model checked, planned, and its MACs counted."""
    return load_model(path, macs)


def generate(path, weights_in_sram: bool = False, only: frozenset[int] | None = None) -> Generated:
    """C for the model. weights_in_sram: weights, biases and multipliers as initialised
    data (copied to SRAM at start-up, flash keeps their image) instead of const in
    flash: on an RP2040, whose 16 KiB XIP cache cannot hold a 26 KB model, every step
    would otherwise fetch most weights from the flash again (40 cycles per 8-byte line).
    only: the operators to emit (a layer cut out to be timed on its own, its weights and
    nothing else's in the image; the arena keeps the whole model's plan)."""
    info = read_model(path)
    for op in info.ops:
        if op.name not in SUPPORTED:
            raise ModelError(
                f"{path}: operator {op.index} ({op.name}) is not supported by the code generator "
                f"(supported: {', '.join(SUPPORTED)})"
            )
    if info.subgraphs > 1 and "CALL_ONCE" not in {o.name for o in info.ops}:
        raise ModelError(f"{path}: {info.subgraphs} subgraphs; only a CALL_ONCE init subgraph is supported")
    for i in info.inputs:
        if info.tensors[i].dtype not in ("int8", "int16"):
            raise ModelError(
                f"{path}: input tensor {i} is {info.tensors[i].dtype}; int8 or int16 inputs only"
            )
    g = Gen(info, weights_in_sram)
    for op in info.ops:
        if only is None or op.index in only:
            EMITTERS[op.name](g, op)
    gen = g.gen
    gen.input = info.inputs[0]
    gen.input_offset = info.offsets[gen.input]
    gen.input_bytes = info.tensors[gen.input].bytes
    gen.source = g.source()
    return gen

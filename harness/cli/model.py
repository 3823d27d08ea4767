"""`mcubench model FILE.tflite --target T`: will this model fit the chip? Its operators
with their MACs and weights, the weights against flash, and the planned activation arena
plus the streaming state against SRAM. (Generating and running the model's firmware is
not done yet: code size and cycles are not part of this answer.)"""

from __future__ import annotations

from mcubench.chip.targets import load_target
from mcubench.cli.output import print_json
from mcubench.nn.tflite_model import load_model


def run_model(args) -> int:
    target = load_target(args.target)
    m = load_model(args.model)
    ram = m.arena_bytes + m.state_bytes
    fits = m.weight_bytes <= target.flash.size and ram <= target.sram.size
    doc = {
        "model": str(m.path),
        "target": target.name,
        "ops": [
            {
                "index": o.index,
                "op": o.name,
                "output_shape": list(m.tensors[o.outputs[0]].shape) if o.outputs else [],
                "macs": o.macs,
                "weight_bytes": o.weight_bytes,
            }
            for o in m.ops
        ],
        "macs": m.macs,
        "weight_bytes": m.weight_bytes,
        "arena_bytes": m.arena_bytes,
        "state_bytes": m.state_bytes,
        "flash_capacity": target.flash.size,
        "sram_capacity": target.sram.size,
        "fits": fits,
        "counted": "weights, activation arena, streaming state (not code, stack or runtime structures)",
    }
    if args.json:
        print_json(doc)
        return 0 if fits else 1
    print(f"{m.path.name}: {len(m.ops)} operators, {m.subgraphs} subgraph(s), {m.macs:,} MACs per invocation")
    for o in m.ops:
        shape = "x".join(map(str, doc["ops"][o.index]["output_shape"])) or "-"
        print(f"  {o.index:3} {o.name:22} -> {shape:14} {o.macs:>9,} MACs  {o.weight_bytes:>7,} B weights")
    print(f"weights  {m.weight_bytes:>9,} B of {target.flash.size:,} B flash ({target.name})")
    print(
        f"arena    {m.arena_bytes:>9,} B activations (lifetime-planned) + {m.state_bytes:,} B streaming state"
    )
    print(f"         {ram:>9,} B of {target.sram.size:,} B SRAM")
    verdict = "fits" if fits else "does not fit"
    print(f"{verdict} {target.name} (weights, arena and state only: code, stack and runtime not counted yet)")
    return 0 if fits else 1

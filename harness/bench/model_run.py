"""A .tflite model run on the emulated chip, operator by operator, against TFLite Micro.

The generated firmware (nn/tflite_codegen.py) is built for the target and called once
per operator (after one unmeasured run of the whole model, so an RP2040's XIP cache is
warm as it is in a loop on the chip), so each gets its own cycles and its output can be read from the arena
before a later operator reuses the space. The same input goes through the tflite-micro
wheel's host interpreter (kPreserveAllTensors keeps every tensor): the oracle, since it
is the reference kernel code TFLite Micro compiles for a chip. The first operator and
element that differ are reported; the model is bit-exact only if none does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mcubench.base.errors import ConfigError
from mcubench.base.paths import FIRMWARE_DIR
from mcubench.base.project import current
from mcubench.build.compile import BuildSpec, build
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.machine import Machine
from mcubench.emu.sizes import sizes
from mcubench.nn.tflite_codegen import Generated, generate

NN = FIRMWARE_DIR / "nn"
KERNELS = (NN / "tfl_ops.c", NN / "nn_int8.c", NN / "nn_dot_int8.S")


@dataclass
class OpResult:
    index: int
    name: str
    cycles: int
    macs: int
    bit_exact: bool
    first_diff: dict | None = None


@dataclass
class ModelRun:
    target: str
    ops: list[OpResult] = field(default_factory=list)
    flash_bytes: int = 0
    code_bytes: int = 0
    weight_bytes: int = 0
    arena_bytes: int = 0
    ram_static_bytes: int = 0
    stack_peak_bytes: int = 0

    @property
    def cycles(self) -> int:
        return sum(o.cycles for o in self.ops)

    @property
    def bit_exact(self) -> bool:
        return all(o.bit_exact for o in self.ops)


def _oracle():
    try:
        from tflite_micro.python.tflite_micro import runtime
    except ImportError:
        raise ConfigError(
            "running a model compares it with TFLite Micro's host interpreter: "
            "pip install 'mcubench[tflm]' (the tflite-micro wheel)"
        ) from None
    return runtime


def firmware(gen: Generated, target) -> Path:
    """Write the generated C into the project's build folder and build it for target."""
    digest = hashlib.sha256(gen.source.encode()).hexdigest()[:16]
    src = current().gen_dir / "models" / f"{gen.info.path.stem}-{digest}.c"
    if not src.exists():
        src.parent.mkdir(parents=True, exist_ok=True)
        tmp = src.with_suffix(".tmp")
        tmp.write_text(gen.source)
        tmp.replace(src)
    spec = BuildSpec(f"model_{gen.info.path.stem}", (src, *KERNELS), opt="-O2", include_dirs=(NN,))
    return build(spec, target).elf


def run(path, target, x: np.ndarray | None = None, seed: int = 0) -> ModelRun:
    runtime = _oracle()
    gen = generate(path)
    info = gen.info
    shape = info.tensors[gen.input].shape
    if x is None:
        x = np.random.default_rng(seed).integers(-128, 128, size=shape, dtype=np.int8)
    x = np.asarray(x, dtype=np.int8).reshape(shape)
    image = ElfImage.load(firmware(gen, target))
    m = Machine(image, target)
    arena = image.symbol("arena", "object").addr
    m.write(arena + gen.input_offset, x.tobytes())
    m.call("bench_run")  # once whole, unmeasured: a warm XIP cache, as in a loop on the chip
    m.write(arena + gen.input_offset, x.tobytes())  # the arena reused the input's space

    interp = runtime.Interpreter.from_bytes(
        Path(path).read_bytes(), intrepreter_config=runtime.InterpreterConfig.kPreserveAllTensors
    )
    interp.set_input(x, 0)
    interp.invoke()

    size = sizes(image, target)
    out = ModelRun(target.name, weight_bytes=info.weight_bytes, arena_bytes=info.arena_bytes)
    out.flash_bytes = size.flash_bytes
    out.code_bytes = size.text_bytes
    out.ram_static_bytes = size.ram_static_bytes
    for op in gen.ops:
        result = m.call("model_run_op", op.index)
        out.stack_peak_bytes = max(out.stack_peak_bytes, result.stack_peak_bytes)
        got = np.frombuffer(m.read(arena + op.out_offset, op.out_bytes), dtype=np.int8)
        want = np.asarray(interp.GetTensor(op.output, 0)["tensor_data"]).astype(np.int8).ravel()
        diff = np.flatnonzero(got != want)
        first = None
        if diff.size:
            i = int(diff[0])
            first = {"element": i, "got": int(got[i]), "tflm": int(want[i]), "count": int(diff.size)}
        out.ops.append(OpResult(op.index, op.name, result.cycles, op.macs, first is None, first))
    return out

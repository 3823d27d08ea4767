"""A .tflite model run on the emulated chip, operator by operator, against TFLite Micro.

The generated firmware (tflite/codegen.py) is built for the target and called once
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
from mcubench.base.files import write_if_changed
from mcubench.base.paths import FIRMWARE_DIR
from mcubench.base.project import current
from mcubench.bench.model_flash import flash_breakdown
from mcubench.build import host_microfrontend as hm
from mcubench.build.compile import BuildSpec, build
from mcubench.data.arrays import read_array
from mcubench.data.wav import read_pcm16
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.machine import Machine
from mcubench.emu.sizes import sizes
from mcubench.tflite.codegen import generate, read_model
from mcubench.tflite.emit import Generated
from mcubench.tflite.model import ModelError, Reader
from mcubench.tflite.ops import KERNELS as OP_KERNELS

NN = FIRMWARE_DIR / "nn"
KERNELS = tuple(NN / k for k in OP_KERNELS)  # what the operator registry's calls link


def ulps(got: np.ndarray, want: np.ndarray) -> int:
    """The largest distance between float32 bit patterns, in units in the last place
    (sign-magnitude patterns mapped onto one ordered integer line): how far a float
    output that differs is off."""

    def ordered(bits: np.ndarray) -> np.ndarray:
        b = bits.astype(np.int64)
        return np.where(b & 0x80000000, 0x80000000 - b, b)

    return int(np.abs(ordered(got) - ordered(want)).max(initial=0))


@dataclass
class OpResult:
    index: int
    name: str
    cycles: int  # per step (mean over the steps, rounded)
    macs: int
    bit_exact: bool
    first_diff: dict | None = None  # step, element, got, tflm, count (in that step), float ulps


@dataclass
class ModelRun:
    target: str
    steps: int = 1
    ops: list[OpResult] = field(default_factory=list)
    worst_step_cycles: int = 0
    total_cycles: int = 0  # over all the steps
    flash_bytes: int = 0
    code_bytes: int = 0
    weight_bytes: int = 0
    arena_bytes: int = 0
    state_bytes: int = 0
    ram_static_bytes: int = 0
    stack_peak_bytes: int = 0
    flash_breakdown: dict[str, int] = field(default_factory=dict)  # model_flash: every byte

    @property
    def cycles(self) -> int:
        return sum(o.cycles for o in self.ops)

    @property
    def bit_exact(self) -> bool:
        return all(o.bit_exact for o in self.ops)


def oracle():
    try:
        from tflite_micro.python.tflite_micro import runtime
    except ImportError:
        raise ConfigError(
            "running a model compares it with TFLite Micro's host interpreter: "
            "pip install 'mcubench[tflm]' (the tflite-micro wheel)"
        ) from None
    return runtime


def interpreter(path, info):
    """TFLite Micro's host interpreter on the bytes the generator read (the oracle runs the
    same model), keeping every tensor. Its default arena (10x the file) is too small for
    small models with large activations, and an arena it cannot fill crashes the
    process: it gets room."""
    runtime = oracle()
    try:
        return runtime.Interpreter.from_bytes(
            info.buf,
            arena_size=max(10 * len(info.buf), 4 * info.arena_bytes + (256 << 10)),
            intrepreter_config=runtime.InterpreterConfig.kPreserveAllTensors,
        )
    except (RuntimeError, ValueError) as exc:
        raise ModelError(f"{path}: TFLite Micro's interpreter refuses the model ({exc})") from None


def firmware(gen: Generated, target) -> Path:
    """Write the generated C into the project's build folder and build it for target."""
    digest = hashlib.sha256(gen.source.encode()).hexdigest()[:16]
    src = write_if_changed(current().gen_dir / "models" / f"{gen.info.path.stem}-{digest}.c", gen.source)
    spec = BuildSpec(f"model_{gen.info.path.stem}", (src, *KERNELS), opt="-O2", include_dirs=(NN,))
    return build(spec, target).elf


def _compare(m, arena: int, op, interp, step: int) -> dict | None:
    """The first element of the operator's outputs that differs from TFLite Micro's."""
    for out in op.outputs:
        dtype = {"uint8": np.uint8, "float32": np.uint32, "int32": np.int32, "int16": np.int16}.get(
            out.dtype, np.int8
        )
        got = np.frombuffer(m.read(arena + out.offset, out.bytes), dtype=dtype)
        data = np.ascontiguousarray(interp.GetTensor(out.tensor, 0)["tensor_data"])
        want = (data.view(np.uint32) if out.dtype == "float32" else data.astype(dtype)).ravel()
        diff = np.flatnonzero(got != want)
        if diff.size:
            i = int(diff[0])
            found = {
                "step": step,
                "tensor": out.tensor,
                "element": i,
                "got": int(got[i]),
                "tflm": int(want[i]),
                "count": int(diff.size),
            }
            if out.dtype == "float32":
                found["ulps"] = ulps(got, want)
            return found
    return None


def wav_features(wav: Path, shape: tuple, scale: float, zero_point: int) -> np.ndarray:
    """Steps of int8 input from a 16 kHz WAV for a model fed microWakeWord's features
    (input [1, frames, 40]): the TFLite Micro front end in microWakeWord's configuration
    (the pinned sources built for the host, equal to the pymicro-features wheel), its
    uint16 output scaled by 5/128 as the wheel does, quantised with the model's input
    scale and zero point, `frames` feature frames a step."""
    if len(shape) != 3 or shape[0] != 1 or shape[2] != hm.Shape().channels:
        raise ConfigError(
            f"{wav}: a WAV input needs a model whose input is [1, frames, {hm.Shape().channels}] "
            f"(microWakeWord's features), not {list(shape)}"
        )
    rate, samples = read_pcm16(wav)
    if rate != hm.Shape().sample_rate:
        raise ConfigError(f"{wav}: {rate} Hz; the wake-word front end takes {hm.Shape().sample_rate} Hz")
    feats = hm.features(hm.Shape(), samples)
    feats = feats[np.flatnonzero(feats.any(axis=1))[0] :] if feats.any() else feats
    q = np.round(feats.astype(np.float64) * (5 / 128) / scale) + zero_point
    q = np.clip(q, -128, 127).astype(np.int8)
    frames = shape[1]
    steps = len(q) // frames
    if steps == 0:
        raise ConfigError(f"{wav}: too short for one step of {frames} feature frames")
    return q[: steps * frames].reshape(steps, *shape)


def read_steps(model, data: Path, limit: int | None = None) -> np.ndarray:
    """[steps, *input shape] for the model from a file: steps of its input type back to back
    (.npy), or a 16 kHz WAV turned into microWakeWord's features (wav_features), at most
    `limit` steps."""
    info = read_model(model)
    shape = info.tensors[info.inputs[0]].shape
    if Path(data).suffix.lower() == ".wav":
        q = Reader(info.buf).quant(info.inputs[0])
        x = wav_features(Path(data), shape, float(q.scales[0]), int(q.zero_points[0]))
    else:
        flat = read_array(Path(data), info.tensors[info.inputs[0]].dtype)
        n = int(np.prod(shape))
        if flat.size % n:
            raise ConfigError(f"{data}: {flat.size} values are not whole steps of {n} ({list(shape)})")
        x = flat.reshape(-1, *shape)
    return x[:limit] if limit else x


def run(
    path, target, x: np.ndarray | None = None, seed: int = 0, steps: int = 1, weights_in_sram: bool = False
) -> ModelRun:
    """Run the model `steps` times (a streaming model carries its state from step to
    step, on the chip and in the interpreter alike), every operator checked every step.
    x: [steps, *input shape] of the input's type, int8 or int16 (or one step's input),
    else seeded random inputs over the type's range."""
    oracle()  # before any build: without the wheel, say so first
    gen = generate(path, weights_in_sram)
    info = gen.info
    shape = info.tensors[gen.input].shape
    dtype = np.dtype(info.tensors[gen.input].dtype)  # int8 or int16 (codegen refuses others)
    if x is None:
        lo, hi = np.iinfo(dtype).min, np.iinfo(dtype).max
        x = np.random.default_rng(seed).integers(lo, hi + 1, size=(steps, *shape), dtype=dtype)
    x = np.asarray(x, dtype=dtype).reshape(-1, *shape)
    steps = len(x)
    image = ElfImage.load(firmware(gen, target))
    m = Machine(image, target)
    arena = image.symbol("arena", "object").addr
    m.call("bench_init")
    m.write(arena + gen.input_offset, x[0].tobytes())
    m.call("bench_run")  # once whole, unmeasured: a warm XIP cache, as in a loop on the chip
    m.call("bench_init")  # and the state back to where CALL_ONCE leaves it

    interp = interpreter(path, info)
    size = sizes(image, target)
    out = ModelRun(target.name, steps, weight_bytes=info.weight_bytes, arena_bytes=info.arena_bytes)
    out.state_bytes = info.state_bytes
    out.flash_bytes = size.flash_bytes
    out.code_bytes = size.text_bytes
    out.flash_breakdown = flash_breakdown(image)
    out.ram_static_bytes = size.ram_static_bytes
    totals = [0] * len(gen.ops)
    first: list[dict | None] = [None] * len(gen.ops)
    for step in range(steps):
        m.write(arena + gen.input_offset, x[step].tobytes())
        try:
            interp.set_input(x[step], 0)
            interp.invoke()
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"{path}: TFLite Micro's interpreter failed at step {step} ({exc})") from None
        step_cycles = 0
        for k, op in enumerate(gen.ops):
            result = m.call("model_run_op", op.index)
            totals[k] += result.cycles
            step_cycles += result.cycles
            out.stack_peak_bytes = max(out.stack_peak_bytes, result.stack_peak_bytes)
            if first[k] is None:
                first[k] = _compare(m, arena, op, interp, step)
        out.worst_step_cycles = max(out.worst_step_cycles, step_cycles)
        out.total_cycles += step_cycles
    for k, op in enumerate(gen.ops):
        cycles = (totals[k] + steps // 2) // steps
        out.ops.append(OpResult(op.index, op.name, cycles, op.macs, first[k] is None, first[k]))
    return out

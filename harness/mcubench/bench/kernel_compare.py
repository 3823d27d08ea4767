"""Our int8 kernels against CMSIS-NN and TFLite Micro's reference kernels, layer by
layer, measured on the emulated chip: never estimated.

Each CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and SVDF of a .tflite model is cut out
and built four ways for the same chip, its weights in SRAM (initialised data) in all four
(an SVDF's calls are in svdf_compare.py; its state is set before every call to the one
TFLite Micro's interpreter had before the step compared):
  - mcubench: the generator's code for that operator alone (tflite/codegen.py `only`);
  - CMSIS-NN: its s8 wrapper called as TFLite Micro's cmsis_nn glue calls it in Eval
    (per-channel multipliers and shifts, the scratch buffer its get_buffer_size asks
    for; a FULLY_CONNECTED's kernel sums made before timing, as the glue's Prepare
    does under KERNELS_OPTIMIZED_FOR_SPEED, the library's fastest way), built -O2;
  - TFLite Micro's reference kernels (reference_integer_ops ConvPerChannel,
    DepthwiseConvPerChannel, FullyConnected / FullyConnectedPerChannel, the functions
    its conv.cc, depthwise_conv.cc and fully_connected.cc call), built -O2 and -O3.
The layer's input is the activation TFLite Micro's host interpreter computed for it from
a seeded random model input; every output is compared with the interpreter's tensor, so
each column says whether it is bit-exact. Each call runs twice and the second is timed
(an RP2040's XIP cache warm, as in a loop on the chip).

Third-party sources are never copied in: they come from the checkouts the environment
names (CMSIS_NN_ROOT: a clone of ARM-software/CMSIS-NN; TFLM_ROOT: of
tensorflow/tflite-micro, with gemmlowp where TFLite Micro's `make third_party_downloads`
puts it, or GEMMLOWP_ROOT; its SVDF also needs flatbuffers' headers from there, or
FLATBUFFERS_ROOT, and is left out without them). A library whose checkout is not named
is left out.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from mcubench.base.c_arrays import c_array
from mcubench.base.errors import ConfigError
from mcubench.base.files import write_if_changed
from mcubench.base.project import current
from mcubench.bench import svdf_compare
from mcubench.bench.model_run import firmware, interpreter
from mcubench.build.compile import BuildSpec, build
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.machine import Machine
from mcubench.tflite.codegen import generate, read_model
from mcubench.tflite.model import ModelError, Reader
from mcubench.tflite.ops.svdf import SvdfLayer, svdf_layer
from mcubench.tflite.ops.weighted import NAMES as WEIGHTED
from mcubench.tflite.ops.weighted import WeightedLayer, weighted_layer

CMSIS_ENV, TFLM_ENV, GEMMLOWP_ENV = "CMSIS_NN_ROOT", "TFLM_ROOT", "GEMMLOWP_ROOT"
FLATBUFFERS_ENV = "FLATBUFFERS_ROOT"
OURS, CMSIS, TFLM_O2, TFLM_O3 = "mcubench", "cmsis-nn", "tflm-ref -O2", "tflm-ref -O3"
# The M0+'s arithmetic limit for int8 x int8 with 32-bit loads: a word of four inputs and
# one of four weights (2 + 2 cycles), eight lanes sign-extended (12), four MULS and four
# ADDS (8): 24 cycles per 4 MACs (docs/explanation/int8-models.md).
LIMIT_CYCLES_PER_MAC = 6
TFLM_GEMMLOWP = Path("tensorflow/lite/micro/tools/make/downloads/gemmlowp")
TFLM_FLATBUFFERS = Path("tensorflow/lite/micro/tools/make/downloads/flatbuffers")
CMSIS_FOLDERS = ("ConvolutionFunctions", "FullyConnectedFunctions", "NNSupportFunctions")
COMPARED = (*WEIGHTED, "SVDF")


@dataclass(frozen=True)
class Checkouts:
    cmsis_nn: Path | None = None
    tflm: Path | None = None
    gemmlowp: Path | None = None
    flatbuffers: Path | None = None  # a flatbuffers checkout: TFLite Micro's SVDF includes it

    @property
    def libraries(self) -> tuple[str, ...]:
        return (OURS,) + ((CMSIS,) if self.cmsis_nn else ()) + ((TFLM_O2, TFLM_O3) if self.tflm else ())


def checkouts(env=None) -> Checkouts:
    """The checkouts the environment names, each checked for the file it must have (a
    wrong path is a one-line error naming the variable, not a missing column)."""
    env = os.environ if env is None else env

    def folder(var: str, must_have: str) -> Path | None:
        value = env.get(var)
        if not value:
            return None
        root = Path(value).expanduser()
        if not (root / must_have).is_file():
            raise ConfigError(f"{var}={value}: no {must_have} there")
        return root

    cmsis = folder(CMSIS_ENV, "Include/arm_nnfunctions.h")
    tflm = folder(TFLM_ENV, "tensorflow/lite/kernels/internal/reference/integer_ops/conv.h")
    gemmlowp = folder(GEMMLOWP_ENV, "fixedpoint/fixedpoint.h")
    if tflm is not None and gemmlowp is None:
        gemmlowp = tflm / TFLM_GEMMLOWP
        if not (gemmlowp / "fixedpoint" / "fixedpoint.h").is_file():
            raise ConfigError(
                f"{TFLM_ENV}={env[TFLM_ENV]}: no gemmlowp in {TFLM_GEMMLOWP} (run TFLite Micro's "
                "`make -f tensorflow/lite/micro/tools/make/Makefile third_party_downloads`, "
                f"or set {GEMMLOWP_ENV})"
            )
    flatbuffers = folder(FLATBUFFERS_ENV, "include/flatbuffers/flatbuffers.h")
    if (
        tflm is not None
        and flatbuffers is None
        and (tflm / TFLM_FLATBUFFERS / "include/flatbuffers").is_dir()
    ):
        flatbuffers = tflm / TFLM_FLATBUFFERS
    return Checkouts(cmsis, tflm, gemmlowp, flatbuffers)


@dataclass
class LayerComparison:
    index: int
    op: str
    shape: str  # e.g. "CONV 1x1 64->64 25x1"
    macs: int
    cycles: dict[str, int] = field(default_factory=dict)
    bit_exact: dict[str, bool] = field(default_factory=dict)

    @property
    def limit_cycles(self) -> int:
        return LIMIT_CYCLES_PER_MAC * self.macs

    def best_other(self) -> tuple[str, int] | None:
        others = [(c, lib) for lib, c in self.cycles.items() if lib != OURS]
        return (min(others)[1], min(others)[0]) if others else None

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "op": self.op,
            "shape": self.shape,
            "macs": self.macs,
            "limit_cycles": self.limit_cycles,
            "cycles": dict(self.cycles),
            "bit_exact": dict(self.bit_exact),
        }


def describe(layer: WeightedLayer) -> str:
    if layer.name == "FULLY_CONNECTED":
        n_out, n_in = layer.weights.shape
        batches = int(np.prod(layer.y_shape)) // n_out
        return f"FC {n_in}->{n_out}" + (f" x{batches}" if batches > 1 else "")
    _, ih, iw, ic = layer.x_shape
    _, oh, ow, oc = layer.y_shape
    w = layer.weights.shape
    stride = f" s{layer.stride[0]}" if layer.stride != (1, 1) else ""
    if layer.name == "CONV_2D":
        return f"CONV {w[1]}x{w[2]}{stride} {ic}->{oc} {oh}x{ow}"
    mult = f" m{layer.depth_mult}" if layer.depth_mult > 1 else ""
    return f"DW {w[1]}x{w[2]}{stride} {ic}->{oc}{mult} {oh}x{ow}"


def _io(layer: WeightedLayer) -> str:
    n_in, n_out = int(np.prod(layer.x_shape)), int(np.prod(layer.y_shape))
    return (
        f"int8_t layer_input[{n_in}] __attribute__((aligned(4), used));\n"
        f"int8_t layer_output[{n_out}] __attribute__((aligned(4), used));\n"
    )


def _quant_arrays(layer: WeightedLayer) -> str:
    return "\n".join(
        [
            c_array("int8_t", "weights", layer.weights, const=False, aligned=True),
            c_array("int32_t", "bias", layer.bias, const=False),
            c_array("int32_t", "mult", [m for m, _ in layer.rq], const=False),
            c_array("int32_t", "shift", [s for _, s in layer.rq], const=False),
        ]
    )


def cmsis_source(layer: WeightedLayer) -> str:
    """C calling CMSIS-NN's s8 wrapper for the layer as TFLite Micro's glue does."""
    lo, hi = layer.act
    x, y = layer.x_shape, layer.y_shape
    head = f"""/* Generated by mcubench: {describe(layer)} through CMSIS-NN. */
#include <stdint.h>
#include "arm_nnfunctions.h"

{_io(layer)}
{_quant_arrays(layer)}
static int32_t scratch_words[SCRATCH_WORDS];
static cmsis_nn_context ctx;
"""
    if layer.name == "FULLY_CONNECTED":
        n_out, n_in = layer.weights.shape
        batches = int(np.prod(y)) // n_out
        quant = (
            "cmsis_nn_quant_params q = {mult, shift, 1};"
            if layer.per_channel
            else "cmsis_nn_quant_params q = {mult, shift, 0};"
        )
        return (
            head
            + f"""static const cmsis_nn_dims in_d = {{{batches}, 1, 1, {n_in}}},
    f_d = {{{n_in}, 1, 1, {n_out}}}, b_d = {{1, 1, 1, {n_out}}}, out_d = {{{batches}, 1, 1, {n_out}}};
static const cmsis_nn_fc_params fp = {{{-layer.x_zp}, 0, {layer.y_zp}, {{{lo}, {hi}}}}};

void bench_init(void)
{{
    int32_t size = arm_fully_connected_s8_get_buffer_size(&f_d);
    ctx.buf = size > 0 ? scratch_words : 0;
    ctx.size = size;
    if (size > 0) /* the kernel sums, made in Prepare as TFLite Micro does */
        arm_vector_sum_s8(scratch_words, {n_in}, {n_out}, weights, fp.input_offset, fp.filter_offset, bias);
}}

int32_t bench_run(void)
{{
    {quant}
    return arm_fully_connected_wrapper_s8(&ctx, &fp, &q, &in_d, layer_input, &f_d, weights, &b_d, bias,
                                          &out_d, layer_output);
}}
"""
        )
    (sh, sw), (dh, dw), (ph, pw) = layer.stride, layer.dilation, layer.pad
    kh, kw = layer.weights.shape[1], layer.weights.shape[2]
    tiles = f"{{{sw}, {sh}}}, {{{pw}, {ph}}}, {{{dw}, {dh}}}, {{{lo}, {hi}}}"
    if layer.name == "CONV_2D":
        params = f"static const cmsis_nn_conv_params cp = {{{-layer.x_zp}, {layer.y_zp}, {tiles}}};"
        filt, fn = f"{{1, {kh}, {kw}, {x[3]}}}", "arm_convolve_wrapper_s8"
    else:
        offsets = f"{-layer.x_zp}, {layer.y_zp}, {layer.depth_mult}"
        params = f"static const cmsis_nn_dw_conv_params cp = {{{offsets}, {tiles}}};"
        filt, fn = f"{{1, {kh}, {kw}, {y[3]}}}", "arm_depthwise_conv_wrapper_s8"
    return (
        head
        + f"""{params}
static const cmsis_nn_dims in_d = {{{x[0]}, {x[1]}, {x[2]}, {x[3]}}}, f_d = {filt},
    b_d = {{1, 1, 1, {y[3]}}}, out_d = {{{y[0]}, {y[1]}, {y[2]}, {y[3]}}};

void bench_init(void)
{{
    int32_t size = {fn}_get_buffer_size(&cp, &in_d, &f_d, &out_d);
    ctx.buf = size > 0 ? scratch_words : 0;
    ctx.size = size;
}}

int32_t bench_run(void)
{{
    if (ctx.size > (int32_t)sizeof scratch_words)
        return -100; /* the scratch buffer the library asks for does not fit */
    cmsis_nn_per_channel_quant_params q = {{mult, shift}};
    return {fn}(&ctx, &cp, &q, &in_d, layer_input, &f_d, weights, &b_d, bias, &out_d, layer_output);
}}
"""
    )


def tflm_source(layer: WeightedLayer) -> str:
    """C++ calling TFLite Micro's reference integer kernel for the layer."""
    lo, hi = layer.act
    quant = (  # the zero points and the activation's range, as TFLite Micro's kernels set them
        f"p.input_offset = {-layer.x_zp};\n    p.weights_offset = 0;\n    p.output_offset = {layer.y_zp};\n"
        f"    p.quantized_activation_min = {lo};\n    p.quantized_activation_max = {hi};"
    )
    x, y = layer.x_shape, layer.y_shape
    head = f"""// Generated by mcubench: {describe(layer)} through TFLite Micro's reference kernels.
#include <stdint.h>
#include "tensorflow/lite/kernels/internal/reference/integer_ops/conv.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/depthwise_conv.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/fully_connected.h"

extern "C" {{
{_io(layer)}
{_quant_arrays(layer)}
void bench_init(void) {{}}
int32_t bench_run(void);
}}

"""
    if layer.name == "FULLY_CONNECTED":
        n_out, n_in = layer.weights.shape
        batches = int(np.prod(y)) // n_out
        if layer.per_channel:
            call = (
                "tflite::reference_integer_ops::FullyConnectedPerChannel(p, mult, shift, xs, layer_input, "
                "ws, weights, bs, bias, ys, layer_output);"
            )
        else:
            call = (
                "p.output_multiplier = mult[0];\n    p.output_shift = shift[0];\n    "
                "tflite::reference_integer_ops::FullyConnected(p, xs, layer_input, ws, weights, bs, bias, "
                "ys, layer_output);"
            )
        return (
            head
            + f"""static const int32_t fx[2] = {{{batches}, {n_in}}}, fw[2] = {{{n_out}, {n_in}}},
    fb[1] = {{{n_out}}}, fy[2] = {{{batches}, {n_out}}};

int32_t bench_run(void)
{{
    tflite::FullyConnectedParams p = {{}};
    {quant}
    const tflite::RuntimeShape xs(2, fx), ws(2, fw), bs(1, fb), ys(2, fy);
    {call}
    return 0;
}}
"""
        )
    (sh, sw), (dh, dw), (ph, pw) = layer.stride, layer.dilation, layer.pad
    w = layer.weights.shape
    if layer.name == "CONV_2D":
        params, fn = "tflite::ConvParams p = {};", "ConvPerChannel"
    else:
        params = f"tflite::DepthwiseParams p = {{}};\n    p.depth_multiplier = {layer.depth_mult};"
        fn = "DepthwiseConvPerChannel"
    return (
        head
        + f"""static const int32_t x_dims[4] = {{{x[0]}, {x[1]}, {x[2]}, {x[3]}}};
static const int32_t y_dims[4] = {{{y[0]}, {y[1]}, {y[2]}, {y[3]}}};
static const int32_t w_dims[4] = {{{w[0]}, {w[1]}, {w[2]}, {w[3]}}};
static const int32_t b_dims[1] = {{{layer.n_out}}};

int32_t bench_run(void)
{{
    {params}
    p.padding_type = tflite::PaddingType::kSame;
    p.padding_values.width = {pw};
    p.padding_values.height = {ph};
    p.stride_width = {sw};
    p.stride_height = {sh};
    p.dilation_width_factor = {dw};
    p.dilation_height_factor = {dh};
    {quant}
    const tflite::RuntimeShape xs(4, x_dims), ws(4, w_dims), bs(1, b_dims), ys(4, y_dims);
    tflite::reference_integer_ops::{fn}(p, mult, shift, xs, layer_input, ws, weights, bs, bias, ys,
                                        layer_output);
    return 0;
}}
"""
    )


def _scratch_words(layer: WeightedLayer) -> int:
    """Room for the largest scratch buffer a CMSIS-NN s8 wrapper asks for on a core
    without DSP (an im2col of two columns, the FC's kernel sums), with margin."""
    taps = int(np.prod(layer.weights.shape[1:])) if layer.name != "FULLY_CONNECTED" else 0
    return max(64, taps + layer.n_out + 64)


def _library_spec(lib: str, layer, stem: str, co: Checkouts) -> BuildSpec:
    """The build of one library's call for a layer (WeightedLayer or SvdfLayer)."""
    gen_dir = current().gen_dir / "kernel_compare"
    svdf = isinstance(layer, SvdfLayer)
    if lib == CMSIS:
        assert co.cmsis_nn is not None
        text = svdf_compare.cmsis_source(layer) if svdf else cmsis_source(layer)
        src = write_if_changed(gen_dir / f"{stem}-cmsis-{_digest(text)}.c", text)
        tree = co.cmsis_nn / "Source"
        folders = (*CMSIS_FOLDERS, "SVDFunctions") if svdf else CMSIS_FOLDERS
        sources = tuple(
            p
            for folder in folders
            for p in sorted((tree / folder).glob("*.c"))
            if not p.name.endswith(("_f16.c", "_f32.c"))
        )
        return BuildSpec(
            f"cmp_{stem}_cmsis",
            (src, *sources),
            opt="-O2",
            include_dirs=(co.cmsis_nn / "Include",),
            defines=() if svdf else (f"SCRATCH_WORDS={_scratch_words(layer)}",),
            cflags=("-Wno-unused-parameter", "-Wno-sign-compare"),
        )
    assert co.tflm is not None and co.gemmlowp is not None
    text = svdf_compare.tflm_source(layer) if svdf else tflm_source(layer)
    src = write_if_changed(gen_dir / f"{stem}-tflm-{_digest(text)}.cc", text)
    internal = co.tflm / "tensorflow/lite/kernels/internal"
    sources: tuple[Path, ...] = (src, internal / "common.cc")
    includes: tuple[Path, ...] = (co.tflm, co.gemmlowp)
    if svdf:
        assert co.flatbuffers is not None
        sources += (
            co.tflm / "tensorflow/lite/micro/kernels/svdf_common.cc",
            internal / "quantization_util.cc",
        )
        includes += (co.flatbuffers / "include",)
    return BuildSpec(
        f"cmp_{stem}_tflm{lib[-1]}",
        sources,
        opt="-O2" if lib == TFLM_O2 else "-O3",
        include_dirs=includes,
        defines=("TF_LITE_STATIC_MEMORY", "TF_LITE_STRIP_ERROR_STRINGS", "NDEBUG"),
        cflags=("-Wno-unused-parameter", "-Wno-sign-compare", "-Wno-missing-field-initializers"),
    )


def kernel_call(gen, index: int) -> tuple[str, str]:
    """(kernel function, parameter block symbol) of a weighted operator's generated call,
    `tfl_conv2d(&op3)`: the kernel is timed called directly, as a library's is, without
    model_run_op's dispatch (whose code depends on which other operators the image has)."""
    call = next(o.c_call for o in gen.ops if o.index == index)
    name, _, arg = call.partition("(&")
    return name, arg.rstrip(")")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _timed(m: Machine, function: str, *args: int, before=None) -> tuple[int, int]:
    """(cycles, return value) of the second of two calls: caches warm. before(), if
    given, runs ahead of each call (an SVDF's state set back to the step's)."""
    r = None
    for _ in range(2):
        if before is not None:
            before()
        r = m.call(function, *args)
    assert r is not None
    return r.cycles, r.return_value


def _interpreter(path, info, seed: int):
    """The interpreter after the step compare() uses, on seeded random model inputs; the
    SVDF states before that step, and how many steps came before it. A model without
    SVDF runs one step; with one, as many steps first as its longest memory, so that the
    state compared is full of the model's own values, not the reset ones."""
    interp = interpreter(path, info)
    svdfs = [op for op in info.ops if op.name == "SVDF"]
    before = max((info.tensors[op.inputs[2]].shape[1] for op in svdfs), default=0)
    shape = info.tensors[info.inputs[0]].shape
    dtype = np.dtype(info.tensors[info.inputs[0]].dtype)
    rng = np.random.default_rng(seed)
    states: dict[int, np.ndarray] = {}
    try:
        for step in range(before + 1):
            if step == before:
                states = {
                    op.inputs[4]: np.array(interp.GetTensor(op.inputs[4], 0)["tensor_data"]).ravel()
                    for op in svdfs
                }
            x = rng.integers(np.iinfo(dtype).min, np.iinfo(dtype).max + 1, size=shape, dtype=dtype)
            interp.set_input(x, 0)
            interp.invoke()
    except (RuntimeError, ValueError) as exc:
        raise ModelError(f"{path}: TFLite Micro's interpreter failed ({exc})") from None
    return interp, states, before


def _tensor(interp, i: int) -> np.ndarray:
    return np.ascontiguousarray(interp.GetTensor(i, 0)["tensor_data"]).astype(np.int8).ravel()


def _compare_svdf(path, target, co: Checkouts, r, info, op, interp, states, before: int) -> LayerComparison:
    L = svdf_layer(r, info, op)
    x, want, state = _tensor(interp, L.x), _tensor(interp, L.y), states[L.state]
    row = LayerComparison(op.index, op.name, svdf_compare.describe(L), op.macs)
    gen = generate(path, weights_in_sram=True, only=frozenset({op.index}))
    image = ElfImage.load(firmware(gen, target))
    m = Machine(image, target)
    arena = image.symbol("arena", "object").addr
    m.write(arena + info.offsets[L.x], x.tobytes())
    ring, head = (image.symbol(f"op{op.index}_{s}", "object").addr for s in ("state", "head"))
    # After `before` steps the whole model's ring holds its oldest value in slot before %
    # memory: TFLite Micro's state (oldest first) rotated so, and the cut runs as the model
    # does at that step.
    phase = before % L.memory
    ours = np.roll(state.reshape(-1, L.memory), phase, axis=1)

    def ours_state():
        m.write(ring, ours.tobytes())
        m.write(head, phase.to_bytes(4, "little"))

    block = image.symbol(f"op{op.index}", "object").addr
    row.cycles[OURS], _ = _timed(m, "tfl_svdf", block, head, before=ours_state)
    got = np.frombuffer(m.read(arena + info.offsets[L.y], want.size), np.int8)
    row.bit_exact[OURS] = bool(np.array_equal(got, want))
    stem = f"{Path(path).stem}_{op.index}"
    for lib in co.libraries[1:]:
        if lib != CMSIS and co.flatbuffers is None:
            continue  # TFLite Micro's svdf_common.cc includes flatbuffers
        image = ElfImage.load(build(_library_spec(lib, L, stem, co), target).elf)
        m = Machine(image, target)
        m.write(image.symbol("layer_input", "object").addr, x.tobytes())
        m.call("bench_init")
        addr = image.symbol("layer_state", "object").addr
        row.cycles[lib], status = _timed(m, "bench_run", before=partial(m.write, addr, state.tobytes()))
        if status != 0:
            raise ConfigError(f"{path}: operator {op.index} ({row.shape}): {lib} returned {status}")
        got = np.frombuffer(m.read(image.symbol("layer_output", "object").addr, want.size), np.int8)
        row.bit_exact[lib] = bool(np.array_equal(got, want))
    return row


def compare(path, target, co: Checkouts | None = None, seed: int = 0, only: set[int] | None = None):
    """Every weighted layer and SVDF of the model (or those in `only`), timed with each
    library the checkouts offer: a list of LayerComparison."""
    co = checkouts() if co is None else co
    info = read_model(path)
    r = Reader(info.buf)
    interp, states, before = _interpreter(path, info, seed)
    out = []
    for op in info.ops:
        if op.name not in COMPARED or (only is not None and op.index not in only):
            continue
        if op.name == "SVDF":
            out.append(_compare_svdf(path, target, co, r, info, op, interp, states, before))
            continue
        layer = weighted_layer(r, info, op)
        x, want = _tensor(interp, layer.x), _tensor(interp, layer.y)
        row = LayerComparison(op.index, op.name, describe(layer), op.macs)
        # ours: the generated code for this operator alone, in the model's arena
        gen = generate(path, weights_in_sram=True, only=frozenset({op.index}))
        image = ElfImage.load(firmware(gen, target))
        m = Machine(image, target)
        arena = image.symbol("arena", "object").addr
        m.write(arena + info.offsets[layer.x], x.tobytes())
        kernel, block = kernel_call(gen, op.index)
        row.cycles[OURS], _ = _timed(m, kernel, image.symbol(block, "object").addr)
        got = np.frombuffer(m.read(arena + info.offsets[layer.y], want.size), np.int8)
        row.bit_exact[OURS] = bool(np.array_equal(got, want))
        stem = f"{Path(path).stem}_{op.index}"
        for lib in co.libraries[1:]:
            image = ElfImage.load(build(_library_spec(lib, layer, stem, co), target).elf)
            m = Machine(image, target)
            m.write(image.symbol("layer_input", "object").addr, x.tobytes())
            m.call("bench_init")
            row.cycles[lib], status = _timed(m, "bench_run")
            if status != 0:
                raise ConfigError(f"{path}: operator {op.index} ({row.shape}): {lib} returned {status}")
            got = np.frombuffer(m.read(image.symbol("layer_output", "object").addr, want.size), np.int8)
            row.bit_exact[lib] = bool(np.array_equal(got, want))
        out.append(row)
    return out

#!/usr/bin/env python3
"""Small int8 .tflite models for the tests of `mcubench model --run`, written with the
model editor of the tflite-micro wheel (a dev dependency): no TensorFlow needed. Each
model exercises one group of operator options (per-tensor and per-channel weights,
SAME and VALID padding, strides, dilation, a depth multiplier, fused ReLU/ReLU6, a
reshape alias). The weights are random but fixed (seeded); the quantisation is what a
converter would write (int8 activations with zero points, symmetric int8 weights, int32
bias at input scale x weight scale). The host TFLite Micro interpreter runs every one
of them: the tests hold the chip's output of every operator to it.

Usage: .venv/bin/python scripts/make-tflite-fixtures.py   (writes tests/fixtures/tflite/)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from tflite_micro.python.tflite_micro import runtime
from tflite_micro.tensorflow.lite.micro.compression import model_editor as me
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "tflite"
I8, I32 = fb.TensorType.INT8, fb.TensorType.INT32
SAME, VALID = fb.Padding.SAME, fb.Padding.VALID
NONE, RELU, RELU6 = (
    fb.ActivationFunctionType.NONE,
    fb.ActivationFunctionType.RELU,
    fb.ActivationFunctionType.RELU6,
)


class Builder:
    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.sg = me.Subgraph()
        self.biases = []  # (bias tensor, input tensor, weight tensor, real values)
        self.aliases = []  # (input, output) of reshapes
        self.outputs = []  # every operator's output, in order

    def act(self, shape, scale, zp, name):
        return self.sg.add_tensor(shape=shape, dtype=I8, quantization=me.Quantization(scale, zp), name=name)

    def weights(self, shape, axis, name):
        """Symmetric int8 weights, per channel along axis (None: per tensor)."""
        w = self.rng.integers(-127, 128, size=shape, dtype=np.int8)
        if axis is None:
            q = me.Quantization(float(self.rng.uniform(0.002, 0.02)), 0)
        else:
            n = shape[axis]
            q = me.Quantization([float(s) for s in self.rng.uniform(0.002, 0.02, n)], [0] * n, axis=axis)
        return self.sg.add_tensor(shape=shape, dtype=I8, data=w, quantization=q, name=name)

    def bias(self, x, w, n, name):
        in_scale = x.quantization.scales
        scales = w.quantization.scales
        scales = [scales] * n if isinstance(scales, float) else scales
        bscale = [np.float32(in_scale) * np.float32(s) for s in scales]
        real = self.rng.uniform(-0.5, 0.5, size=n)  # fixed in real units while scales are tuned
        b = np.round(real / np.array(bscale, dtype=np.float64)).astype(np.int32)
        q = me.Quantization([float(s) for s in bscale], [0] * n, axis=0)
        t = self.sg.add_tensor(shape=(n,), dtype=I32, data=b, quantization=q, name=name)
        self.biases.append((t, x, w, real))
        return t

    def refresh_biases(self) -> None:
        """Bias scale = input scale x weight scale (per channel), as a converter writes."""
        for t, x, w, real in self.biases:
            n = t.shape[0]
            ws = w.quantization.scales
            ws = [ws] * n if isinstance(ws, float) else ws
            bs = [float(np.float32(x.quantization.scales) * np.float32(s)) for s in ws]
            t.quantization = me.Quantization(bs, [0] * n, axis=0)
            t.array = np.round(real / np.array(bs)).astype(np.int32)

    def op(self, code, inputs, outputs, options_type, options):
        o = self.sg.add_operator(opcode=code, inputs=inputs, outputs=outputs)
        self.outputs.extend(outputs)
        o._fb.builtinOptionsType = options_type
        o._fb.builtinOptions = options
        return o

    def conv(self, x, cout, k, stride, padding, dilation, act, y, per_channel=True):
        """k: k (k x k) or (kh, kw); stride: s or (sh, sw)."""
        cin = x.shape[3]
        kh, kw = k if isinstance(k, tuple) else (k, k)
        sh, sw = stride if isinstance(stride, tuple) else (stride, stride)
        w = self.weights((cout, kh, kw, cin), 0 if per_channel else None, f"{y.name}/w")
        b = self.bias(x, w, cout, f"{y.name}/b")
        opt = fb.Conv2DOptionsT()
        opt.padding, opt.strideW, opt.strideH, opt.fusedActivationFunction = padding, sw, sh, act
        opt.dilationWFactor = opt.dilationHFactor = dilation
        self.op(fb.BuiltinOperator.CONV_2D, [x, w, b], [y], fb.BuiltinOptions.Conv2DOptions, opt)

    def depthwise(self, x, mult, kernel, stride, padding, dilation, act, y):
        """kernel: k (k x k) or (kh, kw); stride: s or (sh, sw)."""
        kh, kw = kernel if isinstance(kernel, tuple) else (kernel, kernel)
        sh, sw = stride if isinstance(stride, tuple) else (stride, stride)
        cout = x.shape[3] * mult
        w = self.weights((1, kh, kw, cout), 3, f"{y.name}/w")
        b = self.bias(x, w, cout, f"{y.name}/b")
        opt = fb.DepthwiseConv2DOptionsT()
        opt.padding, opt.strideW, opt.strideH, opt.fusedActivationFunction = padding, sw, sh, act
        opt.depthMultiplier, opt.dilationWFactor, opt.dilationHFactor = mult, dilation, dilation
        self.op(
            fb.BuiltinOperator.DEPTHWISE_CONV_2D,
            [x, w, b],
            [y],
            fb.BuiltinOptions.DepthwiseConv2DOptions,
            opt,
        )

    def fully_connected(self, x, n, act, y, per_channel=False):
        w = self.weights((n, x.shape[-1]), 0 if per_channel else None, f"{y.name}/w")
        b = self.bias(x, w, n, f"{y.name}/b")
        opt = fb.FullyConnectedOptionsT()
        opt.fusedActivationFunction = act
        self.op(
            fb.BuiltinOperator.FULLY_CONNECTED, [x, w, b], [y], fb.BuiltinOptions.FullyConnectedOptions, opt
        )

    def pool(self, code, x, kernel, stride, padding, act, y):
        opt = fb.Pool2DOptionsT()
        opt.filterHeight, opt.filterWidth = kernel
        opt.padding, opt.strideW, opt.strideH, opt.fusedActivationFunction = padding, stride, stride, act
        self.op(code, [x], [y], fb.BuiltinOptions.Pool2DOptions, opt)

    def reshape(self, x, shape, y):
        opt = fb.ReshapeOptionsT()
        opt.newShape = list(shape)
        self.op(fb.BuiltinOperator.RESHAPE, [x], [y], fb.BuiltinOptions.ReshapeOptions, opt)
        self.aliases.append((x, y))

    def build(self) -> bytes:
        for src, dst in self.aliases:  # a reshape keeps its input's quantisation
            dst.quantization = me.Quantization(src.quantization.scales, src.quantization.zero_points)
        self.refresh_biases()
        return bytes(me.Model(subgraphs=[self.sg], description="mcubench test fixture").build())

    def calibrate(self, rounds: int = 12) -> None:
        """Output scales that use the int8 range on a random input without saturating
        (saturated outputs would hide arithmetic differences): run the host interpreter,
        widen a scale whose output clips, narrow one that uses little of the range."""
        x = self.sg.inputs[0]
        data = [self.rng.integers(-128, 128, size=x.shape, dtype=np.int8) for _ in range(6)]
        aliases = {id(dst) for _, dst in self.aliases}
        for _ in range(rounds):
            seen = {id(t): [] for t in self.outputs}
            for d in data:
                it = runtime.Interpreter.from_bytes(
                    self.build(),
                    arena_size=1 << 20,  # every tensor kept: the default (10x the file) is too small
                    intrepreter_config=runtime.InterpreterConfig.kPreserveAllTensors,
                )
                it.set_input(d, 0)
                it.invoke()
                for t in self.outputs:
                    seen[id(t)].append(it.GetTensor(t.index, 0)["tensor_data"].astype(int).ravel())
            for t in self.outputs:
                if id(t) in aliases:
                    continue
                q = np.concatenate(seen[id(t)])
                zp, scale = t.quantization.zero_points, t.quantization.scales
                # -128 with zero point -128 is a ReLU's zero, not a clip
                clipped = np.mean((q == 127) | ((q == -128) & (zp != -128)))
                span = int(np.abs(q - zp).max())
                if clipped > 0.005:
                    scale *= 3.0
                elif span:
                    scale *= span / (90.0 if zp != -128 else 200.0)
                t.quantization = me.Quantization(scale, zp)

    def save(self, path: Path, inputs, outputs):
        self.sg.inputs, self.sg.outputs = inputs, outputs
        self.calibrate()
        path.write_bytes(self.build())
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")


def dense() -> None:
    """Two fully connected layers: per-tensor then per-channel weights, ReLU6 then none."""
    b = Builder(1)
    x = b.act((1, 40), 0.05, -3, "input")
    h = b.act((1, 24), 0.04, -128, "hidden")
    y = b.act((1, 6), 0.08, 5, "logits")
    b.fully_connected(x, 24, RELU6, h)
    b.fully_connected(h, 6, NONE, y, per_channel=True)
    b.save(OUT / "dense.tflite", [x], [y])


def conv() -> None:
    """CONV_2D (SAME, per-channel, ReLU) -> DEPTHWISE_CONV_2D (x2 multiplier, VALID,
    stride 2) -> CONV_2D (dilation 2, SAME, per-tensor) -> RESHAPE -> FULLY_CONNECTED."""
    b = Builder(2)
    x = b.act((1, 12, 10, 3), 0.03, 7, "input")
    c1 = b.act((1, 12, 10, 8), 0.05, -128, "conv1")
    d1 = b.act((1, 5, 4, 16), 0.06, -20, "dw1")
    c2 = b.act((1, 5, 4, 8), 0.07, 3, "conv2")
    f = b.act((1, 160), 0.07, 3, "flat")
    y = b.act((1, 4), 0.1, -10, "logits")
    b.conv(x, 8, 3, 1, SAME, 1, RELU, c1)
    b.depthwise(c1, 2, 3, 2, VALID, 1, NONE, d1)
    b.conv(d1, 8, 3, 1, SAME, 2, NONE, c2, per_channel=False)
    b.reshape(c2, (1, 160), f)
    b.fully_connected(f, 4, NONE, y)
    b.save(OUT / "conv.tflite", [x], [y])


def depthwise() -> None:
    """DEPTHWISE_CONV_2D near borders: 3x3 with dilation 2 and SAME padding (taps fall in
    the padding on every side), then a 5x1 kernel along time with SAME padding and stride
    2 (a streaming model's shape), ReLU6."""
    b = Builder(4)
    x = b.act((1, 9, 7, 4), 0.04, -6, "input")
    d1 = b.act((1, 9, 7, 4), 0.05, -128, "dw1")
    y = b.act((1, 5, 7, 8), 0.06, 2, "dw2")
    b.depthwise(x, 1, 3, 1, SAME, 2, RELU6, d1)
    b.depthwise(d1, 2, (5, 1), (2, 1), SAME, 1, NONE, y)
    b.save(OUT / "depthwise.tflite", [x], [y])


def pooling() -> None:
    """PAD -> MAX_POOL_2D (SAME, stride 2, ReLU) -> AVERAGE_POOL_2D (3x3 VALID with a
    window that does not divide the input, SAME stride 2) -> FULLY_CONNECTED."""
    b = Builder(5)
    x = b.act((1, 7, 9, 5), 0.05, -9, "input")
    p = b.act((1, 9, 10, 5), 0.05, -9, "pad")
    m = b.act((1, 5, 5, 5), 0.05, -9, "max")
    a = b.act((1, 3, 3, 5), 0.05, -9, "avg")
    f = b.act((1, 45), 0.05, -9, "flat")
    y = b.act((1, 3), 0.1, 0, "logits")
    paddings = b.sg.add_tensor(
        shape=(4, 2), dtype=I32, data=np.array([[0, 0], [1, 1], [0, 1], [0, 0]], np.int32)
    )
    b.op(fb.BuiltinOperator.PAD, [x, paddings], [p], fb.BuiltinOptions.PadOptions, fb.PadOptionsT())
    b.pool(fb.BuiltinOperator.MAX_POOL_2D, p, (3, 3), 2, SAME, RELU, m)
    b.pool(fb.BuiltinOperator.AVERAGE_POOL_2D, m, (3, 2), 2, SAME, NONE, a)
    b.reshape(a, (1, 45), f)
    b.fully_connected(f, 3, NONE, y)
    for t in (p, m, a):  # pooling and padding keep their input's quantisation
        b.aliases.append((x, t))
    b.save(OUT / "pooling.tflite", [x], [y])


def unsupported() -> None:
    """FULLY_CONNECTED -> ABS: an operator the generator does not have (the tests check
    the one-line error that names it)."""
    b = Builder(3)
    x = b.act((1, 16), 0.05, 0, "input")
    h = b.act((1, 4), 0.1, 0, "logits")
    y = b.act((1, 4), 0.1, 0, "abs")
    b.fully_connected(x, 4, NONE, h)
    b.op(fb.BuiltinOperator.ABS, [h], [y], fb.BuiltinOptions.NONE, None)
    b.outputs.remove(y)  # its scale is fixed by the operator, not calibrated
    b.save(OUT / "unsupported.tflite", [x], [y])


def dscnn() -> None:
    """A keyword-spotting DS-CNN of the shape of Arm's KWS DS-CNN-S ("Hello Edge", Zhang
    et al. 2017): a 49x10 MFCC input, CONV 10x4 stride 2 to 64 channels, four depthwise
    separable blocks (DEPTHWISE 3x3, CONV 1x1 64 -> 64, ReLU), AVERAGE_POOL over the
    25x5 map, FULLY_CONNECTED to 12 classes. Random weights: the layers' shapes are the
    point (the kernel comparison times them)."""
    b = Builder(6)
    x = b.act((1, 49, 10, 1), 0.5, -20, "mfcc")
    h = b.act((1, 25, 5, 64), 0.05, -128, "conv1")
    b.conv(x, 64, (10, 4), 2, SAME, 1, RELU, h)
    for i in range(4):
        d = b.act((1, 25, 5, 64), 0.05, -128, f"dw{i + 1}")
        b.depthwise(h, 1, 3, 1, SAME, 1, RELU, d)
        h = b.act((1, 25, 5, 64), 0.05, -128, f"pw{i + 1}")
        b.conv(d, 64, 1, 1, SAME, 1, RELU, h)
    p = b.act((1, 1, 1, 64), 0.05, -128, "pool")
    b.pool(fb.BuiltinOperator.AVERAGE_POOL_2D, h, (25, 5), 1, VALID, NONE, p)
    b.aliases.append((h, p))  # TFLite Micro's pooling keeps its input's quantisation
    f = b.act((1, 64), 0.05, -128, "flat")
    b.reshape(p, (1, 64), f)
    y = b.act((1, 12), 0.1, 0, "logits")
    b.fully_connected(f, 12, NONE, y)
    b.save(OUT / "dscnn.tflite", [x], [y])


def svdf() -> None:
    """Two SVDF models from the tests' own builder (tests/svdf_model.py), for the kernel
    comparison's study: int16 state (rank 2, two batches), and int8 state with a zero point
    of -50, whose outputs, unlike keyword_scrambled's, are not saturated."""
    sys.path.insert(0, str(OUT.parents[1]))
    from svdf_model import svdf_model

    (OUT / "svdf.tflite").write_bytes(svdf_model(True, 2, True, batches=2))
    (OUT / "svdf_int8.tflite").write_bytes(svdf_model(False, 1, True, state_zp=-50, state_scale=1.0))


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    dense()
    conv()
    depthwise()
    pooling()
    unsupported()
    dscnn()
    svdf()

#!/usr/bin/env python3
"""The seed RP2040 genre classifier as it was written: a TFLite Micro int8 model, 18 MFCC
-> UNIDIRECTIONAL_SEQUENCE_LSTM (32 units) -> FULLY_CONNECTED 32->10 -> SOFTMAX, one hop
per call with the LSTM's state carried from call to call. Built from our genre LSTM's
trained float weights (benchmarks/models/genre_lstm.npz, PyTorch's gate order i f g o,
which is TFLite's too) with the tflite-micro wheel's model editor, quantised as TFLite's
converter does for its integer LSTM: int8 weights per tensor, int32 biases at input x
weight scale, int8 hidden state at 1/128, int16 cell state at the power of two that holds
the largest cell value seen on the training clips, int8 input (the z-scored MFCC) and
logits scaled to their training range.

Writes benchmarks/models/genre_lstm.tflite and benchmarks/data/genre_lstm_tflite_input.npy
(the first two test clips per class as int8 steps, for the suite's genre_lstm_tflite), and
prints the int8 model's streaming accuracy on the 40-per-class test set (TFLite Micro's
host interpreter, prediction at each clip's last hop, clips back to back) beside the float
model's. Usage: .venv/bin/python scripts/make-genre-tflite.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tflite_micro.python.tflite_micro import runtime
from tflite_micro.tensorflow.lite.micro.compression import model_editor as me
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

from mcubench.data import genre_dataset as gd
from mcubench.nn import rnn as rm
from mcubench.nn.genre_lstm import HIDDEN, TEST_PER_CLASS, TRAIN_PER_CLASS, float_stream_accuracy

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "benchmarks" / "models" / "genre_lstm.tflite"
INPUT = ROOT / "benchmarks" / "data" / "genre_lstm_tflite_input.npy"
I8, I16, I32 = fb.TensorType.INT8, fb.TensorType.INT16, fb.TensorType.INT32


def calibrate(p: dict, z: np.ndarray) -> tuple[float, float, float]:
    """(largest |z|, largest |cell|, largest |logit|) over the training clips, streamed."""
    h, c = np.zeros(HIDDEN), np.zeros(HIDDEN)
    c_max = logit_max = 0.0
    for clip in z:
        for frame in clip:
            h, c = rm.lstm_float(p["wx"], p["wh"], p["bx"], p["bh"], frame, h, c)
            c_max = max(c_max, float(np.abs(c).max()))
            logit_max = max(logit_max, float(np.abs(p["wo"] @ h + p["bo"]).max()))
    return float(np.abs(z).max()), c_max, logit_max


def quantize(w: np.ndarray) -> tuple[np.ndarray, float]:
    scale = float(np.abs(w).max()) / 127
    return np.clip(np.round(w / scale), -127, 127).astype(np.int8), scale


def build(p: dict, z_max: float, c_max: float, logit_max: float) -> tuple[bytes, float]:
    sg = me.Subgraph()
    x_scale = z_max / 127
    x = sg.add_tensor(shape=(1, 1, 18), dtype=I8, quantization=me.Quantization(x_scale, 0), name="mfcc")
    n = HIDDEN
    w_in, w_rec, biases = [], [], []
    for g in range(4):  # i, f, g, o
        wi, si = quantize(p["wx"][g * n : (g + 1) * n])
        wr, sr = quantize(p["wh"][g * n : (g + 1) * n])
        w_in.append(sg.add_tensor(shape=wi.shape, dtype=I8, data=wi, quantization=me.Quantization(si, 0)))
        w_rec.append(sg.add_tensor(shape=wr.shape, dtype=I8, data=wr, quantization=me.Quantization(sr, 0)))
        bscale = float(np.float32(x_scale) * np.float32(si))
        b = np.round((p["bx"] + p["bh"])[g * n : (g + 1) * n] / bscale).astype(np.int32)
        biases.append(sg.add_tensor(shape=(n,), dtype=I32, data=b, quantization=me.Quantization(bscale, 0)))
    h_scale = 1 / 128
    cell_power = int(np.ceil(np.log2(c_max * 1.25 / 32767)))
    h = sg.add_tensor(shape=(1, n), dtype=I8, quantization=me.Quantization(h_scale, 0), name="h")
    c = sg.add_tensor(shape=(1, n), dtype=I16, quantization=me.Quantization(2.0**cell_power, 0), name="c")
    h.is_variable = c.is_variable = True
    seq = sg.add_tensor(shape=(1, 1, n), dtype=I8, quantization=me.Quantization(h_scale, 0), name="lstm")
    inputs = [x, *w_in, *w_rec, None, None, None, *biases, None, None, h, c, None, None, None, None]
    op = sg.add_operator(opcode=fb.BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, inputs=inputs, outputs=[seq])
    opt = fb.UnidirectionalSequenceLSTMOptionsT()
    opt.fusedActivationFunction, opt.cellClip, opt.timeMajor = fb.ActivationFunctionType.TANH, 0.0, False
    op._fb.builtinOptionsType, op._fb.builtinOptions = (
        fb.BuiltinOptions.UnidirectionalSequenceLSTMOptions,
        opt,
    )

    flat = sg.add_tensor(shape=(1, n), dtype=I8, quantization=me.Quantization(h_scale, 0), name="h_flat")
    shape = sg.add_tensor(shape=(2,), dtype=I32, data=np.array([1, n], np.int32))
    ropt = fb.ReshapeOptionsT()
    ropt.newShape = [1, n]
    rop = sg.add_operator(opcode=fb.BuiltinOperator.RESHAPE, inputs=[seq, shape], outputs=[flat])
    rop._fb.builtinOptionsType, rop._fb.builtinOptions = fb.BuiltinOptions.ReshapeOptions, ropt

    wo, so = quantize(p["wo"])
    wot = sg.add_tensor(shape=wo.shape, dtype=I8, data=wo, quantization=me.Quantization(so, 0))
    bscale = float(np.float32(h_scale) * np.float32(so))
    bo = sg.add_tensor(
        shape=(10,),
        dtype=I32,
        data=np.round(p["bo"] / bscale).astype(np.int32),
        quantization=me.Quantization(bscale, 0),
    )
    logits = sg.add_tensor(
        shape=(1, 10), dtype=I8, quantization=me.Quantization(logit_max / 120, 0), name="logits"
    )
    fop = sg.add_operator(opcode=fb.BuiltinOperator.FULLY_CONNECTED, inputs=[flat, wot, bo], outputs=[logits])
    fopt = fb.FullyConnectedOptionsT()
    fop._fb.builtinOptionsType, fop._fb.builtinOptions = fb.BuiltinOptions.FullyConnectedOptions, fopt

    probs = sg.add_tensor(shape=(1, 10), dtype=I8, quantization=me.Quantization(1 / 256, -128), name="probs")
    sop = sg.add_operator(opcode=fb.BuiltinOperator.SOFTMAX, inputs=[logits], outputs=[probs])
    sopt = fb.SoftmaxOptionsT()
    sopt.beta = 1.0
    sop._fb.builtinOptionsType, sop._fb.builtinOptions = fb.BuiltinOptions.SoftmaxOptions, sopt
    sg.inputs, sg.outputs = [x], [probs]
    model = me.Model(subgraphs=[sg], description="genre LSTM (seed RP2040 design), mcubench")
    return bytes(model.build()), x_scale


def int8_stream_accuracy(buf: bytes, z: np.ndarray, x_scale: float, labels: np.ndarray) -> float:
    interp = runtime.Interpreter.from_bytes(buf)
    preds = []
    for clip in z:
        for frame in clip:
            q = np.clip(np.round(frame / x_scale), -128, 127).astype(np.int8).reshape(1, 1, 18)
            interp.set_input(q, 0)
            interp.invoke()
        preds.append(int(np.argmax(interp.get_output(0))))
    return float(np.mean(np.array(preds) == labels))


def main() -> int:
    p = dict(np.load(ROOT / "benchmarks" / "models" / "genre_lstm.npz"))
    audio, _ = gd.clips(TRAIN_PER_CLASS, gd.TRAIN_SEED)
    z_train = (gd.mfcc_float(audio) - p["mean"]) / p["std"]
    z_max, c_max, logit_max = calibrate(p, z_train)
    buf, x_scale = build(p, z_max, c_max, logit_max)
    MODEL.write_bytes(buf)
    print(f"wrote {MODEL} ({len(buf):,} bytes): input scale {x_scale:.5f}, max |cell| {c_max:.2f}")
    _, mfcc, labels = gd.test_stream(TEST_PER_CLASS)
    z = (mfcc - p["mean"]) / p["std"]
    print(f"float streaming accuracy {float_stream_accuracy(p, mfcc, labels):.4f}")
    print(f"int8 (TFLite Micro) streaming accuracy {int8_stream_accuracy(buf, z, x_scale, labels):.4f}")
    _, mfcc8, labels8 = gd.test_stream(8)  # the suite's genre_lstm scores on 8 clips per class
    z8 = (mfcc8 - p["mean"]) / p["std"]
    print(
        f"8 per class: float {float_stream_accuracy(p, mfcc8, labels8):.4f}, "
        f"int8 (TFLite Micro) {int8_stream_accuracy(buf, z8, x_scale, labels8):.4f}"
    )
    first = np.concatenate([np.flatnonzero(labels == k)[:2] for k in range(len(gd.CLASSES))])
    steps = np.clip(np.round(z[first] / x_scale), -128, 127).astype(np.int8).reshape(-1, 1, 1, 18)
    np.save(INPUT, steps)
    print(f"wrote {INPUT} ({len(steps)} steps)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

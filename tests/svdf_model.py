"""An SVDF model written with the tflite-micro wheel's model editor, shared by the SVDF
tests and the kernel comparison's."""

from __future__ import annotations

import numpy as np
from tflite_micro.tensorflow.lite.micro.compression import model_editor as me
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

I8, I16, I32 = fb.TensorType.INT8, fb.TensorType.INT16, fb.TensorType.INT32


def svdf_model(
    wide, rank, bias, batches=1, state_zp=0, int16_ends=False, variable=True, state_scale=None
) -> bytes:
    """[batches, 24] -> SVDF (8 units x rank filters, memory 6) -> [batches, 8]; with
    int16_ends, an int16 input quantised to int8 first and the output taken through
    SOFTMAX to int16 and QUANTIZE to int32, as micro_speech's keyword_scrambled models."""
    rng = np.random.default_rng(11)
    n_in, units, memory = 24, 8, 6
    filters = units * rank
    x_q, wf_s, wt_s = (0.05, -3), 0.01, 0.004
    s_s = state_scale or (0.0023 if wide else 0.4)  # the feature's real range, about 23, in the state's type
    sg = me.Subgraph()
    inputs_q = me.Quantization(*x_q)
    x = sg.add_tensor(shape=(batches, n_in), dtype=I8, quantization=inputs_q, name="x")
    wf = sg.add_tensor(
        shape=(filters, n_in),
        dtype=I8,
        data=rng.integers(-127, 128, size=(filters, n_in), dtype=np.int8),
        quantization=me.Quantization(wf_s, 0),
    )
    wt_dtype, wt_np = (I16, np.int16) if wide else (I8, np.int8)
    wt_lim = 2000 if wide else 127
    wt = sg.add_tensor(
        shape=(filters, memory),
        dtype=wt_dtype,
        data=rng.integers(-wt_lim, wt_lim + 1, size=(filters, memory)).astype(wt_np),
        quantization=me.Quantization(wt_s if not wide else wt_s / 16, 0),
    )
    b_scale = float(np.float32(s_s) * np.float32(wt_s if not wide else wt_s / 16))
    b = None
    if bias:
        data = rng.integers(-3000, 3000, size=units, dtype=np.int32)
        b = sg.add_tensor(shape=(units,), dtype=I32, data=data, quantization=me.Quantization(b_scale, 0))
    state = sg.add_tensor(
        shape=(batches, filters * memory), dtype=wt_dtype, quantization=me.Quantization(s_s, state_zp)
    )
    state.is_variable = variable
    y = sg.add_tensor(shape=(batches, units), dtype=I8, quantization=me.Quantization(0.3, 5), name="y")
    op = sg.add_operator(opcode=fb.BuiltinOperator.SVDF, inputs=[x, wf, wt, b, state], outputs=[y])
    opt = fb.SVDFOptionsT()
    opt.rank, opt.fusedActivationFunction = rank, fb.ActivationFunctionType.RELU  # ignored on int8, as TFLM
    op._fb.builtinOptionsType, op._fb.builtinOptions = fb.BuiltinOptions.SVDFOptions, opt
    first, last = x, y
    if int16_ends:
        first = sg.add_tensor(shape=(batches, n_in), dtype=I16, quantization=me.Quantization(0.0007, 0))
        sg.operators.insert(0, me.Operator(opcode=fb.BuiltinOperator.QUANTIZE, inputs=[first], outputs=[x]))
        p = sg.add_tensor(shape=(batches, units), dtype=I16, quantization=me.Quantization(1 / 65536, -32768))
        sm = sg.add_operator(opcode=fb.BuiltinOperator.SOFTMAX, inputs=[y], outputs=[p])
        so = fb.SoftmaxOptionsT()
        so.beta = 1.0
        sm._fb.builtinOptionsType, sm._fb.builtinOptions = fb.BuiltinOptions.SoftmaxOptions, so
        last = sg.add_tensor(shape=(batches, units), dtype=I32, quantization=me.Quantization(3.05e-05, 0))
        sg.add_operator(opcode=fb.BuiltinOperator.QUANTIZE, inputs=[p], outputs=[last])
    sg.inputs, sg.outputs = [first], [last]
    return bytes(me.Model(subgraphs=[sg]).build())

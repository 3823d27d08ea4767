"""256-entry tables for TFLite's int8 elementwise operators: an int8 input has 256
values, so LOGISTIC, TANH and QUANTIZE are a table lookup on the chip, and the table is
TFLite Micro's own arithmetic evaluated here for each value.

LOGISTIC (int8) is reference_integer_ops::Logistic: the input minus its zero point,
rescaled into a Q4.27 fixed-point value by a multiplier from frexp(scale x 2^27)
(rounded half away from zero, no further normalisation), outside +-radius the output
saturates, inside gemmlowp's fixed-point logistic (exp on negative values by a Taylor
polynomial around -1/8 and a barrel shifter of exp(-2^k) constants, then 1 / (1 + x) by
three Newton-Raphson steps) and a rounding shift by 23 to the output's fixed scale
(1/256, zero point -128). The port below follows gemmlowp's fixedpoint.h operation for
operation on int32 values (wrapping adds, SaturatingRoundingDoublingHighMul,
RoundingDivideByPOT, saturating left shifts); a test holds every entry to the
tflite-micro interpreter.

TANH (int8) is reference_integer_ops::Tanh: the same input rescaling, gemmlowp's tanh
((1 - e) / (1 + e) of e = exp(-2|x|), the same pieces), a rounding shift by 24 to the
output's scale 1/128, zero point 0.

QUANTIZE (int8 -> int8 or uint8) is reference_ops::Requantize with
QuantizeMultiplier(input scale / output scale).
"""

from __future__ import annotations

import math

import numpy as np

from mcubench.base.errors import ConfigError

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def _wrap(x: int) -> int:
    return ((x + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def srdhm(a: int, b: int) -> int:
    """SaturatingRoundingDoublingHighMul (int32)."""
    if a == b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    return _wrap(_div_trunc(ab + nudge, 1 << 31))


def _div_trunc(a: int, b: int) -> int:
    """C's integer division (towards zero), b > 0."""
    return a // b if a >= 0 else -((-a) // b)


def rdbpot(x: int, exponent: int) -> int:
    """RoundingDivideByPOT."""
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> exponent) + (1 if remainder > threshold else 0)


def _sat_shift_left(x: int, exponent: int) -> int:
    """SaturatingRoundingMultiplyByPOT with a positive exponent."""
    threshold = (1 << (31 - exponent)) - 1
    if x > threshold:
        return INT32_MAX
    if x < -threshold:
        return INT32_MIN
    return _wrap(x << exponent)


def _rescale(raw: int, bits_from: int, bits_to: int) -> int:
    e = bits_from - bits_to
    if e > 0:
        return _sat_shift_left(raw, e)
    if e < 0:
        return rdbpot(raw, -e)
    return raw


def multiply_by_quantized_multiplier(x: int, multiplier: int, shift: int) -> int:
    left, right = max(shift, 0), max(-shift, 0)
    return rdbpot(srdhm(_wrap(x * (1 << left)), multiplier), right)


def _exp_on_interval(a: int) -> int:
    """exp(a) for a in [-1/4, 0), Q0.31 in and out."""
    constant_term, one_third = 1895147668, 715827883
    x = _wrap(a + (1 << 28))
    x2 = srdhm(x, x)
    x3 = srdhm(x2, x)
    x4 = srdhm(x2, x2)
    x4_over_4 = rdbpot(x4, 2)
    poly = rdbpot(_wrap(srdhm(_wrap(x4_over_4 + x3), one_third) + x2), 1)
    return _wrap(constant_term + srdhm(constant_term, _wrap(x + poly)))


_EXP_BARREL = ((-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308), (2, 39332535),
               (3, 720401), (4, 242))  # fmt: skip


def _exp_on_negative_values(a: int, integer_bits: int) -> int:
    """exp(a) for a <= 0 given in Q(integer_bits).(31 - integer_bits); result Q0.31."""
    frac_bits = 31 - integer_bits
    one_quarter = 1 << (frac_bits - 2)
    mask = one_quarter - 1
    a_mod = _wrap((a & mask) - one_quarter)
    result = _exp_on_interval(_rescale(a_mod, integer_bits, 0))
    remainder = _wrap(a_mod - a)
    for exponent, multiplier in _EXP_BARREL:
        if integer_bits > exponent:
            shift = frac_bits + exponent
            if remainder & (1 << shift):
                result = srdhm(result, multiplier)
    if integer_bits > 5:
        clamp = -(1 << (36 - integer_bits))
        if a < clamp:
            result = 0
    return INT32_MAX if a == 0 else result


def _newton_reciprocal(a: int) -> int:
    """x ~ 1 / ((1 + a) / 2) in Q2.29 for a in (0, 1) Q0.31: three Newton-Raphson steps
    from 48/17 - 32/17 d (gemmlowp's division in one_over_one_plus_x_for_x_in_0_1 and
    one_minus_x_over_one_plus_x_for_x_in_0_1)."""
    s = a + INT32_MAX  # RoundingHalfSum(a, One): (sum + sign) / 2 in C
    half_denominator = _wrap(_div_trunc(s + (1 if s >= 0 else -1), 2))
    c48_17, cneg32_17, f2_one = 1515870810, -1010580540, 1 << 29
    x = _wrap(c48_17 + srdhm(half_denominator, cneg32_17))
    for _ in range(3):
        hdx = srdhm(half_denominator, x)
        one_minus = _wrap(f2_one - hdx)
        x = _wrap(x + _rescale(srdhm(x, one_minus), 4, 2))
    return x


def _one_over_one_plus_x(a: int) -> int:
    """1 / (1 + a) for a in (0, 1), Q0.31 in and out."""
    return _rescale(_newton_reciprocal(a), 1, 0)  # ExactMulByPot<-1>: Q2 read as Q1, then Rescale<0>


def _one_minus_x_over_one_plus_x(a: int) -> int:
    """(1 - a) / (1 + a) for a in (0, 1), Q0.31 in and out."""
    return _rescale(_wrap(_newton_reciprocal(a) - (1 << 29)), 2, 0)


def logistic_q4(a: int) -> int:
    """gemmlowp::logistic of a Q4.27 raw value, Q0.31 raw result."""
    if a == 0:
        return 1 << 30
    positive = a > 0
    r = _one_over_one_plus_x(_exp_on_negative_values(_wrap(-a) if positive else a, 4))
    return r if positive else _wrap(INT32_MAX - r)


def tanh_q4(a: int) -> int:
    """gemmlowp::tanh of a Q4.27 raw value, Q0.31 raw result."""
    if a == 0:
        return 0
    negative = a < 0
    n = a if negative else _wrap(-a)
    # ExactMulByPot<1>: the same raw read as Q5.26, i.e. 2n
    t = _one_minus_x_over_one_plus_x(_exp_on_negative_values(n, 5))
    return _wrap(-t) if negative else t


def _input_q4(input_scale: float) -> tuple[int, int, int]:
    """(multiplier, left shift, radius) taking int8 input into Q4.27 (TFLite Micro's
    LOGISTIC and TANH Prepare: frexp of scale x 2^27, CalculateInputRadius(4, shift))."""
    q, left_shift = math.frexp(float(np.float32(input_scale)) * float(1 << 27))
    multiplier = int(math.floor(q * (1 << 31) + 0.5))
    radius = math.floor(15.0 * (1 << 27) / (1 << left_shift))
    return multiplier, left_shift, radius


def _q4_table(input_scale: float, input_zp: int, fn, shift: int, offset: int) -> np.ndarray:
    """reference_integer_ops Logistic / Tanh for each int8 input: saturated outside the
    radius, else fn of the Q4.27 input, rounded down by `shift` bits, plus `offset`."""
    multiplier, left_shift, radius = _input_q4(input_scale)
    out = np.empty(256, dtype=np.int8)
    for i, v in enumerate(range(-128, 128)):
        x = v - input_zp
        if x <= -radius:
            out[i] = -128
        elif x >= radius:
            out[i] = 127
        else:
            y = rdbpot(fn(multiply_by_quantized_multiplier(x, multiplier, left_shift)), shift) + offset
            out[i] = min(max(y, -128), 127)
    return out


def tanh_table(input_scale: float, input_zp: int) -> np.ndarray:
    """TANH: output (int8, scale 1/128, zero point 0) for each input -128..127."""
    return _q4_table(input_scale, input_zp, tanh_q4, 24, 0)


def logistic_table(input_scale: float, input_zp: int) -> np.ndarray:
    """LOGISTIC: output (int8, scale 1/256, zero point -128) for each input -128..127."""
    return _q4_table(input_scale, input_zp, logistic_q4, 23, -128)


def requantize_table(
    multiplier: int, shift: int, input_zp: int, output_zp: int, unsigned: bool
) -> np.ndarray:
    lo, hi = (0, 255) if unsigned else (-128, 127)
    vals = [
        min(max(multiply_by_quantized_multiplier(v - input_zp, multiplier, shift) + output_zp, lo), hi)
        for v in range(-128, 128)
    ]
    return np.asarray(vals, dtype=np.uint8 if unsigned else np.int8)


def softmax_exp_table(input_scale: float, beta: float) -> tuple[np.ndarray, int]:
    """SOFTMAX (int8 -> int8): exp(beta x scale x (x - row max)) in Q0.31 for each
    difference d = 0..255 that TFLite Micro does not skip (d <= dmax = -diff_min), and
    dmax. Its Prepare: PreprocessSoftmaxScaling (beta x scale x 2^26, capped at 2^31 - 1,
    QuantizeMultiplier), diff_min = -CalculateInputRadius(5, shift); its kernel takes
    gemmlowp's exp_on_negative_values of the Q5.26 difference, which depends on d
    alone. The chip sums the entries (rescaled to Q12.19), takes TFLite's
    GetReciprocal and scales each entry by it (tfl_softmax)."""
    real = min(float(beta) * float(np.float32(input_scale)) * float(1 << 26), float((1 << 31) - 1))
    multiplier, left_shift = _quantize_multiplier(real)
    radius = math.floor(31.0 * (1 << 26) / (1 << left_shift))
    dmax = min(255, radius)
    table = np.array(
        [
            _exp_on_negative_values(multiply_by_quantized_multiplier(-d, multiplier, left_shift), 5)
            for d in range(dmax + 1)
        ],
        dtype=np.int64,
    )
    return table.astype(np.int32), dmax


def _quantize_multiplier(real: float) -> tuple[int, int]:
    q, shift = math.frexp(real)
    fixed = int(math.floor(q * (1 << 31) + 0.5))
    if fixed == 1 << 31:
        fixed //= 2
        shift += 1
    return fixed, shift


def add_input_table(scale: float, zp: int, twice_max_scale: float) -> np.ndarray:
    """ADD (int8): one input's rescaled value for each of its 256 values:
    MultiplyByQuantizedMultiplierSmallerThanOneExp(((x - zp) << 20), m, s) with
    (m, s) = QuantizeMultiplier(scale / (2 max(scale1, scale2))), as TFLite Micro's
    CalculateOpDataAdd and AddFunc do."""
    m, s = _quantize_multiplier(float(scale) / twice_max_scale)
    return np.array(
        [multiply_by_quantized_multiplier(_wrap((v - zp) << 20), m, s) for v in range(-128, 128)], np.int32
    )


_SIGMOID_TABLE: np.ndarray | None = None


def sigmoid_table_uint16() -> np.ndarray:
    """TFLite's 256-entry table behind its int16 sigmoid and tanh (common.h:
    sigmoid(i / 24) in 0.16), read from TFLite Micro itself: no simple rounding of that
    formula gives its values (some are rounded up, some down), so it is measured. An
    int16 TANH whose input scale makes the table index step by one per 128 input units
    (scale just above 1/6144: the lookup's input is then exactly 2x) outputs
    table[k] - 32768 at x = 128 k; the last entry comes from one interpolated point.
    Needs the tflite-micro wheel, which an LSTM's check needs anyway."""
    global _SIGMOID_TABLE
    if _SIGMOID_TABLE is not None:
        return _SIGMOID_TABLE
    try:
        from tflite_micro.python.tflite_micro import runtime
        from tflite_micro.tensorflow.lite.micro.compression import model_editor as me
        from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb
    except ImportError:
        raise ConfigError(
            "an LSTM's int16 sigmoid/tanh table is read from TFLite Micro: pip install 'mcubench[tflm]'"
        ) from None
    n = 256
    sg = me.Subgraph()
    scale = float(np.nextafter(np.float32(1 / 6144), np.float32(1)))
    x = sg.add_tensor(shape=(1, n), dtype=fb.TensorType.INT16, quantization=me.Quantization(scale, 0))
    y = sg.add_tensor(shape=(1, n), dtype=fb.TensorType.INT16, quantization=me.Quantization(2**-15, 0))
    sg.add_operator(opcode=fb.BuiltinOperator.TANH, inputs=[x], outputs=[y])
    sg.inputs, sg.outputs = [x], [y]
    interp = runtime.Interpreter.from_bytes(bytes(me.Model(subgraphs=[sg]).build()))
    xs = np.zeros(n, np.int16)
    xs[:255] = np.arange(255) * 128
    xs[255] = 254 * 128 + 127  # index 254, fraction 254/256 towards entry 255
    interp.set_input(xs.reshape(1, n), 0)
    interp.invoke()
    out = interp.get_output(0).ravel().astype(np.int64)
    table = out[:255] + 32768
    last_step = out[255] + 32768 - table[254]  # (254 (t255 - t254) + 128) >> 8
    _SIGMOID_TABLE = np.append(table, table[254] + last_step).astype(np.uint16)
    return _SIGMOID_TABLE

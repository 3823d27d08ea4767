"""The operator registry (tflite/ops): each family module declares the operators it
handles, the firmware kernels its calls link and one emitter per operator; no operator
belongs to two families, and the generator accepts exactly what the registry holds."""

from __future__ import annotations

import pytest

from mcubench.tflite import ops
from mcubench.tflite.codegen import generate
from mcubench.tflite.model import ModelError


def test_every_family_declares_what_it_emits():
    seen: set[str] = set()
    for family in ops.FAMILIES:
        assert set(family.EMITTERS) == set(family.NAMES), family.__name__
        assert not seen & set(family.NAMES), family.__name__
        seen |= set(family.NAMES)
        assert set(family.KERNELS) <= set(ops.KERNEL_ORDER)
    assert set(ops.SUPPORTED) == seen
    assert ops.KERNELS == ("tfl_ops.c", "nn_int8.c", "nn_dot_int8.S")


def test_only_multiplying_families_count_macs():
    counting = {f.__name__.rsplit(".", 1)[1] for f in ops.FAMILIES if hasattr(f, "macs")}
    assert counting == {"weighted", "lstm", "svdf"}


def test_an_operator_the_registry_lacks_is_refused_by_name(monkeypatch, tmp_path):
    from test_tflite_run import FIXTURES

    generate(FIXTURES / "dense.tflite")  # FULLY_CONNECTED: registered
    monkeypatch.setattr(ops, "SUPPORTED", tuple(n for n in ops.SUPPORTED if n != "FULLY_CONNECTED"))
    from mcubench.tflite import codegen

    monkeypatch.setattr(codegen, "SUPPORTED", ops.SUPPORTED)
    with pytest.raises(ModelError, match=r"operator 0 \(FULLY_CONNECTED\) is not supported"):
        generate(FIXTURES / "dense.tflite")

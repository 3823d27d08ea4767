"""The native hook and the Python fallback must give identical figures."""

import pytest

from mcubench.base.paths import FIRMWARE_DIR
from mcubench.build.compile import BuildSpec, build
from mcubench.chip.targets import load_target
from mcubench.data.signals import noise
from mcubench.emu import native
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.machine import Machine

pytestmark = pytest.mark.skipif(native.load() is None, reason="no host C compiler for the native hook")


@pytest.mark.parametrize("target_name", ["py32f003", "rp2040"])
def test_fir_kernel_counts_match(target_name):
    target = load_target(target_name)
    elf = build(BuildSpec("fir_q15", (FIRMWARE_DIR / "bench" / "fir_q15.c",)), target).elf
    image = ElfImage.load(elf)
    results = {}
    for kind in ("native", "python"):
        m = Machine(image, target, counter=kind)
        assert m.counter.kind == kind
        m.call("bench_init")
        m.write_array("bench_input", noise(128))
        # two calls: cold then warm XIP cache on the RP2040
        results[kind] = [m.call("bench_run"), m.call("bench_run")]
    assert results["native"] == results["python"]
    if target_name == "rp2040":
        cold, warm = results["native"]
        assert cold.cache_misses > 0 and warm.cache_misses == 0 and cold.cycles > warm.cycles


def test_stack_peak_fault_and_sio_counts_match(asm_machine):
    funcs = {
        "f": "push {r4, r5, lr}\nsub sp, #16\nbl g\nadd sp, #16\npop {r4, r5, pc}",
        "g": "push {r4, lr}\nldr r1, =0xd0000000\nldr r0, [r1]\nstr r0, [r1, #0x60]\n"
        "movs r2, #5\n1: subs r2, #1\nbne 1b\npop {r4, pc}\n.ltorg",
        "bad": "push {lr}\nbl h\npop {pc}",
        "h": "ldr r0, =0x20000003\nldr r0, [r0]\nbx lr\n.ltorg",
    }
    figures = {}
    for kind in ("native", "python"):
        m = asm_machine(funcs, target="rp2040", counter=kind)
        ok = m.call("f")
        try:
            m.call("bad")
        except Exception as exc:  # the fault line itself must match too
            err = str(exc)
        figures[kind] = (ok, err)
    assert figures["native"] == figures["python"]
    assert figures["native"][0].stack_peak_bytes == 12 + 16 + 8

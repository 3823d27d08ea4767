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


def test_xip_cache_conflicts_count_alike(asm_machine):
    """Three flash lines 8 KiB apart share one set of the RP2040's 2-way XIP cache: read
    in the order A B A C they miss, hit a line that was not the most recent, and evict,
    every round, while the loop's own fetch lines stay resident. The native hook skips a
    block's fetch lines while no set's order has changed; this is where that is tested."""
    funcs = {
        "thrash": "push {r4, r5, lr}\nldr r0, =table\nldr r4, =8192\nadds r5, r4, r4\nmovs r3, #20\n"
        "1: ldr r1, [r0]\nldr r2, [r0, r4]\nldr r1, [r0]\nldr r2, [r0, r5]\n"
        "subs r3, #1\nbne 1b\npop {r4, r5, pc}\n.ltorg",
        "calm": "ldr r0, =table\nmovs r3, #20\n1: ldr r1, [r0]\nsubs r3, #1\nbne 1b\nbx lr\n.ltorg",
        # reads the two lines 8 and 16 KiB past calm's first one: calm's code is evicted
        "evict": "ldr r0, =calm\nsubs r0, #1\nldr r1, =8192\nldrb r2, [r0, r1]\nadds r1, r1, r1\n"
        "ldrb r2, [r0, r1]\nbx lr\n.ltorg",
    }
    data = "\n.section .rodata\n.balign 8\ntable: .space 16392\n"
    figures = {}
    for kind in ("native", "python"):
        m = asm_machine(funcs, target="rp2040", counter=kind, data=data)
        calls = ("calm", "thrash", "thrash", "calm", "evict", "calm", "calm")
        figures[kind] = [m.call(name) for name in calls]
    assert figures["native"] == figures["python"]
    _, _, thrash, warm, _, evicted, again = figures["native"]
    # LRU: A, read twice a round, stays; B and C evict each other (2 misses a round)
    assert thrash.cache_misses == 2 * 20
    assert warm.cache_misses == 0 and again == warm
    assert evicted.cache_misses == 1 and evicted.cycles > warm.cycles


def test_the_struct_mirror_is_checked_field_by_field():
    """Two fields of the same size swapped keep the struct's size: only a check of every
    field's name and offset sees it (counter.check_layout, run whenever the hook loads)."""
    from mcubench.emu.counter import check_layout

    lib = native.load()
    check_layout(lib)
    n = lib.mcubench_ctx_fields()
    names = [lib.mcubench_ctx_field_name(i) for i in range(n)]
    offsets = [lib.mcubench_ctx_field_offset(i) for i in range(n)]
    i, j = names.index(b"ws_base"), names.index(b"ws_end")
    names[i], names[j] = names[j], names[i]

    class Swapped:
        mcubench_ctx_fields = staticmethod(lambda: n)
        mcubench_ctx_field_name = staticmethod(lambda k: names[k])
        mcubench_ctx_field_offset = staticmethod(lambda k: offsets[k])
        mcubench_ctx_size = staticmethod(lib.mcubench_ctx_size)

    with pytest.raises(RuntimeError, match="layout mismatch: ws_end at .* in C, ws_base at .* here"):
        check_layout(Swapped())

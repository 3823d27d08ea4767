"""`mcubench exec`, `inspect` and `targets`: one ELF, one target."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mcubench.base.errors import ConfigError
from mcubench.bench.measure import bench_elf
from mcubench.bench.suite import load_suite, select
from mcubench.build.stack_usage import read_stack_usage
from mcubench.chip.targets import load_target, target_names
from mcubench.cli.output import print_json
from mcubench.data.arrays import read_array
from mcubench.emu.call_graph import function_rows, size_diff, stack_diff
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.inspect import inspect_elf
from mcubench.emu.machine import Machine
from mcubench.emu.profile import function_profile


def run_exec(args) -> int:
    target = load_target(args.target)
    if args.clock:
        target = target.with_clock(args.clock)
    image = ElfImage.load(args.elf)
    counter = "python" if args.profile else args.counter  # the per-block profile is the Python twin's
    machine = Machine(image, target, counter=counter, cycle_limit=args.max_cycles)
    outputs = [_symbol_file(o, "--output") for o in args.output]
    for symbol, path in (_symbol_file(i, "--input") for i in args.input):
        machine.write_array(symbol, read_array(path, None), None)  # .npy in its own type, WAV as int16
    for func in args.init:
        machine.call(func)
    result = machine.call(args.call, *args.arg)
    for symbol, path in outputs:
        np.save(path, machine.read_array(symbol, np.dtype(args.dtype).newbyteorder("<").str))
    out = {**result.as_dict(), "idle_cycles": result.idle_cycles, "cache_misses": result.cache_misses}
    out["clock_hz"] = target.clock_hz
    if args.profile:
        out["profile"] = function_profile(image, machine.counter.block_profile())
    if args.json:
        print_json(out)
    else:
        for key, value in out.items():
            if key != "profile":
                print(f"{key:18} {value}")
        for name, cycles in out.get("profile", {}).items():
            print(f"  {cycles:>12,}  {100 * cycles / max(result.cycles, 1):5.1f}%  {name}")
    return 0


def _pct(n: int, cap: int) -> str:
    return f"{n:>9,} / {cap:>9,} bytes ({100 * n / cap:5.1f}%)"


def _elf_of(args) -> Path:
    """The ELF named, or the one the benchmark --bench measures on --target."""
    if (args.elf is None) == (args.bench is None):
        raise ConfigError("inspect takes an ELF file or --bench NAME (one of the two)")
    if args.elf is not None:
        return Path(args.elf)
    bench = select(load_suite(), [args.bench])[0]
    if args.target not in bench.targets:
        raise ConfigError(
            f"{bench.name} does not run on {args.target}; its targets: {', '.join(bench.targets)}"
        )
    return bench_elf(bench, args.target)


def run_inspect(args) -> int:
    target = load_target(args.target)
    image = ElfImage.load(_elf_of(args))
    if args.diff:
        return _inspect_diff(image, ElfImage.load(args.diff), target, args)
    if args.all:
        return _inspect_all(image, args)
    info = inspect_elf(image, target)
    fits = info["flash_bytes"] <= info["flash_capacity"] and info["ram_static_bytes"] <= info["ram_capacity"]
    if args.json:
        print_json(info)
    else:
        print(f"{image.path} on {target.description}")
        print(
            f"flash {_pct(info['flash_bytes'], info['flash_capacity'])}   vectors {info['vectors_bytes']}"
            f"  text {info['text_bytes']}  rodata {info['rodata_bytes']}  data {info['data_bytes']}"
        )
        print(
            f"RAM   {_pct(info['ram_static_bytes'], info['ram_capacity'])}   data {info['data_bytes']}"
            f"  bss {info['bss_bytes']}  (stack and heap get the rest)"
        )
        for label, key in (("largest in flash", "largest_flash"), ("largest in RAM", "largest_ram")):
            items = ", ".join(f"{s['name']} {s['bytes']}" for s in info[key]) or "-"
            print(f"{label:17} {items}")
        if info["armv6m_ok"]:
            print("ARMv6-M check     ok: every instruction runs on a Cortex-M0+")
        else:
            print(
                f"ARMv6-M check     FAILED: {len(info['armv6m_violations'])} instruction(s) "
                "a Cortex-M0+ would fault on"
            )
            for v in info["armv6m_violations"][:20]:
                print(f"  0x{v['address']:08x}  {v['function']:24} {v['instruction']}")
    return 0 if fits and info["armv6m_ok"] else 1


def _symbol_file(spec: str, flag: str) -> tuple[str, Path]:
    symbol, sep, file = spec.partition("=")
    if not sep or not symbol or not file:
        raise ConfigError(f"{flag} {spec!r}: expected SYMBOL=FILE")
    return symbol, Path(file)


def run_targets(args) -> int:
    rows = []
    for name in target_names():
        t = load_target(name)
        rows.append(
            {
                "name": name,
                "description": t.description,
                "clock_hz": t.clock_hz,
                "flash_bytes": t.flash.size,
                "sram_bytes": t.sram.size,
            }
        )
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            print(
                f"{r['name']:12} {r['clock_hz'] / 1e6:6g} MHz  flash {r['flash_bytes']:>9,} B  "
                f"SRAM {r['sram_bytes']:>8,} B  {r['description']}"
            )
    return 0


def _inspect_all(image: ElfImage, args) -> int:
    rows = function_rows(image, read_stack_usage(image.path))
    if args.json:
        print_json(rows)
        return 0
    print(f"{'bytes':>7} {'frame':>6} {'worst':>6}  {'name':32} callees / notes")
    for r in rows:
        if r["kind"] == "object":
            print(f"{r['bytes']:>7} {'':>6} {'':>6}  {r['name']:32} object in {r['section']}")
            continue
        worst = "?" if r["worst_stack_bytes"] is None else r["worst_stack_bytes"]
        frame = f"{r['frame_bytes']}{'' if r['frame_from'] == 'gcc' else '*'}"
        notes = ", ".join(r["callees"]) + ("; unknown: " + ", ".join(r["unknown"]) if r["unknown"] else "")
        print(f"{r['bytes']:>7} {frame:>6} {worst!s:>6}  {r['name']:32} {notes}")
    print(
        "frame: bytes from gcc -fstack-usage (* from the prologue); worst: the deepest call chain, ? unknown"
    )
    return 0


def _inspect_diff(image: ElfImage, other: ElfImage, target, args) -> int:
    rows = size_diff(other, image)
    a, b = inspect_elf(other, target), inspect_elf(image, target)
    totals = {k: b[k] - a[k] for k in ("flash_bytes", "ram_static_bytes", "text_bytes", "rodata_bytes")}
    stack = stack_diff(other, image)
    if args.json:
        print_json({"totals": totals, "symbols": rows, "stack": stack})
        return 0
    print(f"{other.path} -> {image.path}")
    print("  ".join(f"{k} {v:+,}" for k, v in totals.items()))
    for r in rows:
        print(f"{r['delta']:>+8,}  {r['before']:>7,} -> {r['after']:>7,}  {r['kind']:8} {r['name']}")
    if stack:
        print("stack (own frame, worst case through the deepest call chain; ? unknown):")
        for r in stack:
            show = lambda v: "-" if v is None else v  # noqa: E731
            print(
                f"  {r['name']:32} frame {show(r['frame_before'])} -> {show(r['frame_after'])}, "
                f"worst {show(r['worst_before'])} -> {show(r['worst_after'])}"
            )
    return 0

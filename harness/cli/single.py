"""`mcubench exec` and `mcubench inspect`: one ELF, one target."""

from __future__ import annotations

from mcubench.chip.targets import load_target
from mcubench.cli.output import print_json
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.inspect import inspect_elf
from mcubench.emu.machine import Machine
from mcubench.emu.profile import function_profile


def signed32(value: int) -> int:
    return value - (1 << 32) if value & 0x8000_0000 else value


def run_exec(args) -> int:
    target = load_target(args.target)
    image = ElfImage.load(args.elf)
    counter = "python" if args.profile else args.counter  # the per-block profile is the Python twin's
    machine = Machine(image, target, counter=counter, cycle_limit=args.max_cycles)
    for func in args.init:
        machine.call(func)
    result = machine.call(args.call, *args.arg)
    out = result.as_dict()
    out["return_value"] = signed32(out["return_value"])
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


def run_inspect(args) -> int:
    target = load_target(args.target)
    image = ElfImage.load(args.elf)
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

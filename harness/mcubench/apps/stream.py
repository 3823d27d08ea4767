"""Stream audio through an application on the emulated chip, as the chip gets it.

The harness plays the DMA: for each hop it copies the samples into the free half of the
firmware's double buffer (app_dma_buffer), sets the channel's flag (app_dma_flags) and
runs the firmware's interrupt handler (app_dma_isr), charging exception entry and exit
(cycle_table.EXCEPTION_*); then it runs the main loop (app_poll), which processes the
half. Both are measured in cycles.

Real time is judged on a timeline at the target's clock: half k is full at
(k + 1) x P cycles (P = hop / rate x clock); its interrupt runs then, preempting the main
loop if it is busy; the main loop processes the half as soon as it is free. A deadline
miss is a hop not processed before the next half is full: by then the DMA is writing
into the half it is reading. (The emulation itself processes every hop's intended
samples; the miss is reported, not acted out.)

Stack: the worst case is the interrupt arriving at the main loop's deepest point, so the
peak is the main loop's peak + the exception frame + the handler's own peak.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mcubench.apps.app import App
from mcubench.apps.app_firmware import build_app
from mcubench.apps.app_reference import hops_of
from mcubench.base.errors import McubenchError
from mcubench.chip.targets import load_target
from mcubench.dsp.frontend import accuracy
from mcubench.emu.cycle_table import EXCEPTION_ENTRY_CYCLES, EXCEPTION_EXIT_CYCLES, EXCEPTION_FRAME_BYTES
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.machine import Machine
from mcubench.emu.profile import function_profile
from mcubench.emu.sizes import sizes

DMA_HALF, DMA_COMPLETE = 1, 2  # app_stream.h


@dataclass
class StreamRun:
    app: str
    target: str
    clock_hz: int
    period_cycles: float  # one hop of audio at the clock
    frame_cycles: np.ndarray  # main-loop cycles per hop
    isr_cycles: np.ndarray  # handler + entry + exit, per hop
    finish: np.ndarray  # when each hop was done (cycles from the start)
    outputs: dict  # symbol -> [hops, n]: what the app's buffers held after each hop
    stack_main: int
    stack_isr: int
    sizes: dict = field(default_factory=dict)
    profile: dict | None = None  # function -> cycles over the whole stream (profile=True)

    @property
    def hops(self) -> int:
        return len(self.frame_cycles)

    @property
    def features(self) -> np.ndarray:
        return self.outputs["app_features"]

    @property
    def probs(self) -> np.ndarray:
        return self.outputs["app_probs"]

    @property
    def ema(self) -> np.ndarray:
        return self.outputs["app_ema"]

    @property
    def deadlines(self) -> np.ndarray:
        return (np.arange(self.hops) + 2) * self.period_cycles

    @property
    def misses(self) -> np.ndarray:
        return np.flatnonzero(self.finish > self.deadlines)

    @property
    def stack_peak(self) -> int:
        return self.stack_main + EXCEPTION_FRAME_BYTES + self.stack_isr


def timeline(frame_cycles, isr_cycles, period: float) -> np.ndarray:
    """Finish time of each hop. Interrupt k fires at (k + 1) P and runs at once (it
    preempts the main loop); hop k starts when the main loop is free and its interrupt
    has run; interrupts that fire while a hop is processed stretch it. Each interrupt is
    charged once."""
    n = len(frame_cycles)
    arrival = (np.arange(n) + 1) * period
    finish, free, nxt = np.zeros(n), 0.0, 0
    for k in range(n):
        t = free
        while nxt <= k:  # interrupts that fire while the main loop is idle
            t = max(t, arrival[nxt]) + isr_cycles[nxt]
            nxt += 1
        end = t + frame_cycles[k]
        while nxt < n and arrival[nxt] < end:
            end += isr_cycles[nxt]
            nxt += 1
        finish[k] = free = end
    return finish


def run(
    app: App,
    audio: np.ndarray,
    target_name: str | None = None,
    clock_hz: int | None = None,
    profile: bool = False,
) -> StreamRun:
    """Stream `audio` through the app. profile=True also charges every cycle to a function
    (the Python counter's per-block profile: the same counts, about 20 times slower)."""
    target = load_target(target_name or app.target)
    if clock_hz:  # another clock: its flash wait states too (and a clock the chip cannot run is refused)
        target = target.with_clock(int(clock_hz))
    clock = target.clock_hz
    image = ElfImage.load(build_app(app, target.name))
    machine = Machine(image, target, counter="python" if profile else "auto")
    functions: dict[str, int] = {}
    hop, n = app.hop, hops_of(app, audio)
    if n == 0:
        raise McubenchError(f"the audio is shorter than one hop ({hop} samples at {app.sample_rate} Hz)")
    buf = image.symbol("app_dma_buffer", "object")
    flags = image.symbol("app_dma_flags", "object").addr
    machine.call("app_init")
    frame, isr = [], []
    outputs: dict[str, list] = {sym: [] for sym, _ in app.outputs}
    stack_main = stack_isr = 0
    for k in range(n):
        half = k % 2
        machine.write(
            buf.addr + half * hop * 2, np.asarray(audio[k * hop : (k + 1) * hop], dtype="<i2").tobytes()
        )
        machine.write(flags, (DMA_COMPLETE if half else DMA_HALF).to_bytes(4, "little"))
        r_isr = machine.call("app_dma_isr")
        if profile:
            _add_profile(functions, image, machine)
        r = machine.call("app_poll")
        if profile:
            _add_profile(functions, image, machine)
        if r.return_value != 1:
            raise McubenchError(f"{app.name}: app_poll did not take hop {k} (returned {r.return_value})")
        isr.append(r_isr.cycles + EXCEPTION_ENTRY_CYCLES + EXCEPTION_EXIT_CYCLES)
        frame.append(r.cycles)
        stack_main, stack_isr = max(stack_main, r.stack_peak_bytes), max(stack_isr, r_isr.stack_peak_bytes)
        for sym, dtype in app.outputs:
            outputs[sym].append(machine.read_array(sym, dtype))
    overruns = int(machine.read_array("app_overruns", "<u4")[0])
    if overruns:
        raise McubenchError(f"{app.name}: the firmware counted {overruns} overrun(s) in a lock-step run")
    period = hop / app.sample_rate * clock
    frame_c, isr_c = np.array(frame), np.array(isr)
    rep = sizes(image, target)
    return StreamRun(
        app.name,
        target.name,
        clock,
        period,
        frame_c,
        isr_c,
        timeline(frame_c, isr_c, period),
        {sym: np.array(v) for sym, v in outputs.items()},
        stack_main,
        stack_isr,
        {
            "flash_bytes": rep.flash_bytes,
            "ram_static_bytes": rep.ram_static_bytes,
            "flash_capacity": target.flash.size,
            "sram_capacity": target.sram.size,
        },
        dict(sorted(functions.items(), key=lambda kv: -kv[1])) if profile else None,
    )


def _add_profile(functions: dict, image, machine) -> None:
    for name, cycles in function_profile(image, machine.counter.block_profile()).items():
        functions[name] = functions.get(name, 0) + cycles


def summary(r: StreamRun) -> dict:
    """The figures, with stable keys (cycles are exact; times follow from the clock)."""
    f = r.frame_cycles
    ram = r.sizes["ram_static_bytes"] + r.stack_peak
    misses = r.misses
    total = float(f.sum() + r.isr_cycles.sum())
    return {
        "app": r.app,
        "target": r.target,
        "clock_hz": r.clock_hz,
        "hops": r.hops,
        "period_cycles": round(r.period_cycles, 1),
        "frame_cycles": {
            "min": int(f.min()),
            "median": int(np.median(f)),
            "p99": int(np.percentile(f, 99, method="higher")),
            "max": int(f.max()),
            "mean": round(float(f.mean()), 1),
        },
        "isr_cycles": int(r.isr_cycles.max()),
        "cpu_load_pct": round(100 * total / (r.hops * r.period_cycles), 3),
        "worst_frame_load_pct": round(100 * int(f.max()) / r.period_cycles, 3),
        "realtime_margin_cycles": int(r.period_cycles - f.max() - r.isr_cycles.max()),
        "deadline_misses": int(len(misses)),
        "first_miss_hop": int(misses[0]) if len(misses) else None,
        "stack_peak_bytes": r.stack_peak,
        "stack_main_bytes": r.stack_main,
        "stack_isr_bytes": r.stack_isr,
        "ram_static_bytes": r.sizes["ram_static_bytes"],
        "ram_peak_bytes": ram,
        "ram_margin_bytes": r.sizes["sram_capacity"] - ram,
        "flash_bytes": r.sizes["flash_bytes"],
        "flash_margin_bytes": r.sizes["flash_capacity"] - r.sizes["flash_bytes"],
    }


def compare_custom(r: StreamRun, ref: dict | None) -> dict:
    """A project app's buffers against its reference, hop by hop (None without one)."""
    if ref is None:
        return {"bit_exact": None, "mismatched_hops": None, "max_abs_diff": None, "reference": None}
    diffs = []
    for sym, got in r.outputs.items():
        want = ref[sym]
        if want.shape != got.shape:
            raise McubenchError(
                f"{r.app}: the reference gives {sym} as {want.shape}, the firmware {got.shape}"
            )
        diffs.append(np.abs(got.astype(np.int64) - want.astype(np.int64)))
    d = np.hstack(diffs) if diffs else np.zeros((r.hops, 0), dtype=np.int64)
    return {
        "bit_exact": bool(not d.any()),
        "mismatched_hops": int(np.sum(np.any(d != 0, axis=1))),
        "max_abs_diff": int(d.max()) if d.size else 0,
        "outputs_bit_exact": {s: bool(not x.any()) for s, x in zip(r.outputs, diffs)},
    }


def compare(app: App, r: StreamRun, ref: dict | None) -> dict:
    """Firmware against the bit-exact pipeline (must be equal) and the float one; a
    project app against its own reference."""
    if not app.seed:
        return compare_custom(r, ref)
    assert ref is not None  # a seed app always has its bit-exact pipeline
    out: dict[str, Any] = {
        "features_bit_exact": bool(np.array_equal(r.features, ref["features"])),
        "probs_bit_exact": bool(np.array_equal(r.probs, ref["probs"])),
        "ema_bit_exact": bool(np.array_equal(r.ema, ref["ema"])),
    }
    out["bit_exact"] = out["features_bit_exact"] and out["probs_bit_exact"] and out["ema_bit_exact"]
    diffs = [
        np.abs(a.astype(np.int64) - b)
        for a, b in ((r.features, ref["features"]), (r.probs, ref["probs"]), (r.ema, ref["ema"]))
    ]
    out["mismatched_hops"] = int(np.sum(np.any(np.hstack(diffs) != 0, axis=1)))
    out["max_abs_diff"] = int(max(d.max() for d in diffs))
    if app.features == "logmel":
        acc = accuracy(app.config, r.features, ref["frames"])
        out["features_vs_float"] = {
            "snr_db": round(float(acc["snr_db"]), 2),
            "mean_abs_err_db": round(acc["mean_abs_err_db"], 4),
            "max_abs_err_db": round(acc["max_abs_err_db"], 4),
        }
    else:
        err = np.abs(r.features / 32.0 - ref["float_features"])
        out["features_vs_float"] = {
            "mean_abs_err_db": round(float(err.mean()), 4),
            "max_abs_err_db": round(float(err.max()), 4),
        }
    if ref["float_probs"] is not None:
        fw_p = (r.probs.astype(float) + 128) / 256
        fw_ema = r.ema / 32768.0
        out["probs_vs_float"] = {
            "top1_agreement_pct": round(
                100 * float(np.mean(fw_p.argmax(1) == ref["float_probs"].argmax(1))), 2
            ),
            "ema_top1_agreement_pct": round(
                100 * float(np.mean(fw_ema.argmax(1) == ref["float_ema"].argmax(1))), 2
            ),
            "mean_abs_prob_err": round(float(np.abs(fw_p - ref["float_probs"]).mean()), 4),
        }
    return out

"""Streaming the seed applications: the DMA/interrupt/main-loop harness, the real-time
timeline, whole-firmware fit, bit-exactness against the Python pipelines, and the
`mcubench stream` command's exit codes."""

import dataclasses
import json

import numpy as np
import pytest
from run_cli import ROOT, assert_one_line_error, outcome

from mcubench.apps import app as apps
from mcubench.apps import app_firmware, app_reference, stream
from mcubench.base.errors import ConfigError
from mcubench.bench.suite import load_benchmark
from mcubench.chip.targets import load_target
from mcubench.data.wav import write_wav
from mcubench.emu.cycle_table import EXCEPTION_ENTRY_CYCLES, EXCEPTION_EXIT_CYCLES, EXCEPTION_FRAME_BYTES
from mcubench.emu.elf_image import ElfImage
from mcubench.emu.machine import Machine


def test_timeline_charges_each_interrupt_once_and_finds_the_misses():
    # P = 100: hops arrive at 100, 200, 300; interrupts cost 10.
    assert stream.timeline([50, 50, 50], [10, 10, 10], 100).tolist() == [160, 260, 360]
    # hop 0 runs 110..260, stretched by the interrupt at 200 -> 270 (misses 200);
    # hop 1 270..320, stretched by the one at 300 -> 330 (misses 300); hop 2 330..380.
    assert stream.timeline([150, 50, 50], [10, 10, 10], 100).tolist() == [270, 330, 380]


@pytest.fixture(scope="module")
def sed_short():
    app = apps.get_app("py32_sed")
    audio, labels, seg = app_reference.demo_audio(app, per_class=1)
    return app, audio[: seg * 2], stream.run(app, audio[: seg * 2])


def test_py32_sed_streams_bit_exact_in_real_time_and_the_whole_firmware_fits(sed_short):
    app, audio, run = sed_short
    ref = app_reference.reference(app, audio)
    acc = stream.compare(app, run, ref)
    assert acc["bit_exact"] and acc["mismatched_hops"] == 0 and acc["max_abs_diff"] == 0
    assert run.hops == len(audio) // 128 and run.features.shape == (run.hops, 32)
    s = stream.summary(run)
    assert s["deadline_misses"] == 0 and s["frame_cycles"]["max"] < run.period_cycles == 192_000
    assert s["ram_peak_bytes"] <= 4096 and s["flash_bytes"] <= 32768
    assert (
        s["ram_peak_bytes"] == s["ram_static_bytes"] + run.stack_main + EXCEPTION_FRAME_BYTES + run.stack_isr
    )
    assert acc["features_vs_float"]["snr_db"] > 40 and acc["probs_vs_float"]["top1_agreement_pct"] > 80


def test_cycles_repeat_exactly_and_the_interrupt_costs_its_handler_plus_entry_and_exit(sed_short):
    app, audio, run = sed_short
    again = stream.run(app, audio)
    assert np.array_equal(again.frame_cycles, run.frame_cycles) and np.array_equal(
        again.isr_cycles, run.isr_cycles
    )
    machine = Machine(ElfImage.load(app_firmware.build_app(app)), load_target("py32f003"))
    machine.call("app_init")
    machine.write(machine.image.symbol("app_dma_flags", "object").addr, (1).to_bytes(4, "little"))
    handler = machine.call("app_dma_isr").cycles
    assert set(run.isr_cycles.tolist()) == {handler + EXCEPTION_ENTRY_CYCLES + EXCEPTION_EXIT_CYCLES}
    assert machine.call("app_poll").return_value == 1 and machine.call("app_poll").return_value == 0
    # a second interrupt before the main loop took the first half is an overrun
    machine.call("app_dma_isr")
    machine.call("app_dma_isr")
    assert machine.read_array("app_overruns", "<u4")[0] == 1


def test_a_slow_clock_misses_deadlines(sed_short):
    app, audio, run = sed_short
    slow = stream.run(app, audio, clock_hz=8_000_000)  # one hop = 64,000 cycles < ~100,000 of work
    assert np.array_equal(slow.frame_cycles, run.frame_cycles)
    assert len(slow.misses) == slow.hops and stream.summary(slow)["cpu_load_pct"] > 100


def test_a_faster_clock_pays_flash_wait_states_and_an_impossible_one_is_refused(sed_short):
    app, audio, run = sed_short
    fast = stream.run(app, audio[: 128 * 8], clock_hz=32_000_000)  # 1 wait state above 24 MHz
    assert np.all(fast.frame_cycles > run.frame_cycles[:8]) and fast.period_cycles == 256_000
    # the PY32F003 stops at 32 MHz (48 MHz is the PY32F030's figure)
    with pytest.raises(ConfigError, match="cannot run at 48000000 Hz .at most 32000000 Hz"):
        stream.run(app, audio[:128], clock_hz=48_000_000)


def test_rp2040_genre_streams_bit_exact():
    app = apps.get_app("rp2040_genre")
    audio, _, _ = app_reference.demo_audio(app, per_class=1, seconds=0.25)
    audio = audio[: 160 * 40]
    run = stream.run(app, audio)
    acc = stream.compare(app, run, app_reference.reference(app, audio))
    assert acc["bit_exact"] and run.features.shape == (40, 18) and run.probs.shape == (40, 10)
    assert stream.summary(run)["deadline_misses"] == 0 and run.target == "rp2040"


@pytest.mark.slow
def test_stream_command_json_png_dump_and_exit_codes(tmp_path, sed_short):
    app, audio, _ = sed_short
    wav = write_wav(tmp_path / "s.wav", audio[: 128 * 20], 16000)
    png, dump = tmp_path / "s.png", tmp_path / "s.npz"
    rc, out, err = outcome("stream", wav, "--app", "py32_sed", "--json", "--png", png, "--dump", dump)
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["schema_version"] == 2 and doc["hops"] == 20 and doc["accuracy"]["bit_exact"]
    assert png.stat().st_size > 10_000
    with np.load(dump) as z:
        assert np.array_equal(z["probs"], z["ref_probs"]) and z["frame_cycles"].shape == (20,)
    rc, out, _ = outcome("stream", wav, "--app", "py32_sed", "--clock", "8000000", "--png", png)
    assert rc == 1 and "deadline misses  20" in out


def test_stream_command_bad_input_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk")
    rc, _, err = outcome("stream", bad, "--app", "py32_sed")
    assert_one_line_error(rc, err, "no fmt chunk")
    rc, _, err = outcome("stream", bad, "--app", "nonesuch")
    assert_one_line_error(rc, err, "unknown app 'nonesuch'; valid: py32_sed, rp2040_genre")


def test_app_benchmarks_load_and_a_malformed_stream_key_is_refused(tmp_path):
    bench = load_benchmark(ROOT / "benchmarks" / "py32_sed.toml")
    assert bench.app == "py32_sed" and bench.targets == ("py32f003",) and bench.stream == {"per_class": 3}
    bad = tmp_path / "bad.toml"
    bad.write_text('[benchmark]\nname = "x"\napp = "py32_sed"\nstream = { loop = 1 }\n')
    expected = r"unknown key 'loop' in \[benchmark.stream\]; valid: wav, per_class, seconds"
    with pytest.raises(ConfigError, match=expected):
        load_benchmark(bad)


def test_py32_sed_takes_any_of_the_sound_event_models(sed_short):
    app, audio, _ = sed_short
    tcn = dataclasses.replace(app, name="py32_sed_tcn", model="tcn")
    run = stream.run(tcn, audio[: 128 * 12])
    ref = app_reference.reference(tcn, audio[: 128 * 12])
    assert (
        stream.compare(tcn, run, ref)["bit_exact"] and ref["float_probs"] is None
    )  # no float stream for the TCN
    assert stream.summary(run)["ram_peak_bytes"] <= 4096


def test_stream_profile_charges_every_cycle_to_a_function(sed_short):
    app, audio, run = sed_short
    prof = stream.run(app, audio[: 128 * 6], profile=True)
    assert np.array_equal(prof.frame_cycles, run.frame_cycles[:6])  # the Python counter counts the same
    handler = prof.isr_cycles - EXCEPTION_ENTRY_CYCLES - EXCEPTION_EXIT_CYCLES
    assert sum(prof.profile.values()) == int(prof.frame_cycles.sum() + handler.sum())
    assert {"fe_process", "app_dma_isr", "nn_gru_step", "mel_log"} <= set(prof.profile)

"""The Q15 front end: tables, references against librosa, and the emulated firmware
bit for bit against the numpy model, on tones, chirps, noise, silence and speech."""

import re

import librosa
import numpy as np
import pytest

from mcubench.data import signals
from mcubench.dsp import frontend as fm
from mcubench.dsp.config import FFT_SIZES, fft_config, get_config, load_configs, mel_filterbank
from mcubench.dsp.frontend_tables import write_header
from mcubench.pytest_plugin import Mcu

FRONTEND = [
    "firmware/bench/frontend_bench.c",
    "firmware/dsp/frontend.c",
    "firmware/dsp/rfft_q15.c",
    "firmware/dsp/rfft_q15_bfly.S",
]
RFFT = ["firmware/bench/rfft_q15_bench.c", "firmware/dsp/rfft_q15.c", "firmware/dsp/rfft_q15_bfly.S"]
CONFIGS = ["py32_1k", "lea16k", "genre22k", "fsd50k"]


@pytest.mark.parametrize("name", CONFIGS)
@pytest.mark.parametrize("htk", [True, False])
@pytest.mark.parametrize("norm", [True, False])
def test_mel_filterbank_matches_librosa(name, htk, norm):
    c = get_config(name)
    ours = mel_filterbank(c.sample_rate, c.n_fft, c.n_mels, c.fmin, c.f_max, htk, norm)
    ref = librosa.filters.mel(
        sr=c.sample_rate,
        n_fft=c.n_fft,
        n_mels=c.n_mels,
        fmin=c.fmin,
        fmax=c.f_max,
        htk=htk,
        norm="slaney" if norm else None,
    )
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-10)


@pytest.mark.parametrize("name", CONFIGS)
def test_float_logmel_matches_librosa_on_the_same_frames(name):
    c = get_config(name)
    audio = signals.speech(c.hop * 30, sample_rate=c.sample_rate)
    frames = fm.frames_of(c, audio)
    ours = fm.logmel_float_db(c, frames)
    # librosa centres a short window in the n_fft frame: shift the audio so its frames
    # window exactly our samples (a circular shift leaves the power spectrum unchanged)
    off = (c.n_fft - c.win_length) // 2
    y = np.concatenate([np.zeros(c.win_length - c.hop + off), audio, np.zeros(c.n_fft)]) / 32768.0
    S = librosa.feature.melspectrogram(
        y=y,
        sr=c.sample_rate,
        n_fft=c.n_fft,
        hop_length=c.hop,
        win_length=c.win_length,
        window="hann",
        center=False,
        power=2.0,
        n_mels=c.n_mels,
        fmin=c.fmin,
        fmax=c.f_max,
        htk=c.mel_scale == "htk",
        norm="slaney" if c.mel_norm == "slaney" else None,
    )
    ref = librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db=None).T[: len(frames)]
    np.testing.assert_allclose(ours, ref, atol=1e-6)
    if c.n_mfcc:
        mf = librosa.feature.mfcc(
            S=librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db=None),
            n_mfcc=c.n_mfcc,
            dct_type=2,
            norm="ortho",
        ).T[: len(frames)]
        np.testing.assert_allclose(fm.mfcc_float(c, ours), mf, atol=1e-4)


@pytest.mark.parametrize("name", CONFIGS)
def test_tables_have_exactly_the_sizes_the_configuration_needs(name):
    c = get_config(name)
    text = (write_header(name) / "fe_tables.h").read_text()
    sizes = {m.group(1): int(m.group(2)) for m in re.finditer(r"(\w+)\[(\d+)\]", text)}
    starts, lengths, weights, _ = c.mel_sparse
    assert sizes["fe_bitrev"] == c.n_fft // 2
    assert sizes["fe_r4_tw"] == 3 * (c.n_fft // 8 - 1)  # the last radix-4 pass's W1, W2, W3
    assert sizes["fe_split_tw"] == c.n_fft // 4 - 1  # the real split's, one per bin pair
    assert sizes["fe_window_q15"] == c.win_length // 2 + 1
    assert sizes["fe_mel_w"] == int(lengths.sum()) == int((c.mel_float > 0).sum())
    assert sizes["fe_mel_start"] == sizes["fe_mel_len"] == sizes["fe_mel_gain_q10"] == c.n_mels
    assert sizes.get("fe_dct_q13", 0) == c.n_mfcc * c.n_mels
    assert max(sizes.values()) <= 1024


def test_signals():
    assert signals.silence(10).tolist() == [0] * 10
    assert np.abs(signals.sine(16000, freq=1000, level_dbfs=0)).max() == 32767
    assert np.abs(signals.sine(16000, freq=1000, level_dbfs=-60)).max() == 33
    assert np.abs(signals.pink(4000, level_dbfs=-6)).max() == round(32767 * 10 ** (-6 / 20))
    assert len(signals.speech(5000)) == 5000 and np.abs(signals.speech(20000)).max() > 3000


def test_range_bits_give_exact_shifts_at_every_boundary():
    # a radix-4 pass shifts by 0 inside [-4096, 4096), 1 inside [-8192, 8192), else 2;
    # the split (and a radix-2 stage) halves outside [-8192, 8192). Either half of the word.
    cases = {-4096: 0, 4095: 0, -4097: 1, 4096: 1, -8192: 1, 8191: 1, -8193: 2, 8192: 2, 32767: 2, -32768: 2}
    for v, s4 in cases.items():
        for z in ([[v, 0]], [[0, v]], [[v, v]], [[v, -1], [3, 0]]):
            acc = fm._range_bits(np.array(z, dtype=np.int64))
            assert fm._shift4(acc) == s4 and fm._shift2(acc) == (s4 == 2), (v, z)


def test_range_bits_bound_magnitudes_as_an_or_of_them_does():
    # rfft_q15 and the front end take the input's range from packed words' range bits:
    # ((acc & 0xFFFF) >> 1) | (acc >> 17) must have the msb (and zero-ness) of OR |x|.
    rng = np.random.default_rng(7)
    for scale in (0, 1, 2, 3, 100, 4096, 32768):
        for _ in range(50):
            x = rng.integers(-scale - 1, scale + 1, size=(8, 2)).clip(-32768, 32767)
            acc = fm._range_bits(x)
            bits = ((acc & 0xFFFF) >> 1) | (acc >> 17)
            assert bits.bit_length() == fm._abs_bits(x).bit_length(), x


@pytest.mark.parametrize("n", FFT_SIZES)
def test_rfft_is_bit_exact_and_accurate(mcu, n):
    target = "py32f003" if n <= 512 else "rp2040"
    fw = mcu.build(RFFT, target, tables=f"fft{n}", include=["firmware/dsp"], opt="-O2", entry=True)
    cfg = fft_config(n)
    rng = np.random.default_rng(n)
    inputs = {
        "noise": rng.integers(-32768, 32768, n),
        "full scale": np.full(n, -32768),
        "quiet tone": np.round(40 * np.sin(np.arange(n) * 0.7)),
        "silence": np.zeros(n),
        "impulse": np.eye(1, n, n // 3).ravel() * 32767,
    }
    for label, x in inputs.items():
        x = x.astype(np.int64)
        fw.write("bench_input", x)
        exponent = fw.call("bench_run").return_value
        out = fw.read("bench_output").astype(np.int64)
        packed, expected_exp = fm.rfft_q15(cfg, x)
        assert np.array_equal(out[:n], packed) and out[n] == expected_exp, label
        assert exponent == expected_exp  # return_value is r0 as a C int32_t
        if label != "silence":
            X, ref = fm.unpack(packed, expected_exp), np.fft.rfft(x)
            noise = np.sum(np.abs(X - ref) ** 2)
            # block floating point keeps ~50 dB even for a 6-bit tone at N = 1024
            assert noise == 0 or 10 * np.log10(np.sum(np.abs(ref) ** 2) / noise) > 48, label


def _levels():
    sr = 16000
    out = {f"tone {db} dBFS": signals.sine(sr // 4, sr, 1000.0, db) for db in (0, -20, -40, -60)}
    out.update(
        {
            "chirp": signals.chirp(sr // 4, sr),
            "white": signals.noise(sr // 4, sr, level_dbfs=-20),
            "pink": signals.pink(sr // 4, sr),
            "silence": signals.silence(sr // 4),
            "speech": signals.speech(sr // 2, sr),
        }
    )
    return out


@pytest.fixture(scope="module")
def py32_frontend():
    return Mcu().build(
        FRONTEND, "py32f003", tables="py32_1k", include=["firmware/dsp"], opt="-O2", entry=True
    )


def _run(fw, cfg, audio):
    fw.call("bench_init")
    outs = []
    for t in range(len(audio) // cfg.hop):
        fw.write("bench_input", audio[t * cfg.hop : (t + 1) * cfg.hop])
        fw.call("bench_run")
        outs.append(fw.read("bench_output")[: cfg.n_mels + cfg.n_mfcc])
    return np.stack(outs).astype(np.int64)


@pytest.mark.parametrize("label", list(_levels()))
def test_py32_frontend_is_bit_exact_with_the_model(py32_frontend, label):
    cfg = get_config("py32_1k")
    audio = _levels()[label]
    out = _run(py32_frontend, cfg, audio)
    assert np.array_equal(out, fm.logmel(cfg, audio)[: len(out)]), label


@pytest.mark.parametrize("label", ["tone -20 dBFS", "speech"])
def test_py32_frontend_meets_the_accuracy_goals(label):
    cfg = get_config("py32_1k")
    audio = _levels()[label]
    acc = fm.accuracy(cfg, fm.logmel(cfg, audio), fm.frames_of(cfg, audio))
    assert acc["snr_db"] >= 40 and acc["mean_abs_err_db"] <= 0.25 and acc["max_abs_err_db"] <= 1.0, acc


@pytest.mark.parametrize(
    "name,target", [("lea16k", "py32f003"), ("genre22k", "rp2040"), ("fsd50k", "rp2040")]
)
def test_other_configurations_are_bit_exact_on_speech(mcu, name, target):
    cfg = get_config(name)
    fw = mcu.build(FRONTEND, target, tables=name, include=["firmware/dsp"], opt="-O2", entry=True)
    audio = signals.speech(cfg.hop * 12, sample_rate=cfg.sample_rate)
    out = _run(fw, cfg, audio)
    mels = fm.logmel(cfg, audio)[: len(out)]
    assert np.array_equal(out[:, : cfg.n_mels], mels)
    if cfg.n_mfcc:
        assert np.array_equal(out[:, cfg.n_mels :], np.stack([fm.mfcc_frame(cfg, m) for m in mels]))


def test_every_configuration_loads():
    assert set(CONFIGS) <= set(load_configs())

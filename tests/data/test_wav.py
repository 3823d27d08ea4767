"""WAV input for `mcubench stream`: every encoding we claim to read, and a one-line
error for every way a file can be wrong."""

import struct

import numpy as np
import pytest

from mcubench.data.wav import WavError, read_wav, to_app_audio, write_wav


def riff(fmt_tag, channels, rate, bits, payload: bytes, data_size=None, extensible=False) -> bytes:
    align = channels * bits // 8
    if extensible:
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * align, align, bits, 22, bits, 0)
        fmt += struct.pack("<H", fmt_tag) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
    else:
        fmt = struct.pack("<HHIIHH", fmt_tag, channels, rate, rate * align, align, bits)
    size = len(payload) if data_size is None else data_size
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", size) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


RAMP = np.array([0, 0.25, -0.5, 0.75, -1.0])


@pytest.mark.parametrize(
    "tag, bits, encode",
    [
        (1, 8, lambda x: np.round(x * 128 + 128).clip(0, 255).astype(np.uint8).tobytes()),
        (1, 16, lambda x: np.round(x * 32768).clip(-32768, 32767).astype("<i2").tobytes()),
        (
            1,
            24,
            lambda x: b"".join(
                int(v).to_bytes(3, "little", signed=True)
                for v in np.round(x * 2**23).clip(-(2**23), 2**23 - 1)
            ),
        ),
        (1, 32, lambda x: np.round(x * 2**31).clip(-(2**31), 2**31 - 1).astype("<i4").tobytes()),
        (3, 32, lambda x: x.astype("<f4").tobytes()),
        (3, 64, lambda x: x.astype("<f8").tobytes()),
    ],
)
@pytest.mark.parametrize("extensible", [False, True])
def test_reads_pcm_and_float_encodings(tmp_path, tag, bits, encode, extensible):
    path = tmp_path / "x.wav"
    path.write_bytes(riff(tag, 1, 16000, bits, encode(RAMP), extensible=extensible))
    w = read_wav(path)
    assert (w.rate, w.channels, w.bits) == (16000, 1, bits)
    np.testing.assert_allclose(w.samples[:, 0], RAMP, atol=1 / 127)


def test_mixes_channels_down_and_resamples_with_a_notice(tmp_path):
    rate = 48000
    t = np.arange(rate // 10) / rate
    left, right = 0.5 * np.sin(2 * np.pi * 1000 * t), np.zeros_like(t)
    stereo = np.round(np.stack([left, right], axis=1) * 32767).astype("<i2")
    path = tmp_path / "stereo.wav"
    path.write_bytes(riff(1, 2, rate, 16, stereo.tobytes()))
    notices = []
    out = to_app_audio(read_wav(path), 16000, notices)
    assert len(out) == len(t) // 3 and out.dtype == np.int16
    assert any("mono" in n for n in notices) and any("48000 Hz -> 16000 Hz" in n for n in notices)
    spectrum = np.abs(np.fft.rfft(out.astype(float)))
    assert abs(np.argmax(spectrum) * 16000 / len(out) - 1000) < 20  # the tone survives
    assert 0.2 < np.abs(out).max() / 32768 < 0.3  # averaged: half the left channel


def test_write_and_read_back(tmp_path):
    x = (np.arange(-1000, 1000, 7)).astype(np.int16)
    w = read_wav(write_wav(tmp_path / "y.wav", x, 22050))
    assert w.rate == 22050 and np.array_equal(to_app_audio(w, 22050), x)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty file"),
        (b"RIFX\x00\x00\x00\x00WAVE", "not a RIFF/WAVE file"),
        (
            riff(1, 1, 16000, 16, b"\x00\x01" * 100, data_size=400),
            "truncated: the data chunk says 400 bytes, the file has 200",
        ),
        (riff(1, 1, 16000, 16, b""), "no audio"),
        (riff(2, 1, 16000, 4, b"\x00" * 64), "unsupported encoding (format tag 2, 4 bits)"),
        (riff(1, 1, 16000, 16, b"\x00\x00")[:30], "truncated fmt chunk"),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(WavError) as info:
        read_wav(path)
    text = str(info.value)
    assert message in text and str(path) in text and "\n" not in text

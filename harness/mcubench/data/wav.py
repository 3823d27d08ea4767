"""WAV files in, mono int16 at the application's rate out.

A small RIFF reader of our own rather than scipy's, so that every way a file can be wrong
(truncated, empty, not RIFF/WAVE, an encoding we do not read) is one clear line naming
the file. Reads PCM 8/16/24/32-bit and IEEE float 32/64 (plain or WAVE_FORMAT_EXTENSIBLE),
any number of channels (mixed down to mono by averaging) and any rate (resampled with
scipy.signal.resample_poly, a polyphase FIR with a Kaiser window, and said so).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from mcubench.base.errors import McubenchError
from mcubench.base.files import read_input

PCM, IEEE_FLOAT, EXTENSIBLE = 1, 3, 0xFFFE
# Audio rates a microcontroller front end takes: nothing is resampled by more than x96.
MIN_RATE, MAX_RATE = 4_000, 384_000
MAX_WAV_BYTES = 1 << 30


class WavError(McubenchError):
    """The WAV file cannot be read."""


@dataclass
class Wav:
    rate: int
    channels: int
    bits: int
    encoding: str  # "pcm" or "float"
    samples: np.ndarray  # float64 [frames, channels] in [-1, 1)


def _chunks(data: bytes):
    pos = 12
    while pos + 8 <= len(data):
        cid, size = struct.unpack_from("<4sI", data, pos)
        yield cid, pos + 8, size
        pos += 8 + size + (size & 1)


def read_wav(path) -> Wav:
    path = Path(path)
    data = read_input(path, MAX_WAV_BYTES, WavError, "a WAV file")
    if len(data) == 0:
        raise WavError(f"{path}: empty file")
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise WavError(f"{path}: not a RIFF/WAVE file")
    fmt = None
    for cid, start, size in _chunks(data):
        if cid == b"fmt ":
            if size < 16 or start + 16 > len(data):
                raise WavError(f"{path}: truncated fmt chunk")
            fmt = struct.unpack_from("<HHIIHH", data, start)
            if fmt[0] == EXTENSIBLE and size >= 40 and start + 26 <= len(data):
                fmt = (struct.unpack_from("<H", data, start + 24)[0],) + fmt[1:]
        elif cid == b"data":
            if fmt is None:
                raise WavError(f"{path}: data chunk before the fmt chunk")
            available = len(data) - start
            if size > available:
                raise WavError(
                    f"{path}: truncated: the data chunk says {size} bytes, the file has {available}"
                )
            return _decode(path, fmt, data[start : start + size])
    raise WavError(f"{path}: no {'fmt' if fmt is None else 'data'} chunk")


def _decode(path: Path, fmt: tuple, raw: bytes) -> Wav:
    tag, channels, rate, _, align, bits = fmt
    if channels < 1 or not MIN_RATE <= rate <= MAX_RATE:
        raise WavError(
            f"{path}: {channels} channel(s) at {rate} Hz; mcubench reads 1 or more channels at "
            f"{MIN_RATE:,} to {MAX_RATE:,} Hz"
        )
    encodings = {
        (PCM, 8): "u1",
        (PCM, 16): "<i2",
        (PCM, 24): None,
        (PCM, 32): "<i4",
        (IEEE_FLOAT, 32): "<f4",
        (IEEE_FLOAT, 64): "<f8",
    }
    if (tag, bits) not in encodings:
        raise WavError(
            f"{path}: unsupported encoding (format tag {tag}, {bits} bits); "
            f"PCM 8/16/24/32-bit and float 32/64 are read"
        )
    width = bits // 8
    frames = len(raw) // (width * channels)
    if frames == 0:
        raise WavError(f"{path}: no audio (0 sample frames)")
    raw = raw[: frames * width * channels]
    if bits == 24:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        x = ((b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)) << 8 >> 8) / 2.0**23
    elif tag == PCM:
        x = np.frombuffer(raw, dtype=encodings[(tag, bits)]).astype(np.float64)
        x = (x - 128) / 128 if bits == 8 else x / 2.0 ** (bits - 1)
    else:
        x = np.frombuffer(raw, dtype=encodings[(tag, bits)]).astype(np.float64)
        if not np.all(np.isfinite(x)):
            raise WavError(f"{path}: float samples that are NaN or infinite")
    return Wav(rate, channels, bits, "pcm" if tag == PCM else "float", x.reshape(frames, channels))


def to_app_audio(wav: Wav, rate: int, notices: list | None = None) -> np.ndarray:
    """Mono int16 at `rate`: channels averaged, resampled if needed (a notice is
    appended to `notices`), float clipped to [-1, 1)."""
    x = wav.samples.mean(axis=1)
    if wav.channels > 1 and notices is not None:
        notices.append(f"mixed {wav.channels} channels down to mono")
    if wav.rate != rate:
        ratio = Fraction(rate, wav.rate).limit_denominator(1000)
        from scipy.signal import resample_poly  # 0.75 s to import: only when resampling

        x = resample_poly(x, ratio.numerator, ratio.denominator)
        if notices is not None:
            notices.append(
                f"resampled {wav.rate} Hz -> {rate} Hz (polyphase, x{ratio.numerator}/{ratio.denominator})"
            )
    return np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16)


def write_wav(path, audio_int16: np.ndarray, rate: int) -> Path:
    """Mono 16-bit PCM (a 44-byte RIFF header and the samples)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = np.asarray(audio_int16, dtype="<i2").tobytes()
    fmt = struct.pack("<HHIIHH", PCM, 1, rate, 2 * rate, 2, 16)
    head = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    path.write_bytes(
        head + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(data)) + data
    )
    return path


def read_pcm16(path) -> tuple[int, np.ndarray]:
    """(rate, int16 samples of the first channel) of a 16-bit PCM file, exactly."""
    wav = read_wav(path)
    if (wav.encoding, wav.bits) != ("pcm", 16):
        raise WavError(f"{path}: {wav.bits}-bit {wav.encoding}, not 16-bit PCM")
    return wav.rate, np.round(wav.samples[:, 0] * 32768).astype(np.int16)

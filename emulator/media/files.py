"""WAV and MP3 files as size + random access, built from one repeating block."""

from __future__ import annotations

import functools
import math
import struct
from dataclasses import dataclass

from emulator.media.signal import SAMPLE_RATE, pcm_period, pcm_seconds

# MPEG-2.5 Layer III, 8 kHz, 16 kbit/s CBR (mono, or joint stereo for two channels): every frame is
# 576 samples (72 ms) in 144 bytes.
MP3_SAMPLES_PER_FRAME = 576
MP3_FRAME_BYTES = 144
MP3_BLOCK_FRAMES = 125  # 9 s: a whole number of frames and of signal periods
# A silent frame: header (sync, MPEG-2.5, Layer III, no CRC, 16 kbit/s, 8 kHz, mono or joint stereo),
# then zeros.
_SILENT_FRAMES = {
    1: bytes.fromhex("ffe328c4") + bytes(MP3_FRAME_BYTES - 4),
    2: bytes.fromhex("ffe32864") + bytes(MP3_FRAME_BYTES - 4),
}


@dataclass(frozen=True)
class MediaFile:
    """A generated audio file: ``size`` bytes, any stretch of which ``read`` returns."""

    content_type: str
    size: int
    duration: float
    _head: bytes
    _block: bytes

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes from ``offset`` (fewer at the end of the file)."""
        end = min(self.size, offset + length)
        if offset >= end:
            return b""
        out = bytearray()
        head = len(self._head)
        if offset < head:
            out += self._head[offset : min(end, head)]
            offset = head
        block = len(self._block)
        while offset < end:
            at = (offset - head) % block
            take = min(end - offset, block - at)
            out += self._block[at : at + take]
            offset += take
        return bytes(out)


def _wav(duration: float, channels: int) -> MediaFile:
    samples = round(duration * SAMPLE_RATE)
    frame = 2 * channels
    data = samples * frame
    header = b"RIFF" + struct.pack("<I", 36 + data) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, SAMPLE_RATE, SAMPLE_RATE * frame, frame, 16)
    header += b"data" + struct.pack("<I", data)
    return MediaFile("audio/wav", len(header) + data, samples / SAMPLE_RATE, header, pcm_period(channels))


@functools.cache
def mp3_block(channels: int = 1) -> bytes:
    """9 s of the signal encoded once. A stream's first frame never borrows bits from a previous one,
    so the block can follow itself seamlessly. Without the LAME encoder, 9 s of silent frames."""
    try:
        import lameenc
    except ImportError:  # pragma: no cover - lameenc ships wheels for the usual platforms
        return _SILENT_FRAMES[channels] * MP3_BLOCK_FRAMES
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(16)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_channels(channels)
    encoder.set_quality(2)
    seconds = MP3_BLOCK_FRAMES * MP3_SAMPLES_PER_FRAME // SAMPLE_RATE
    encoded = bytes(encoder.encode(pcm_seconds(seconds, channels)) + encoder.flush())
    block = encoded[: MP3_BLOCK_FRAMES * MP3_FRAME_BYTES]
    if len(block) != MP3_BLOCK_FRAMES * MP3_FRAME_BYTES or block[:2] != b"\xff\xe3":
        # An encoder that did not give 16 kbit/s CBR frames.
        return _SILENT_FRAMES[channels] * MP3_BLOCK_FRAMES
    return block


def _mp3(duration: float, channels: int) -> MediaFile:
    frames = math.ceil(duration * SAMPLE_RATE / MP3_SAMPLES_PER_FRAME)
    seconds = frames * MP3_SAMPLES_PER_FRAME / SAMPLE_RATE
    return MediaFile("audio/mpeg", frames * MP3_FRAME_BYTES, seconds, b"", mp3_block(channels))


def media_for(file_format: str, duration: float, channels: int = 1) -> MediaFile:
    """The audio of a ``duration``-second recording in ``mp3`` or ``wav``, mono or two channels."""
    if channels not in _SILENT_FRAMES:
        raise ValueError(f"no media with {channels} channels")
    if file_format == "wav":
        return _wav(duration, channels)
    if file_format == "mp3":
        return _mp3(duration, channels)
    raise ValueError(f"no media for format {file_format!r}")

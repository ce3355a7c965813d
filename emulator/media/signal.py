"""The sound of an emulated recording: a short 440 Hz beep at the start of every second.

Audible seconds make a recording's length obvious to anyone who plays it, and a periodic signal lets
any stretch of the file be computed from one period. A two-channel recording (a member's ``all``
track) has the member on the first channel, as above, and the rest of the call on the second: a
660 Hz beep half-way through every second, so each channel is told apart by ear and by analysis.
"""

from __future__ import annotations

import functools
import math
import struct

SAMPLE_RATE = 8000  # telephony audio
BEEP_SECONDS = 0.1
FADE_SECONDS = 0.01
AMPLITUDE = 0.25  # -12 dBFS


# (pitch in Hz, where in each second the beep starts) of each channel.
_CHANNELS = ((440, 0.0), (660, 0.5))


def _sample(index: int, channel: int = 0) -> int:
    pitch, start = _CHANNELS[channel]
    t = (index % SAMPLE_RATE) / SAMPLE_RATE - start
    if not 0 <= t < BEEP_SECONDS:
        return 0
    envelope = min(1.0, t / FADE_SECONDS, (BEEP_SECONDS - t) / FADE_SECONDS)
    return int(AMPLITUDE * envelope * math.sin(2 * math.pi * pitch * index / SAMPLE_RATE) * 32767)


@functools.cache
def pcm_period(channels: int = 1) -> bytes:
    """One second of 16-bit little-endian PCM, channels interleaved; the whole signal repeats it."""
    samples = [_sample(i, c) for i in range(SAMPLE_RATE) for c in range(channels)]
    return struct.pack(f"<{len(samples)}h", *samples)


def pcm_seconds(seconds: int, channels: int = 1) -> bytes:
    return pcm_period(channels) * seconds

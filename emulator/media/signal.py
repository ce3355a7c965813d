"""The sound of an emulated recording: a short 440 Hz beep at the start of every second.

Audible seconds make a recording's length obvious to anyone who plays it, and a periodic signal lets
any stretch of the file be computed from one period.
"""

from __future__ import annotations

import functools
import math
import struct

SAMPLE_RATE = 8000  # telephony audio
BEEP_SECONDS = 0.1
FADE_SECONDS = 0.01
AMPLITUDE = 0.25  # -12 dBFS


def _sample(index: int) -> int:
    t = (index % SAMPLE_RATE) / SAMPLE_RATE
    if t >= BEEP_SECONDS:
        return 0
    envelope = min(1.0, t / FADE_SECONDS, (BEEP_SECONDS - t) / FADE_SECONDS)
    return int(AMPLITUDE * envelope * math.sin(2 * math.pi * 440 * index / SAMPLE_RATE) * 32767)


@functools.cache
def pcm_period() -> bytes:
    """One second of 16-bit little-endian mono PCM; the whole signal repeats it."""
    return struct.pack(f"<{SAMPLE_RATE}h", *(_sample(i) for i in range(SAMPLE_RATE)))


def pcm_seconds(seconds: int) -> bytes:
    return pcm_period() * seconds
